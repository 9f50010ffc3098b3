import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Creates a directory under the system's temporary directory, named `<prefix>XXXXXX`, that is
 * removed when the process exits however it ends: normally, through `process.exit` after
 * Ctrl-C, or after an error. The Lambda environment keeps a TLS private key in one, so no
 * window between creating it and registering its cleanup may leave it behind.
 */
export async function temporaryDirectory(prefix: string): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), prefix));
  process.once('exit', () => rmSync(directory, { recursive: true, force: true }));
  return directory;
}
