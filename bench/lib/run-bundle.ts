import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunnerResult, RunnerSpec } from '../workers/lambda-runner.ts';
import { writeJson } from './lambda-environment.ts';

export interface BundleRun extends RunnerResult {
  /** From spawning the process to its exit, in milliseconds. */
  processMs: number;
}

/** Runner processes still running, stopped when this process exits so none outlives a run. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill();
});

/** Most stderr kept from a runner, and its last warning and error log lines, to quote when it fails. */
const OUTPUT_TAIL_CHARS = 4000;
const KEPT_WARNINGS = 5;

/**
 * Returns the V8 heap flags Lambda's Node.js runtime starts node with for a function of
 * `memorySizeMb`: a tenth of the memory for the young generation, split in two
 * semi-spaces, and the rest for the old generation. V8 sizes its heap from these limits,
 * so without them a process on a large machine grows its heap far beyond what the same
 * function would in Lambda.
 */
export function lambdaHeapFlags(memorySizeMb: number): string[] {
  const newSpaceMb = Math.floor(memorySizeMb / 10);
  return [
    `--max-semi-space-size=${Math.floor(newSpaceMb / 2)}`,
    `--max-old-space-size=${memorySizeMb - newSpaceMb}`,
  ];
}

/**
 * Runs a bundle in a fresh `node` process through the Lambda runner, with only `env` as
 * its environment (as a Lambda execution environment has only its own) and the heap flags
 * Lambda gives a function of `memorySizeMb`, and returns what the runner measured. Throws
 * when the process fails or any event's result was not the expected one, so a figure
 * never comes from a broken run.
 */
export async function runBundle(
  runner: string,
  workDirectory: string,
  spec: Omit<RunnerSpec, 'result'>,
  env: Record<string, string>,
  memorySizeMb: number,
): Promise<BundleRun> {
  const id = `${Date.now()}-${Math.random().toString(16).slice(2)}`;
  const specFile = join(workDirectory, `spec-${id}.json`);
  const resultFile = join(workDirectory, `result-${id}.json`);
  await writeJson(specFile, { ...spec, result: resultFile } satisfies RunnerSpec);

  const started = performance.now();
  // The function's own log lines (stdout) are kept only to explain a failed run.
  const child = spawn(process.execPath, [...lambdaHeapFlags(memorySizeMb), runner, specFile], {
    env: { ...env, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memorySizeMb) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const warnings: string[] = [];
  let partialLine = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (partialLine + chunk.toString('utf8')).split('\n');
    partialLine = lines.pop() ?? '';
    for (const line of lines) {
      if (!/"level":"(WARN|ERROR|CRITICAL)"/.test(line)) continue;
      warnings.push(line.slice(0, 1000));
      if (warnings.length > KEPT_WARNINGS) warnings.shift();
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  });
  running.add(child);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  }).finally(() => running.delete(child));
  const processMs = performance.now() - started;
  if (code !== 0) {
    throw new Error(`Running ${spec.bundle} failed with exit code ${code}:\n${stderr}`);
  }

  const result = JSON.parse(await readFile(resultFile, 'utf8')) as RunnerResult;
  if (result.failures > 0) {
    throw new Error(
      `${spec.functionName} failed ${result.failures} of ${result.handled} events; first results: ` +
        `${result.failureSamples.join('\n')}\nIts last warnings and errors:\n${warnings.join('\n')}\n${stderr}`,
    );
  }
  return { ...result, processMs };
}
