import dns, { type LookupAddress, type LookupOptions } from 'node:dns';
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { localContext } from '../../local/lambda-context.ts';

/**
 * Plays the Lambda runtime for one bundle in a fresh, plain Node process (no tsx): it
 * imports the bundle, hands it events one after another and writes what it measured to
 * a JSON file. esbuild bundles this file into a plain script; see bench/lib/bundle.ts.
 *
 * Usage: node runner.mjs <spec.json>
 */

export interface RunnerSpec {
  bundle: string;
  /** JSON file holding an array of events, handed out in turn. */
  events: string;
  functionName: string;
  timeoutMs: number;
  /** How a successful result looks: an HTTP 2xx status, an empty batch failure list, or anything. */
  expect: 'http-2xx' | 'no-batch-failures' | 'anything';
  /** After the first event, keep handling events for this long, in milliseconds; 0 stops after one. */
  sustainMs: number;
  result: string;
  /**
   * Host names the process may resolve, with their loopback addresses. Every other name
   * fails to resolve, so the function under test can reach nothing but loopback.
   */
  hosts: Record<string, string>;
}

export interface RunnerResult {
  /** From process start to just before the import, in milliseconds: Node's own start-up. */
  startupMs: number;
  importMs: number;
  firstEventMs: number;
  handled: number;
  /** Events whose result did not look like `expect`. */
  failures: number;
  /** The first few failed results, shortened. */
  failureSamples: string[];
  /** Peak resident set size of the process, in kilobytes; see peakRssKb. */
  maxRssKb: number;
}

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

/**
 * Reads the peak resident set size from VmHWM in /proc/self/status, which Linux keeps per
 * address space. getrusage's maxRSS is no use here: Linux carries it across execve, so a
 * process spawned by a large parent reports the parent's size. Elsewhere it falls back to
 * the largest RSS sampled after each event.
 */
function peakRssKb(sampledKb: number): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match !== null) return Number(match[1]);
  } catch {
    // Not Linux: the sampled value is the best there is.
  }
  return sampledKb;
}

function failure(result: unknown, expect: RunnerSpec['expect']): string | undefined {
  if (expect === 'anything') return undefined;
  const value = result as { statusCode?: number; batchItemFailures?: unknown[] } | undefined;
  if (expect === 'http-2xx') {
    const status = value?.statusCode ?? 0;
    return status >= 200 && status < 300 ? undefined : JSON.stringify(result).slice(0, 500);
  }
  return value?.batchItemFailures?.length === 0 ? undefined : JSON.stringify(result).slice(0, 500);
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * Replaces dns.lookup, which net and tls call at connect time, with a table of loopback
 * names. The deployed forwarder calls only https host names (never an IP address), so the
 * instance needs a name; this gives it one without touching DNS or /etc/hosts.
 */
function resolveOnlyFrom(hosts: Record<string, string>): void {
  const lookup = (
    hostname: string,
    options: LookupOptions | number | LookupCallback,
    callback?: LookupCallback,
  ) => {
    const done = (typeof options === 'function' ? options : callback)!;
    const all = typeof options === 'object' && options.all === true;
    const address = hosts[hostname.toLowerCase()];
    process.nextTick(() => {
      if (address === undefined) {
        const error: NodeJS.ErrnoException = new Error(
          `getaddrinfo ENOTFOUND ${hostname} (the benchmark resolves only its loopback names)`,
        );
        error.code = 'ENOTFOUND';
        done(error, all ? [] : '');
      } else if (all) {
        done(null, [{ address, family: 4 }]);
      } else {
        done(null, address, 4);
      }
    });
  };
  (dns as { lookup: unknown }).lookup = lookup;
}

const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as RunnerSpec;
resolveOnlyFrom(spec.hosts);
const events = JSON.parse(readFileSync(spec.events, 'utf8')) as unknown[];
const failureSamples: string[] = [];
let failures = 0;
let sampledRssKb = 0;
const invoke = async (event: unknown) => {
  const outcome = await handler(event, localContext(spec.functionName, spec.timeoutMs));
  sampledRssKb = Math.max(sampledRssKb, process.memoryUsage.rss() / 1024);
  const problem = failure(outcome, spec.expect);
  if (problem === undefined) return;
  failures += 1;
  if (failureSamples.length < 3) failureSamples.push(problem);
};

const beforeImport = performance.now();
const { handler } = (await import(pathToFileURL(spec.bundle).href)) as { handler: Handler };
const imported = performance.now();
await invoke(events[0]);
const firstDone = performance.now();

let handled = 1;
while (performance.now() - firstDone < spec.sustainMs) {
  // Lambda's runtime fetches the next event over HTTP, so the event loop turns between
  // invocations and callbacks queued by the last one (stream writes among them) run.
  await new Promise(setImmediate);
  await invoke(events[handled % events.length]);
  handled += 1;
}

const result: RunnerResult = {
  startupMs: beforeImport,
  importMs: imported - beforeImport,
  firstEventMs: firstDone - imported,
  handled,
  failures,
  failureSamples,
  maxRssKb: peakRssKb(sampledRssKb),
};
writeFileSync(spec.result, JSON.stringify(result));
// The SDK's and fetch's keep-alive sockets would hold the process open.
process.exit(0);
