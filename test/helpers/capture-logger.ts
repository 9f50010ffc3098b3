import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { Logger } from '@aws-lambda-powertools/logger';

/** A Powertools logger whose JSON lines are kept in memory, so tests can read what was logged. */
export function captureLogger(serviceName = 'test'): {
  logger: Logger;
  lines: () => Record<string, unknown>[];
  text: () => string;
} {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  const logger = new Logger({ serviceName, logLevel: 'DEBUG' });
  // Powertools keeps its output Console in a private field; replacing it is the only way to
  // redirect its lines without patching process.stdout for the whole test run.
  (logger as unknown as { console: Console }).console = new Console({ stdout: sink, stderr: sink });
  const text = () => chunks.join('');
  return {
    logger,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}
