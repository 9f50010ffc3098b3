/** Stable codes of the errors the ingest function answers with; docs/errors.md lists each one. */
export type IngestErrorCode =
  | 'malformed_request'
  | 'malformed_json'
  | 'duplicate_json_key'
  | 'json_too_deep'
  | 'forbidden_json_key'
  | 'missing_credentials'
  | 'invalid_token'
  | 'invalid_signature'
  | 'invalid_timestamp'
  | 'unknown_source'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'record_too_large'
  | 'unsupported_media_type'
  | 'schema_validation_failed'
  | 'unsupported_payload'
  | 'source_unavailable'
  | 'queue_unavailable'
  | 'internal_error';

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
