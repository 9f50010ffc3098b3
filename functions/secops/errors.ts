/**
 * Stable codes of SecOpsError, each with whether retrying the same request can succeed.
 * docs/errors.md lists them with the HTTP status and meaning; keep the two in step.
 */
export const SECOPS_ERROR_RETRYABLE = {
  /** The integration user lacks the role sn_sec_cmn.api_write (403, "Insufficient access"). */
  insufficient_access: false,
  /** Empty body, a body that is not a JSON object, or `{}` (400, "Invalid post body"). */
  invalid_post_body: false,
  /** None of the body's keys is a column of the table (400, "No fields supplied"). */
  no_fields_supplied: false,
  /** Mandatory columns are empty (400, "Mandatory fields missing: x,y,z"). */
  mandatory_fields_missing: false,
  /** The insert failed on the instance: a business rule, an unknown enrichment mapping (500). */
  unable_to_persist: false,
  /** The API's catch-all failure (500, "Unknown error", or a bare 500 with simple_response). */
  unknown_error: true,
  /** 401 even after the credentials were read again; a rotation may still be in progress. */
  unauthorized: true,
  /** 429; `retryAfterMs` is the instance's Retry-After. */
  rate_limited: true,
  /** Any other 5xx, as during an upgrade or a node restart. */
  server_error: true,
  /** No response within `instance.requestTimeoutMs`, or no time left before the deadline. */
  timeout: true,
  /** Connection refused, reset or closed before a response, or a failed name lookup. */
  connection_failed: true,
  /** A 2xx whose body is not JSON under another content type, typically a hibernating instance's HTML page. */
  not_json: true,
  /** Any response the relay cannot interpret: a redirect, an unexpected status, a 2xx failure body. */
  unexpected_response: true,
} as const satisfies Record<string, boolean>;

export type SecOpsErrorCode = keyof typeof SECOPS_ERROR_RETRYABLE;

/** Largest response body kept on an error, in bytes of UTF-8. */
export const MAX_ERROR_BODY_BYTES = 2048;

/** Status and start of the body of the instance's last response. */
export interface InstanceResponseSummary {
  status: number;
  /** At most MAX_ERROR_BODY_BYTES bytes of the body. */
  body: string;
}

export interface SecOpsErrorDetails {
  status?: number;
  retryAfterMs?: number;
  mandatoryFields?: string[];
  attempts?: number;
  lastResponse?: InstanceResponseSummary;
  cause?: unknown;
}

/**
 * A request to the SecOps Integration Capabilities API that failed. Callers branch on
 * `code` and `retryable`, never on the message, which is for people.
 */
export class SecOpsError extends Error {
  readonly code: SecOpsErrorCode;
  /** True when the same request may succeed later, so the record goes back to the queue. */
  readonly retryable: boolean;
  /** HTTP status of the instance's response, when there was one. */
  readonly status?: number;
  /** Time the instance asked the caller to wait (Retry-After), in milliseconds. */
  readonly retryAfterMs?: number;
  /** Column names the instance listed in "Mandatory fields missing: x,y,z". */
  readonly mandatoryFields?: string[];
  /** HTTP requests made for the record before this error was thrown; 0 when none started. */
  attempts: number;
  readonly lastResponse?: InstanceResponseSummary;

  constructor(code: SecOpsErrorCode, message: string, details: SecOpsErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'SecOpsError';
    this.code = code;
    this.retryable = SECOPS_ERROR_RETRYABLE[code];
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.mandatoryFields = details.mandatoryFields;
    this.attempts = details.attempts ?? 0;
    this.lastResponse = details.lastResponse;
  }
}

/** Maximum length of an instance message quoted in an error message, in characters. */
export const MAX_QUOTED_MESSAGE_CHARS = 300;

/**
 * Returns an instance's message cut to MAX_QUOTED_MESSAGE_CHARS for quoting. An instance or
 * a proxy can return a message of any size, and the quote goes into every log line and
 * dead letter of the record.
 */
export function quoteInstanceMessage(message: string): string {
  if (message.length <= MAX_QUOTED_MESSAGE_CHARS) return message;
  return `${message.slice(0, MAX_QUOTED_MESSAGE_CHARS).replace(/[\uD800-\uDBFF]$/, '')}…`;
}

export { REDACTED, redactCutSecrets, redactError, redactSecrets } from '../shared/redact.ts';

/** Cuts a response body to MAX_ERROR_BODY_BYTES of UTF-8 without splitting a character. */
export function truncateBody(body: string): string {
  const bytes = Buffer.from(body, 'utf8');
  if (bytes.length <= MAX_ERROR_BODY_BYTES) return body;
  // A cut inside a multi-byte character decodes to U+FFFD, which is dropped.
  return bytes
    .subarray(0, MAX_ERROR_BODY_BYTES)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
}
