import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { bundleWorker } from './bundle.ts';
import { REPO_ROOT } from './config.ts';

/**
 * Runs a benchmark worker: a TypeScript module under bench/workers/ in its own Node
 * process (through tsx, or bundled as the deploy bundles the functions), so each
 * measurement gets a fresh heap and its own core, and the JSON logs the functions write go
 * to /dev/null instead of the report. The parent calls the worker's named operations over
 * the IPC channel.
 */

interface Request {
  id: number;
  operation: string;
  input: unknown;
}

type Reply = { id: number; ok: true; output: unknown } | { id: number; ok: false; error: string };

/** Most stderr kept from a worker, to quote when it fails. */
const STDERR_TAIL_CHARS = 4000;

export class Worker {
  readonly #child: ChildProcess;
  readonly #pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  #nextId = 1;
  #stderr = '';
  #exited: Promise<number | null>;

  /**
   * Starts `bench/workers/<name>.ts` through tsx, or `bundle`, its bundle from
   * `bundleWorker`, with plain node. `env` is added to this process's environment.
   */
  constructor(
    readonly name: string,
    env: Record<string, string> = {},
    bundle?: string,
  ) {
    const module = bundle ?? fileURLToPath(new URL(`../workers/${name}.ts`, import.meta.url));
    this.#child = fork(module, [], {
      execArgv: bundle === undefined ? ['--import', 'tsx'] : [],
      env: { ...process.env, SECOPS_RELAY_BENCH_ROOT: REPO_ROOT, ...env },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.#child.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
    });
    this.#child.on('message', (reply: Reply) => {
      const pending = this.#pending.get(reply.id);
      if (pending === undefined) return;
      this.#pending.delete(reply.id);
      if (reply.ok) pending.resolve(reply.output);
      else pending.reject(new Error(`Worker ${name} failed: ${reply.error}`));
    });
    this.#exited = new Promise((resolve) => {
      this.#child.once('exit', (code) => {
        for (const pending of this.#pending.values()) {
          pending.reject(
            new Error(
              `Worker ${name} exited with code ${code} before it replied.\n${this.#stderr}`,
            ),
          );
        }
        this.#pending.clear();
        resolve(code);
      });
    });
  }

  /** Calls an operation of the worker and returns its output. */
  call<Output>(operation: string, input: unknown = {}): Promise<Output> {
    const id = this.#nextId++;
    return new Promise<Output>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#child.send({ id, operation, input } satisfies Request);
    });
  }

  /** Disconnects the worker, which ends it, and waits until it has exited. */
  async stop(): Promise<void> {
    if (this.#child.connected) this.#child.disconnect();
    await this.#exited;
  }
}

/**
 * Starts a worker that measures the functions: bundled with the deploy's esbuild options
 * and run with plain node, so the figures are those of the code the deploy ships.
 */
export async function startDeployedWorker(
  name: string,
  env: Record<string, string> = {},
): Promise<Worker> {
  return new Worker(name, env, await bundleWorker(name));
}

/** Runs one operation in a new worker and stops the worker afterwards. */
export async function runWorker<Output>(
  name: string,
  operation: string,
  input: unknown = {},
  env: Record<string, string> = {},
): Promise<Output> {
  const worker = await startDeployedWorker(name, env);
  try {
    return await worker.call<Output>(operation, input);
  } finally {
    await worker.stop();
  }
}

/**
 * Serves a worker's operations (the worker side of Worker). Operations run one at a time,
 * in the order they arrive; the process ends when the parent disconnects.
 */
export function serveOperations(
  operations: Record<string, (input: never) => Promise<unknown> | unknown>,
  onStop?: () => Promise<void>,
): void {
  if (process.send === undefined) {
    throw new Error('A benchmark worker runs only as a child of bench/run.ts (npm run bench).');
  }
  let queue = Promise.resolve();
  process.on('message', (request: Request) => {
    queue = queue.then(async () => {
      const operation = operations[request.operation];
      let reply: Reply;
      try {
        if (operation === undefined) throw new Error(`unknown operation "${request.operation}"`);
        reply = { id: request.id, ok: true, output: await operation(request.input as never) };
      } catch (error) {
        reply = { id: request.id, ok: false, error: (error as Error).stack ?? String(error) };
      }
      process.send!(reply);
    });
  });
  process.once('disconnect', () => {
    void queue.then(() => onStop?.()).finally(() => process.exit(0));
  });
}
