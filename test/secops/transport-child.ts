import { nodeTransport } from '../../functions/secops/http.ts';

/**
 * Sends POSTs with nodeTransport in a process of its own, for the checks a test process
 * cannot make about itself: that nothing ends the process, and what keeps it alive after
 * the requests are done.
 *
 * Arguments: URL, time limit in milliseconds, body size in bytes, number of requests.
 * Prints one JSON line: each request's outcome and `process.getActiveResourcesInfo()`.
 */
const [url = '', timeoutMs = '1000', bodyBytes = '2', count = '1'] = process.argv.slice(2);

const outcomes: string[] = [];
for (let index = 0; index < Number(count); index += 1) {
  const outcome = await nodeTransport(new URL(url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: 'x'.repeat(Number(bodyBytes)),
    timeoutMs: Number(timeoutMs),
  }).then(
    (response) => `status ${response.status}`,
    (error: Error & { code?: string }) => `error ${error.name} ${error.code ?? ''}`.trim(),
  );
  outcomes.push(outcome);
}

// One turn of the event loop lets closed sockets and cleared timers leave the list.
await new Promise((resolve) => setImmediate(resolve));
console.log(JSON.stringify({ outcomes, resources: process.getActiveResourcesInfo() }));
