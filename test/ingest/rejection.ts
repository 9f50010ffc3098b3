import { IngestError } from '../../functions/ingest/errors.ts';

/** Runs a step that must reject and returns its IngestError; fails the test when it returns or throws anything else. */
export function rejection(run: () => unknown): IngestError {
  try {
    run();
  } catch (error) {
    if (error instanceof IngestError) return error;
    throw error;
  }
  throw new Error('expected an IngestError, but the step returned');
}
