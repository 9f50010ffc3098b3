import type { Exchange } from './http.ts';

/** One request the SecOps API or the OAuth endpoint received; credentials are never kept. */
export interface RecordedRequest {
  method: string;
  path: string;
  /** Query parameters; a repeated name keeps its last value. */
  query: Record<string, string>;
  /** Arrival time, ISO 8601. */
  timestamp: string;
  /** Response status, or null when the connection closed without a response. */
  status: number | null;
  /** Authenticated user name, when authentication succeeded. */
  user?: string;
  /** Mode of the fault that applied to the request. */
  fault?: string;
}

// Query parameters are not a place for credentials, but a confused caller may put them there.
const SECRET_PARAMETER = /pass|secret|token|auth|key/i;

/** Requests in arrival order, each completed when its response is sent or its connection closes. */
export class RequestLog {
  private readonly entries: RecordedRequest[] = [];

  /** Records an arriving request. Call the returned function with the response status. */
  start(exchange: Exchange, arrivedAt: Date): (status: number | null) => void {
    const query: Record<string, string> = {};
    for (const [name, value] of exchange.query) {
      query[name] = SECRET_PARAMETER.test(name) ? '[redacted]' : value;
    }
    const entry: RecordedRequest = {
      method: exchange.method,
      path: exchange.path,
      query,
      timestamp: arrivedAt.toISOString(),
      status: null,
    };
    this.entries.push(entry);

    return (status) => {
      entry.status = status;
      if (exchange.user !== undefined) entry.user = exchange.user;
      if (exchange.fault !== undefined) entry.fault = exchange.fault;
    };
  }

  list(): RecordedRequest[] {
    return structuredClone(this.entries);
  }
}
