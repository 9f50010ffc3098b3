/**
 * Options that cannot start a sandbox: a host that is not a loopback address, two record
 * kinds configured on one resource, a malformed user, client or enrichment mapping.
 * The message names the option and the value to change.
 */
export class SandboxSetupError extends Error {
  readonly code: 'non_loopback_host' | 'ambiguous_resource' | 'invalid_option';

  constructor(code: SandboxSetupError['code'], message: string) {
    super(message);
    this.name = 'SandboxSetupError';
    this.code = code;
  }
}

/** A fault description that does not match the fault schema; the message names each invalid field. */
export class InvalidFaultError extends Error {
  readonly code = 'invalid_fault';

  /** One `field: problem` line per invalid field, such as `status: Invalid input`. */
  readonly issues: string[];

  constructor(issues: string[], options?: ErrorOptions) {
    super(`Invalid fault: ${issues.join('; ')}`, options);
    this.name = 'InvalidFaultError';
    this.issues = issues;
  }
}

/** A request body larger than MAX_BODY_BYTES; the server responds with 413. */
export class BodyTooLargeError extends Error {
  readonly code = 'body_too_large';

  constructor(readonly maxBytes: number) {
    super(`Request body exceeds ${maxBytes} bytes`);
    this.name = 'BodyTooLargeError';
  }
}
