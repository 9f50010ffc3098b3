import type { ServerResponse } from 'node:http';

/** A response body of `bytes` bytes that a test server writes in chunks as the client reads them. */
export interface StreamedBody {
  bytes: number;
  /** Sends Content-Length; without it the body is chunked. */
  declareLength: boolean;
  /** Text the body starts with, such as the start of a JSON error; filler `x` follows. */
  prefix?: string;
  /** `text/plain` unless set. */
  contentType?: string;
}

/** How far the server got with a streamed body before the connection closed or the body ended. */
export interface StreamOutcome {
  /** Bytes handed to the socket. */
  bytesWritten: number;
  /** False when the client closed the connection before the whole body was written. */
  complete: boolean;
}

/**
 * Writes the status line, headers and body, a chunk whenever the socket takes more, so the
 * server writes only as far ahead of the client as the loopback buffers allow. Settles when
 * the response closes, whether the body ended or the client closed the connection.
 */
export function streamBody(
  response: ServerResponse,
  status: number,
  body: StreamedBody,
): Promise<StreamOutcome> {
  return new Promise((resolve) => {
    const filler = Buffer.alloc(16 * 1024, 'x');
    const prefix = Buffer.from(body.prefix ?? '', 'utf8');
    let written = 0;
    response.on('close', () =>
      resolve({ bytesWritten: written, complete: response.writableFinished }),
    );
    response.writeHead(status, {
      'content-type': body.contentType ?? 'text/plain',
      ...(body.declareLength && { 'content-length': String(body.bytes) }),
    });
    const writeMore = () => {
      while (written < body.bytes) {
        const source = written < prefix.length ? prefix.subarray(written) : filler;
        const piece = source.subarray(0, Math.min(source.length, body.bytes - written));
        written += piece.length;
        if (!response.write(piece)) {
          response.once('drain', writeMore);
          return;
        }
      }
      response.end();
    };
    writeMore();
  });
}
