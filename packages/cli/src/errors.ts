/** Bad usage: an unknown command or option, a missing or malformed argument. Exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    /** The command whose --help to point at. */
    readonly command?: string,
  ) {
    super(message);
  }
}

/** A failure the CLI itself describes; its message is built from ids and labels only, never a value. */
export class CliError extends Error {
  override readonly name: string = 'CliError';
}
