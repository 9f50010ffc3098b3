import { STATUS_CODES } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { SandboxFault } from './faults.ts';
import { platformError, RESET, type Outcome } from './http.ts';

/** sys_id reported in X-RateLimit-Rule, standing in for a rule of the sysratelimitrules table. */
const RATE_LIMIT_RULE_ID = '7a1f0c5e9b3d4e2a8c6b0d1e3f5a7c9b';

/**
 * The page a hibernating developer instance serves with status 200 in place of any API
 * response. The wording follows the real page; styling and images are left out.
 */
export const HIBERNATION_PAGE = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Instance Hibernating page</title>
</head>
<body>
<div class="instance-hibernating-page">
<h1>Your instance is hibernating</h1>
<p class="information">Sign in to the developer site to wake your instance</p>
<a href="https://developer.servicenow.com/dev.do">Sign in</a>
</div>
</body>
</html>
`;

/**
 * Responds to a request the way the fault dictates, before authentication, as the platform
 * would. Returns undefined when the request goes on to the API: after the delay of a
 * `slow` fault, and for `persist_failure` and `unknown_error`, which the API raises itself.
 * A `slow` delay cut short by `signal` (the sandbox closing) resets the connection.
 */
export async function replyToFault(
  fault: SandboxFault,
  now: () => Date,
  signal: AbortSignal,
): Promise<Outcome | undefined> {
  switch (fault.mode) {
    case 'rate_limit': {
      const resetAt = Math.ceil(now().getTime() / 1000) + fault.retryAfterSeconds;
      return {
        status: 429,
        json: platformError(
          'Rate limit exceeded',
          `Too many requests for this user; retry after ${fault.retryAfterSeconds} seconds`,
        ),
        headers: {
          'retry-after': String(fault.retryAfterSeconds),
          'x-ratelimit-reset': String(resetAt),
          'x-ratelimit-rule': RATE_LIMIT_RULE_ID,
        },
      };
    }
    case 'server_error':
      return {
        status: fault.status,
        json: platformError(
          STATUS_CODES[fault.status] ?? 'Server Error',
          'The instance cannot handle the request now; try again later',
        ),
      };
    case 'slow':
      try {
        await delay(fault.delayMs, undefined, { signal });
      } catch {
        return RESET;
      }
      return undefined;
    case 'reset':
      return RESET;
    case 'html':
      return { status: 200, html: HIBERNATION_PAGE };
    case 'persist_failure':
    case 'unknown_error':
      return undefined;
  }
}
