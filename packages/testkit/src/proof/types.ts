/**
 * What the proof harness talks about: external calls, faults, rotators under proof and their
 * local targets. The harness itself (recorder.ts, retryingService.ts, …) knows nothing of any one
 * rotator; registry.ts finds the rotators and targets.ts gives each its target.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Step } from '../rotationService.ts';
import type { CallRecorder } from './recorder.ts';

/** Where an external call goes. */
export type Channel = 'secretsmanager' | 'sql' | 'http';

/** One external call a rotation made, in order. `label` never holds a value (literals redacted). */
export interface CallRecord {
  index: number;
  channel: Channel;
  /** The step whose invocation made the call. */
  step?: Step;
  label: string;
  /** A call that changes something (PutSecretValue, UpdateSecretVersionStage, DDL/DCL/DML, POST/PUT/DELETE). */
  write: boolean;
}

/**
 * error    the call fails before it takes effect;
 * timeout  the call takes effect, then its answer never arrives in time (the caller sees a timeout
 *          or a dropped connection);
 * crash    the call takes effect, then the process dies: nothing else happens in that invocation.
 */
export type FaultKind = 'error' | 'timeout' | 'crash';
export const FAULT_KINDS: readonly FaultKind[] = ['error', 'timeout', 'crash'];

/** What a rotator rotates against in the proof (matched by name, as the bench does). */
export type TargetKind = 'none' | 'postgres' | 'mysql' | 'key-api';

/** How clients are expected to fare while the rotator works. */
export type Strategy = 'no target' | 'single user' | 'alternating users' | 'api key';

/** A secret version as the proof reads it (the parsed SecretString and its id). */
export interface VersionValue {
  versionId: string;
  value: Record<string, unknown>;
}

/** A fresh secret on the target, ready to rotate. */
export interface ProofSecret {
  secretId: string;
  /** Real names on the target → the role they play ("app", "app_clone", "master"), for call labels. */
  aliases: Record<string, string>;
  /** For the key API: the account whose keys this secret rotates. */
  accountId?: string;
}

/** Options for a new secret: a name prefix (unique per case) and overrides of the secret JSON. */
export interface NewSecretOptions {
  /** Replace fields of the secret JSON the fixture would write (hostile input). */
  override?: (value: Record<string, unknown>) => Record<string, unknown> | string | Promise<Record<string, unknown> | string>;
}

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
