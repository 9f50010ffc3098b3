import type { SecOpsError } from './errors.ts';
import type { InstanceResponse, Transport } from './http.ts';
import { hasOtherTypeThanJson, NOT_JSON, parseJson } from './responses.ts';
import { parseRetryAfter } from './retry.ts';

export type CircuitState = 'closed' | 'open' | 'half_open';

export interface CircuitBreakerOptions {
  /** Consecutive failed requests that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before a probe, in milliseconds; doubles per failed probe. */
  coolDownMs: number;
  /** Maximum time the circuit stays open, in milliseconds. */
  maxCoolDownMs: number;
  /** Clock in epoch milliseconds. */
  now?: () => number;
  /** Called on every change of state, for logging. */
  onStateChange?: (change: CircuitStateChange) => void;
}

export interface CircuitStateChange {
  from: CircuitState;
  to: CircuitState;
  /** Why the circuit opened: `failures`, `probe_failed` or the reason given to `trip`. */
  reason?: string;
  /** Milliseconds until the next probe, when the circuit opened. */
  openForMs?: number;
}

/** Why the breaker rejected a request: the circuit is open, or half open with its one probe still out. */
export type CircuitRejection =
  | { state: 'open'; retryAfterMs: number; reason: string; failureThreshold: number }
  | { state: 'half_open'; retryAfterMs: number };

/** Rejection of a request because the instance's circuit is open or probing, so no request was sent. */
export class CircuitOpenError extends Error {
  readonly code = 'circuit_open';
  /**
   * Milliseconds until a request may go out: the rest of the cool-down while open, or one
   * cool-down while a probe is out, although that probe's outcome decides.
   */
  readonly retryAfterMs: number;
  /** The circuit's state: `open`, or `half_open` while its one probe has no response yet. */
  readonly state: CircuitRejection['state'];
  /**
   * The failure of this record's own earlier request in the same call, when it had one
   * before the circuit refused the retry, so an operator reads what the instance returned.
   */
  recordFailure?: SecOpsError;

  constructor(rejection: CircuitRejection) {
    super(
      rejection.state === 'half_open'
        ? 'the circuit to the instance is half open and its probe request has no response ' +
            'yet, so no request was sent. Requests resume when the probe succeeds, and the ' +
            'circuit opens again if it fails'
        : `the circuit to the instance is open because ${openCause(rejection)}, so no request ` +
            `was sent. The next probe may go out in ${rejection.retryAfterMs} ms`,
    );
    this.name = 'CircuitOpenError';
    this.retryAfterMs = rejection.retryAfterMs;
    this.state = rejection.state;
  }
}

function openCause(rejection: Extract<CircuitRejection, { state: 'open' }>): string {
  if (rejection.reason === 'failures')
    return `${rejection.failureThreshold} requests in a row failed`;
  if (rejection.reason === 'probe_failed') return 'its last probe failed';
  return `it was tripped (${rejection.reason})`;
}

/** The right to send one request. Only the first outcome reported counts. */
export interface CircuitPermit {
  /** The instance responded normally (2xx, or a 4xx about the request itself). */
  success(): void;
  /** The instance failed: 429, 5xx, the hibernation page, or no response. */
  failure(retryAfterMs?: number): void;
  /** A response that says nothing about the instance's health, such as 401. */
  neutral(): void;
}

/**
 * A circuit breaker for one instance. Closed, it lets every request through and counts
 * consecutive failures. At `failureThreshold` it opens and refuses requests for the
 * cool-down, or for the instance's Retry-After when that is longer. Then it is half open
 * and lets one probe through at a time: a success closes it, a failure opens it again for
 * twice as long, up to `maxCoolDownMs`.
 *
 * @example
 * const breaker = new CircuitBreaker({ failureThreshold: 5, coolDownMs: 10_000, maxCoolDownMs: 300_000 });
 * const client = new SecOpsClient({ config, credentials, transport: guardTransport(nodeTransport, breaker) });
 */
export class CircuitBreaker {
  readonly #options: CircuitBreakerOptions;
  readonly #now: () => number;
  #state: CircuitState = 'closed';
  #consecutiveFailures = 0;
  #coolDownMs: number;
  #openUntil = 0;
  #probeInFlight = false;
  /** Why the circuit last opened: `failures`, `probe_failed` or the reason given to `trip`. */
  #openReason = '';
  /** Times the circuit opened. */
  opened = 0;
  /** Requests refused while the circuit was open. */
  refused = 0;

  constructor(options: CircuitBreakerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#coolDownMs = options.coolDownMs;
  }

