import { startSandbox, type Sandbox } from '../../sandbox/server.ts';
import { loadBenchConfig, recordTables } from '../lib/config.ts';
import { serveOperations } from '../lib/worker.ts';

/**
 * The sandbox instance in a process of its own, standing in for the ServiceNow instance,
 * which is another machine in production. It logs nothing, so the instance side costs
 * as little as it can and the relay is what limits the rate.
 */
const config = loadBenchConfig();
const silent = { info: () => {}, error: () => {} };
let sandbox: Sandbox | undefined;

serveOperations(
  {
    async start(): Promise<{ url: string }> {
      sandbox ??= await startSandbox({ port: 0, host: '127.0.0.1', config, logger: silent });
      return { url: sandbox.url };
    },
    /** Delays the response to every later SecOps API request by `delayMs`, as a remote instance does. */
    respondAfter(delayMs: number): void {
      if (sandbox === undefined) throw new Error('call start first');
      sandbox.faults.set({ mode: 'slow', delayMs });
    },
    /** Records stored in all tables so far. */
    count(): number {
      if (sandbox === undefined) throw new Error('call start first');
      return recordTables(config).reduce(
        (total, table) => total + sandbox!.records(table).length,
        0,
      );
    },
  },
  async () => {
    await sandbox?.close();
  },
);
