import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CONFIG_ENV, loadConfigFile, loadConfigFromEnv } from '../../functions/config/load.ts';

const directory = mkdtempSync(join(tmpdir(), 'secops-relay-config-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** A configuration whose local secret lacks its quotes, a likely slip when pasting one. */
const UNQUOTED_SECRET = `{
  "local": {
    "secrets": {
      "relay/generic": { "secret": tok3nS3cr3t }
    }
  }
}`;

function errorOf(load: () => unknown): Error {
  try {
    load();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('configuration that is not valid JSON', () => {
  it('names the line and column of a file, without quoting it', () => {
    const file = join(directory, 'relay.config.json');
    writeFileSync(file, UNQUOTED_SECRET);

    const error = errorOf(() => loadConfigFile(file));

    expect(error.message).toContain(`${file} is not valid JSON at line 4, column 36`);
    expect(error.message).toContain('every string value needs double quotes');
    expect(error.message).not.toContain('tok3n');
    expect(error.message).not.toContain('"t"');
  });

  it('names the line and column in the environment variable', () => {
    const error = errorOf(() => loadConfigFromEnv({ [CONFIG_ENV]: UNQUOTED_SECRET }));

    expect(error.message).toContain(`${CONFIG_ENV} is not valid JSON at line 4, column 36`);
    expect(error.message).not.toContain('tok3n');
  });

  it('names the end of the text for a file cut short', () => {
    const file = join(directory, 'cut.json');
    writeFileSync(file, '{"sources": {');

    expect(errorOf(() => loadConfigFile(file)).message).toContain('found the end of the text');
  });
});
