/**
 * A rotator's target as the harness uses it. Apart from types.ts because it names the recorder,
 * which itself uses types.ts: one file each way would be an import cycle.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CallRecorder } from './recorder.ts';
import type { NewSecretOptions, ProofSecret, TargetKind } from './types.ts';

/** Counts of writes at the target that did not pass through the rotator's wires (server-side logs). */
export interface ServerWriteCounter {
  /** What is counted, for the report, e.g. "DDL/DCL in the PostgreSQL statement log". */
  readonly source: string;
  /** A position to count from. */
  mark(): Promise<number>;
  /** Writes since `mark`. */
  since(mark: number): Promise<number>;
}

/** A rotator's target, as the harness uses it. */
export interface Fixture {
  readonly kind: TargetKind;
  readonly description: string;
  /** The function's environment for this target (CA bundles, allowed hosts, short timeouts). */
  readonly env: Record<string, string>;
  /**
   * Options of the rotator factory besides `env`: the recording wire (`connect`, `createHttp`)
   * whose calls go through the recorder this function returns (one per case).
   */
  factoryOptions(recorder: () => CallRecorder): Record<string, unknown>;
  newSecret(client: SecretsManagerClient, options?: NewSecretOptions): Promise<ProofSecret>;
  /** Does the target accept this version right now? (a login, an authenticated call) */
  logsIn(value: Record<string, unknown>): Promise<boolean>;
  /**
   * What the target holds that it should not (e.g. a key no version holds). `strict`: after a clean
   * rotation, only what AWSCURRENT and AWSPREVIOUS hold may be left.
   */
  leftovers?(client: SecretsManagerClient, secret: ProofSecret, strict: boolean): Promise<string[]>;
  /** A working credential of another account on the same target (the key API's), for hostile input. */
  foreign?(): Promise<Record<string, unknown>>;
  /** Writes seen by the server itself (statement log, request log), when it has one. */
  readonly serverWrites?: ServerWriteCounter;
  /** Everything the target logged (PostgreSQL's statement log), for the leak scan. */
  serverLog?(): string;
}