  get state(): CircuitState {
    if (this.#state === 'open' && this.#now() >= this.#openUntil) this.#change('half_open');
    return this.#state;
  }

  /**
   * Milliseconds until a request may go out: the rest of the cool-down while open, one
   * cool-down while a probe is out (its outcome decides), and 0 when closed.
   */
  waitMs(): number {
    const state = this.state;
    if (state === 'open') return Math.max(0, this.#openUntil - this.#now());
    if (state === 'half_open' && this.#probeInFlight) return this.#coolDownMs;
    return 0;
  }

  /** Takes a permit for one request, or throws CircuitOpenError when none may go out now. */
  acquire(): CircuitPermit {
    const state = this.state;
    if (state === 'open') {
      this.refused += 1;
      throw new CircuitOpenError({
        state,
        retryAfterMs: this.waitMs(),
        reason: this.#openReason,
        failureThreshold: this.#options.failureThreshold,
      });
    }
    if (state === 'half_open' && this.#probeInFlight) {
      this.refused += 1;
      throw new CircuitOpenError({ state, retryAfterMs: this.waitMs() });
    }
    const probe = state === 'half_open';
    if (probe) this.#probeInFlight = true;

    let reported = false;
    const report = (outcome: () => void) => {
      if (reported) return;
      reported = true;
      if (probe) this.#probeInFlight = false;
      outcome();
    };
    return {
      success: () => report(() => this.#succeeded(probe)),
      failure: (retryAfterMs) => report(() => this.#failed(probe, retryAfterMs)),
      neutral: () => report(() => {}),
    };
  }

  /**
   * Opens the circuit at once, for failures the caller recognizes itself, such as
   * credentials the instance keeps rejecting after they were read again.
   */
  trip(reason: string): void {
    this.#open(this.#state === 'half_open', reason);
  }

  #succeeded(probe: boolean): void {
    this.#consecutiveFailures = 0;
    // A late answer to a request sent before the circuit opened does not close it.
    if (probe && this.#state === 'half_open') {
      this.#coolDownMs = this.#options.coolDownMs;
      this.#change('closed');
    }
  }

  #failed(probe: boolean, retryAfterMs: number | undefined): void {
    if (probe) {
      this.#open(true, 'probe_failed', retryAfterMs);
      return;
    }
    if (this.#state !== 'closed') return;
    this.#consecutiveFailures += 1;
    if (this.#consecutiveFailures >= this.#options.failureThreshold) {
      this.#open(false, 'failures', retryAfterMs);
    }
  }

  #open(afterProbe: boolean, reason: string, retryAfterMs = 0): void {
    this.#coolDownMs = afterProbe
      ? Math.min(this.#options.maxCoolDownMs, this.#coolDownMs * 2)
      : this.#options.coolDownMs;
    const openForMs = Math.max(
      this.#coolDownMs,
      Math.min(retryAfterMs, this.#options.maxCoolDownMs),
    );
    this.#openUntil = Math.max(this.#openUntil, this.#now() + openForMs);
    this.#consecutiveFailures = 0;
    if (this.#state === 'open') return;
    this.#openReason = reason;
    this.opened += 1;
    this.#change('open', reason, this.#openUntil - this.#now());
  }

  #change(to: CircuitState, reason?: string, openForMs?: number): void {
    const from = this.#state;
    this.#state = to;
    this.#options.onStateChange?.({ from, to, reason, openForMs });
  }
}

/**
 * Wraps a transport so that every request to the instance goes through the breaker. A 429, a
 * 5xx, a 2xx page that is not JSON (a hibernating instance) and a request that failed
 * without a response count as failures. A 401 counts as neither, because it is about the
 * credentials. While the circuit is open the wrapper throws CircuitOpenError and sends nothing.
 */
export function guardTransport(
  transport: Transport,
  breaker: CircuitBreaker,
  now: () => number = Date.now,
): Transport {
  return async (url, request) => {
    const permit = breaker.acquire();
    let response: InstanceResponse;
    try {
      response = await transport(url, request);
    } catch (error) {
      permit.failure();
      throw error;
    }
    const status = response.status;
    if (status === 429 || status >= 500) {
      permit.failure(parseRetryAfter(response.headers.get('retry-after'), now()));
    } else if (status >= 200 && status < 300 && isNotJsonPage(response)) {
      permit.failure();
    } else if (status === 401) {
      permit.neutral();
    } else {
      permit.success();
    }
    return response;
  };
}

/**
 * True for a 2xx body that the client treats as the hibernation page (`not_json`): not JSON,
 * under a content type other than JSON. The breaker and the client must agree, so that a
 * response the client retries also counts against the instance.
 */
function isNotJsonPage(response: InstanceResponse): boolean {
  return hasOtherTypeThanJson(response) && parseJson(response.body) === NOT_JSON;
}
