import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { send } from '../../cli/send.ts';
import { loadConfigFile } from '../../functions/config/load.ts';
import { useLocalStack } from '../helpers/local-stack.ts';

describe('dedupe of a verdict that flips back', () => {
  const config = loadConfigFile('relay.config.json');
  const stack = useLocalStack({ config, retryDelayMs: 20 });

  /** Posts one `generic` lookup result without `lookedUpAt`, signed as the CLI signs it. */
  async function postVerdict(ip: string, finding: string) {
    const file = join(await mkdtemp(join(tmpdir(), 'relay-dedupe-flip-')), 'verdict.json');
    const record = { kind: 'threat_lookup_result', observable: ip, finding, source: 'Flip Feed' };
    await writeFile(file, JSON.stringify(record));
    const result = await send({ config, source: 'generic', file, url: stack().relayUrl });
    return { status: result.status, body: JSON.parse(result.body) as Record<string, unknown> };
  }

  function findingsAtInstance(ip: string): string[] {
    return stack()
      .sandbox!.records(config.records.threat_lookup_result.table)
      .filter((row) => row.observable === ip)
      .map((row) => String(row.finding));
  }

  /** Waits until the instance has stored `count` results for the address, for at most ten seconds. */
  async function untilDelivered(ip: string, count: number): Promise<void> {
    const until = Date.now() + 10_000;
    while (findingsAtInstance(ip).length < count) {
      if (Date.now() > until) {
        throw new Error(`${count} results for ${ip} not delivered within 10 s`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('delivers Malicious, Clean, Malicious in order', async () => {
    const ip = '203.0.113.61';
    const verdicts = ['Malicious', 'Clean', 'Malicious'];
    for (const [index, finding] of verdicts.entries()) {
      const answer = await postVerdict(ip, finding);
      expect(answer.status).toBe(202);
      expect(answer.body.records).toBe(1);
      expect(answer.body.duplicate).toBeUndefined();
      // Each result reaches the instance before the next is posted, as results seconds apart do.
      await untilDelivered(ip, index + 1);
    }

    expect(findingsAtInstance(ip)).toEqual(verdicts);
  });

  it('drops a repeat of the last verdict', async () => {
    const ip = '203.0.113.62';
    await postVerdict(ip, 'Malicious');
    await untilDelivered(ip, 1);

    const again = await postVerdict(ip, 'Malicious');

    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ records: 0, duplicates: 1, duplicate: true });
    expect(findingsAtInstance(ip)).toEqual(['Malicious']);
  });
});
