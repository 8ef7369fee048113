/** Where the CLI writes and what it reads from its surroundings; tests pass their own. */
export interface CliIo {
  /** stdout: the report (tables, or one JSON document with --json). */
  out(text: string): void;
  /** stderr: progress, notes and errors. */
  err(text: string): void;
  /** stderr is a terminal: the progress line is redrawn in place. */
  errIsTty: boolean;
  env: Record<string, string | undefined>;
  now(): Date;
}

export function processIo(): CliIo {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    errIsTty: Boolean(process.stderr.isTTY),
    env: process.env,
    now: () => new Date(),
  };
}
