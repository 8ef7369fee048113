/**
 * The leak scan: every secret value the run generated or read (passwords, API keys, master
 * passwords, the RotationToken — all remembered by the kit as they appear) searched for in
 * everything the run produced: every log line and output (captured stdout/stderr), every error a
 * handler threw (message, cause chain, stack, hidden properties), the servers' own logs
 * (PostgreSQL with log_statement=all, MariaDB's general log) and the report itself.
 */
import { inspect } from 'node:util';
import { capturedOutput, findLeaks, rememberedSecretCount } from '../logCapture.ts';

export interface LeakSource {
  source: string;
  text?: string;
  /** Why the source could not be read (an external server). */
  unavailable?: string;
}

export interface LeakScan {
  source: string;
  bytes: number;
  hits: number;
  unavailable?: string;
}

/** Everything a run's errors could show: each error and its causes, with stacks and hidden fields. */
export function errorsText(errors: unknown[]): string {
  return errors
    .map((error) => {
      const parts: string[] = [];
      for (let node: unknown = error, depth = 0; node && depth < 6; node = (node as Error).cause, depth += 1) {
        parts.push(
          inspect(node, {
            depth: 8,
            showHidden: true,
            maxStringLength: Infinity,
            maxArrayLength: Infinity,
            breakLength: Infinity,
          }),
          String((node as Error).stack),
        );
      }
      return parts.join('\n');
    })
    .join('\n');
}

export function scanForLeaks(sources: LeakSource[]): { secretsKnown: number; scans: LeakScan[] } {
  return {
    secretsKnown: rememberedSecretCount(),
    scans: sources.map(({ source, text, unavailable }) =>
      text === undefined
        ? { source, bytes: 0, hits: 0, unavailable: unavailable ?? 'not available' }
        : { source, bytes: Buffer.byteLength(text), hits: findLeaks(text).length },
    ),
  };
}

/** The run's own output so far (handler logs and the kit's, as captured). */
export function outputText(): string {
  return capturedOutput();
}
