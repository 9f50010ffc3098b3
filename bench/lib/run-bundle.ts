import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunnerResult, RunnerSpec } from '../workers/lambda-runner.ts';
import { writeJson } from './lambda-environment.ts';

export interface BundleRun extends RunnerResult {
  /** From spawning the process to its exit, in milliseconds. */
  processMs: number;
}

/** Most stderr kept from a runner, to quote when it fails. */
const STDERR_TAIL_CHARS = 4000;

/**
 * Runs a bundle in a fresh `node` process through the Lambda runner, with only `env` as
 * its environment (as a Lambda execution environment has only its own), and returns what
 * the runner measured. Throws when the process fails or any event's result was not the
 * expected one, so a figure never comes from a broken run.
 */
export async function runBundle(
  runner: string,
  workDirectory: string,
  spec: Omit<RunnerSpec, 'result'>,
  env: Record<string, string>,
): Promise<BundleRun> {
  const id = `${Date.now()}-${Math.random().toString(16).slice(2)}`;
  const specFile = join(workDirectory, `spec-${id}.json`);
  const resultFile = join(workDirectory, `result-${id}.json`);
  await writeJson(specFile, { ...spec, result: resultFile } satisfies RunnerSpec);

  const started = performance.now();
  const child = spawn(process.execPath, [runner, specFile], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  const processMs = performance.now() - started;
  if (code !== 0) {
    throw new Error(`Running ${spec.bundle} failed with exit code ${code}:\n${stderr}`);
  }

  const result = JSON.parse(await readFile(resultFile, 'utf8')) as RunnerResult;
  if (result.failures > 0) {
    throw new Error(
      `${spec.functionName} failed ${result.failures} of ${result.handled} events; first results: ` +
        result.failureSamples.join('\n'),
    );
  }
  return { ...result, processMs };
}
