/**
 * The call recorder: every external call a rotator makes (Secrets Manager through an SDK
 * middleware, SQL and HTTP through wires.ts) passes through `through()`, which records it, fires
 * the armed fault when its index comes, counts writes, and tells the lockout probe whenever a call
 * may have changed what the target accepts or what the labels hold.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Step } from '../rotationService.ts';
import { SimulatedCrash, sdkTimeout, serviceError } from './faults.ts';
import type { CallRecord, Channel, FaultKind } from './types.ts';

/** How a channel fails for each fault. */
export interface ChannelFaults<T> {
  /** Fail before the call takes effect (without performing it, or with the target refusing it). */
  error(perform: () => Promise<T>): Promise<T>;
  /** Perform the call, then fail as if its answer (a result, or the call's own failure) was lost. */
  timeout(perform: () => Promise<T>): Promise<T>;
  /** Release what a performed call returned when the process dies right after it (e.g. a session). */
  discard?(result: T): Promise<void> | void;
}

export interface CallOptions {
  write: boolean;
  /** The call may change what the target accepts or what the labels hold: probe after it. */
  stateChange: boolean;
}

/**
 * Where a fault fires: the `occurrence`-th call (from 1) with this step and label since the last
 * reset. Matched by what the call is, not by its position, so a rotation whose calls shift (a
 * server's one-time set-up done by an earlier secret) still gets the fault at the same call.
 */
export interface CallPoint {
  step?: Step;
  label: string;
  occurrence: number;
}

/** The call point of each recorded call. */
export function callPointsOf(calls: CallRecord[]): CallPoint[] {
  const seen = new Map<string, number>();
  return calls.map((call) => {
    const key = `${call.step}\u0000${call.label}`;
    const occurrence = (seen.get(key) ?? 0) + 1;
    seen.set(key, occurrence);
    return { step: call.step, label: call.label, occurrence };
  });
}

export interface FiredFault {
  fault: FaultKind;
  call: CallRecord;
}

export class CallRecorder {
  readonly calls: CallRecord[] = [];
  readonly writes: Record<Channel, number> = { secretsmanager: 0, sql: 0, http: 0 };
  /** Real names on the target → their role, for labels (set per secret). */
  aliases: Record<string, string> = {};
  /** Called after every call that may have changed state (awaited before the caller resumes). */
  onStateChange?: (call: CallRecord) => Promise<void>;
  /** Called right before such a call is sent: from here until onStateChange the state is in flux. */
  beforeStateChange?: (call: CallRecord) => void;
  private plan?: { point: CallPoint; fault: FaultKind };
  private readonly occurrences = new Map<string, number>();
  private firedFault?: FiredFault;
  private step?: Step;
  private dead = false;
  private invocations = 0;

  /** Forget the calls so far (e.g. of clean rotations before the one under test) and any fault. */
  reset(): void {
    this.calls.length = 0;
    for (const channel of Object.keys(this.writes) as Channel[]) this.writes[channel] = 0;
    this.occurrences.clear();
    this.plan = undefined;
    this.firedFault = undefined;
  }

  /** Fire `fault` at this call point (counted from the last reset). */
  arm(point: CallPoint, fault: FaultKind): void {
    this.plan = { point, fault };
    this.firedFault = undefined;
  }

  /** No fault from now on (the one armed may have fired or not). */
  disarm(): void {
    this.plan = undefined;
  }

  get fired(): FiredFault | undefined {
    return this.firedFault;
  }

  beginInvocation(step: Step): void {
    this.step = step;
    this.dead = false;
    this.invocations += 1;
  }

  /** Ends the invocation; `crashed` when the process died during it. */
  endInvocation(): { crashed: boolean } {
    const crashed = this.dead;
    this.dead = false;
    this.step = undefined;
    return { crashed };
  }

