/**
 * What the proof harness talks about: external calls, faults, rotators under proof and their
 * local targets. The harness itself (recorder.ts, retryingService.ts, …) knows nothing of any one
 * rotator; registry.ts finds the rotators and targets.ts gives each its target.
 */
import type { Step } from '../rotationService.ts';

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
  override?: (
    value: Record<string, unknown>,
  ) => Record<string, unknown> | string | Promise<Record<string, unknown> | string>;
}
