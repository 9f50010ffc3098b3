/**
 * Every code the ingest function answers with, and its HTTP status. docs/errors.md lists
 * each one with its meaning, and a test keeps the two in step.
 */
export const INGEST_ERROR_STATUS = {
  malformed_request: 400,
  malformed_json: 400,
  duplicate_json_key: 400,
  json_too_deep: 400,
  forbidden_json_key: 400,
  invalid_delivery_id: 400,
  missing_credentials: 401,
  invalid_token: 401,
  invalid_signature: 401,
  invalid_timestamp: 401,
  unknown_source: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  record_too_large: 413,
  unsupported_media_type: 415,
  schema_validation_failed: 422,
  unsupported_payload: 422,
  internal_error: 500,
  source_unavailable: 503,
  queue_unavailable: 503,
} as const;

/** Stable code of an error the ingest function answers with. */
export type IngestErrorCode = keyof typeof INGEST_ERROR_STATUS;

export interface ErrorIssue {
  path: string;
  message: string;
}

/** An answer ingest gives instead of 202; safe to show to the sender. */
export class IngestError extends Error {
  readonly status: number;
  readonly code: IngestErrorCode;
  readonly issues?: ErrorIssue[];

  constructor(
    status: number,
    code: IngestErrorCode,
    message: string,
    options?: ErrorOptions & { issues?: ErrorIssue[] },
  ) {
    super(message, options);
    this.name = 'IngestError';
    this.status = status;
    this.code = code;
    this.issues = options?.issues;
  }
}
