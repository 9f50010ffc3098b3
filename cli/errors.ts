/** A problem with the command line or its inputs; printed without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * A command line that does not fit one command's usage, such as an unknown option or a
 * missing argument. The CLI prints the message, then the usage of that command only.
 */
export class UsageError extends CliError {
  constructor(
    readonly command: 'send' | 'dlq' | 'pull',
    message: string,
  ) {
    super(message, 2);
    this.name = 'UsageError';
  }
}