  async through<T>(
    channel: Channel,
    label: string,
    options: CallOptions,
    perform: () => Promise<T>,
    faults: ChannelFaults<T>,
  ): Promise<T> {
    // A dead process makes no more calls: whatever the handler still tries fails without effect.
    if (this.dead) throw new SimulatedCrash('the process had already died');
    const call: CallRecord = { index: this.calls.length, channel, step: this.step, label, write: options.write };
    this.calls.push(call);
    if (options.write) this.writes[channel] += 1;
    const key = `${call.step}\u0000${label}`;
    const occurrence = (this.occurrences.get(key) ?? 0) + 1;
    this.occurrences.set(key, occurrence);
    const point = this.plan?.point;
    const fault =
      point && !this.firedFault && point.step === call.step && point.label === label && point.occurrence === occurrence
        ? this.plan!.fault
        : undefined;
    if (options.stateChange && fault !== 'error') this.beforeStateChange?.(call);
    if (!fault) {
      const result = await perform();
      if (options.stateChange) await this.stateChanged(call);
      return result;
    }
    this.firedFault = { fault, call };
    if (fault === 'error') return faults.error(perform);
    if (fault === 'timeout') {
      try {
        return await faults.timeout(perform);
      } finally {
        if (options.stateChange) await this.stateChanged(call);
      }
    }
    // The call went out and took whatever effect it had; its answer (a result, or the call's own
    // failure, e.g. a refused login or a 404) is lost with the process.
    const outcome = await perform().then(
      (value) => ({ value }),
      () => undefined,
    );
    if (outcome) await faults.discard?.(outcome.value as T);
    this.dead = true;
    if (options.stateChange) await this.stateChanged(call);
    throw new SimulatedCrash();
  }

  private async stateChanged(call: CallRecord): Promise<void> {
    await this.onStateChange?.(call);
  }

  /** `sql` with literals redacted, real names replaced by their role, whitespace collapsed, cut short. */
  describe(text: string, max = 90): string {
    let out = text;
    for (const [name, role] of Object.entries(this.aliases).sort((a, b) => b[0].length - a[0].length))
      out = out.split(name).join(`<${role}>`);
    // Literals are redacted (a verifier, a hash, an ARN), except a name already replaced by its role.
    out = out
      .replace(/'(?:[^'\\]|\\.|'')*'/g, (literal) => (/^'<\w+>'$/.test(literal) ? literal : "'…'"))
      .replace(/\s+/g, ' ')
      .trim();
    return out.length > max ? `${out.slice(0, max - 1)}…` : out;
  }
}

const SM_WRITES = new Set(['PutSecretValue', 'UpdateSecretVersionStage']);

/**
 * Route every call of `client` (the function's own Secrets Manager client) through `recorder`.
 * Added at the initialize step, above the SDK's retries: an injected error is not retried by the
 * SDK, as a failure after its retries would not be.
 */
export function recordSecretsManager(
  client: SecretsManagerClient,
  recorder: () => CallRecorder | undefined,
  secretIdOf: () => string | undefined,
): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const target = recorder();
      if (!target) return next(args);
      const command = (context.commandName ?? 'unknown').replace(/Command$/, '');
      const input = (args.input ?? {}) as Record<string, unknown>;
      const write = SM_WRITES.has(command);
      return target.through(
        'secretsmanager',
        smLabel(command, input, secretIdOf()),
        { write, stateChange: write },
        () => next(args),
        {
          error: async () => {
            throw serviceError();
          },
          timeout: async (perform) => {
            await perform().catch(() => undefined);
            throw sdkTimeout();
          },
        },
      );
    },
    { step: 'initialize', name: 'rotatorsProofRecorder', override: true },
  );
}

function smLabel(command: string, input: Record<string, unknown>, secretId: string | undefined): string {
  const args: string[] = [];
  if (
    typeof input.SecretId === 'string' &&
    secretId &&
    input.SecretId !== secretId &&
    !secretId.startsWith(String(input.SecretId))
  )
    args.push('another secret');
  if (typeof input.VersionStage === 'string') args.push(input.VersionStage);
  if (typeof input.VersionId === 'string') args.push('VersionId');
  if (command === 'PutSecretValue' && Array.isArray(input.VersionStages)) args.push(input.VersionStages.join('+'));
  if (command === 'UpdateSecretVersionStage' && typeof input.MoveToVersionId === 'string') args.push('move');
  return args.length > 0 ? `${command}(${args.join(', ')})` : command;
}
