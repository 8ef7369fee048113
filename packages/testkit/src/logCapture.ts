/**
 * The log-leak guard. Everything written to stdout/stderr in a test file (the handler's JSON logs,
 * a zip's child-process output) is captured; every secret value the tests generate or read is
 * remembered; at the end of the file no remembered value may appear in what was captured.
 */

import { format } from 'node:util';

const SENSITIVE_KEY = /pass(word)?|api_?key|^key$|secret|token|private/i;
const MIN_SECRET_LENGTH = 8;

const remembered = new Set<string>();
const captured: string[] = [];
let installed = false;

export function rememberSecret(value: string | undefined): void {
  if (value && value.length >= MIN_SECRET_LENGTH) remembered.add(value);
}

/** Remember every string under a sensitive-looking key of a SecretString. */
export function rememberSecretJson(secretString: string | undefined): void {
  if (!secretString) return;
  try {
    visit(JSON.parse(secretString));
  } catch {
    rememberSecret(secretString);
  }
}

function visit(node: unknown): void {
  if (!node || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if (typeof value === 'string' && SENSITIVE_KEY.test(key)) rememberSecret(value);
    else visit(value);
  }
}

export function rememberedSecretCount(): number {
  return remembered.size;
}

/** Add output that did not pass through this process's streams (a child process). */
export function appendCapturedOutput(text: string): void {
  captured.push(text);
}

export function capturedOutput(): string {
  return captured.join('');
}

/** Leaks described without the value itself, so a failing guard does not leak in turn. */
export function findLeaks(text: string = capturedOutput()): string[] {
  const leaks: string[] = [];
  let index = 0;
  for (const secret of remembered) {
    index += 1;
    // Also as it appears inside JSON (a quote or backslash in the value is escaped there).
    if (text.includes(secret) || text.includes(JSON.stringify(secret).slice(1, -1)))
      leaks.push(`remembered secret #${index} (${secret.length} characters) appears in captured output`);
  }
  return leaks;
}

/**
 * Route this process's stdout/stderr through the capture. Output is still shown when
 * ROTATORS_SHOW_LOGS=1; otherwise the handler's JSON lines are kept out of the test report.
 */
export function installLogCapture(): void {
  if (installed) return;
  installed = true;
  // The test runner routes console.* around process.stdout, so those calls are captured here.
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]) => {
      captured.push(`${format(...args)}\n`);
      original(...args);
    };
  }
  const show = process.env.ROTATORS_SHOW_LOGS === '1';
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      if (show) return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
      const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof stream.write;
  }
}
