/**
 * Waiting for the machine to be quiet before a timing that is a few tens of milliseconds: starting
 * the database servers and moto leaves them busy for a while (buffer pools, checkpoints, the first
 * imports), and a module load measured then carries that. Linux only (/proc/stat); elsewhere the
 * bench does not wait and says so.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface QuietOptions {
  /** Fraction of all CPUs' time that must be idle in a sample (default 0.9). */
  idle?: number;
  /** Samples in a row that must be that idle (default 3). */
  samples?: number;
  sampleMs?: number;
  timeoutMs?: number;
  /** The text of /proc/stat now, or undefined where there is none (tests give their own). */
  readStat?: () => string | undefined;
}

export interface QuietResult {
  /** Whether the machine was quiet when the wait ended (false: timed out, or no /proc/stat). */
  quiet: boolean;
  waitedMs: number;
  /** The idle fraction of the last sample; undefined without /proc/stat. */
  lastIdle?: number;
}

/** Idle and total CPU time, summed over all CPUs, from the first line of /proc/stat. */
export function cpuTimes(stat: string): { idle: number; total: number } {
  const fields = /^cpu\s+(.*)$/m.exec(stat)?.[1]?.trim().split(/\s+/).map(Number);
  if (!fields || fields.length < 5 || fields.some(Number.isNaN)) throw new Error('unreadable /proc/stat');
  // user nice system idle iowait irq softirq steal (guest time is already in user).
  const counted = fields.slice(0, 8);
  return { idle: counted[3]! + counted[4]!, total: counted.reduce((sum, value) => sum + value, 0) };
}

function procStat(): string | undefined {
  try {
    return readFileSync('/proc/stat', 'utf8');
  } catch {
    return undefined;
  }
}

export async function waitForQuiet(options: QuietOptions = {}): Promise<QuietResult> {
  const { idle = 0.9, samples = 3, sampleMs = 1000, timeoutMs = 120_000, readStat = procStat } = options;
  const started = Date.now();
  let before = readStat();
  if (before === undefined) return { quiet: false, waitedMs: 0 };
  let inARow = 0;
  let lastIdle: number | undefined;
  while (Date.now() - started < timeoutMs) {
    await sleep(sampleMs);
    const after = readStat()!;
    const [a, b] = [cpuTimes(before), cpuTimes(after)];
    before = after;
    const total = b.total - a.total;
    lastIdle = total > 0 ? (b.idle - a.idle) / total : 1;
    inARow = lastIdle >= idle ? inARow + 1 : 0;
    if (inARow >= samples) return { quiet: true, waitedMs: Date.now() - started, lastIdle };
  }
  return { quiet: false, waitedMs: Date.now() - started, lastIdle };
}
