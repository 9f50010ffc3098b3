import { describe, expect, it } from 'vitest';
import { CliError } from '../../cli/errors.ts';
import { send } from '../../cli/send.ts';
import { parseConfig } from '../../functions/config/load.ts';

const config = parseConfig({
  sources: { hooks: { secretName: 'hooks-secret', auth: { type: 'token' } } },
});

describe('send', () => {
  it('keeps a token it cannot send out of the error', async () => {
    const secret = 'hooks-token-part1\npart2-Zq9';

    const error = await send({
      config,
      source: 'hooks',
      file: 'events/generic/lookup-record.json',
      url: 'http://127.0.0.1:9',
      secret,
    }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).message).toContain('Cannot reach the relay');
    expect((error as CliError).message).not.toContain('hooks-token-part1');
  });
});
