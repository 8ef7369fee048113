/**
 * Wrap an SDK client to count its calls and make chosen calls fail: how tests prove "no AWS call
 * was made", "one version was written", and how a step behaves when Secrets Manager fails.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export interface ClientProbe {
  /** Command names in call order, e.g. ["DescribeSecretCommand", ...]. */
  readonly calls: string[];
  /** The input of every call, in order (kept in memory only). */
  readonly inputs: Array<{ command: string; input: Record<string, unknown> }>;
  count(command: string): number;
  /** After `skip` more calls of `command` pass, the next `times` throw `error` before reaching the server. */
  failNext(command: string, error: Error, options?: { times?: number; skip?: number }): void;
  reset(): void;
}

export function instrumentClient(client: SecretsManagerClient): ClientProbe {
  const calls: string[] = [];
  const inputs: ClientProbe['inputs'] = [];
  const faults = new Map<string, { error: Error; remaining: number; skip: number }>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? 'unknown';
      calls.push(command);
      inputs.push({ command, input: args.input as Record<string, unknown> });
      const fault = faults.get(command);
      if (fault && fault.skip > 0) fault.skip -= 1;
      else if (fault && fault.remaining > 0) {
        fault.remaining -= 1;
        throw fault.error;
      }
      return next(args);
    },
    { step: 'initialize', name: 'rotatorsTestProbe' },
  );
  return {
    calls,
    inputs,
    count: (command) => calls.filter((c) => c === command).length,
    failNext: (command, error, { times = 1, skip = 0 } = {}) => faults.set(command, { error, remaining: times, skip }),
    reset: () => {
      calls.length = 0;
      inputs.length = 0;
      faults.clear();
    },
  };
}
