import { parseArgs } from 'node:util';
import { loadConfigFile } from '../../functions/config/load.ts';
import { runFaultInjection } from './run.ts';
import { verifyFaultRun } from './verify.ts';

/**
 * `npm run soak -- --events N [--seed S]`: the fault-injection run of the test suite at
 * any size. Prints the figures as JSON, then each violation, and exits 1 when there is one.
 */
const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    events: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '20260301' },
  },
  strict: true,
});
const events = Number(values.events);
const seed = Number(values.seed);
if (!Number.isInteger(events) || events < 20 || !Number.isInteger(seed)) {
  process.stderr.write('Usage: npm run soak -- --events <at least 20> [--seed <integer>]\n');
  process.exit(2);
}

// The repository's configuration contains the local secrets of the sources the workload sends as.
const run = await runFaultInjection(
  { events, seed, drainTimeoutMs: 600_000 },
  loadConfigFile('relay.config.json'),
);
try {
  const { report, violations } = verifyFaultRun(run);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  for (const violation of violations) process.stdout.write(`VIOLATION ${violation}\n`);
  process.exitCode = violations.length === 0 ? 0 : 1;
} finally {
  await run.close();
}
