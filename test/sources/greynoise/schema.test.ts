import { describe, expect, it } from 'vitest';
import { greyNoiseSource } from '../../../functions/sources/greynoise/index.ts';
import { greyNoisePayloadSchema } from '../../../functions/sources/greynoise/schema.ts';
import { runSource } from '../run-source.ts';

function issuePaths(json: unknown): string[] {
  const result = runSource(greyNoiseSource, json);
  if (result.outcome !== 'invalid')
    throw new Error(`expected a schema failure, got ${result.outcome}`);
  return result.error.issues.map((issue) => issue.path.join('.'));
}

function formOf(json: unknown): string {
  const parsed = greyNoisePayloadSchema.safeParse(json);
  if (!parsed.success) throw new Error(parsed.error.message);
  return parsed.data.form;
}

describe('greynoise response forms', () => {
  it.each<[string, unknown]>([
    ['quick-list', [{ ip: '192.0.2.1', code: '0x00', noise: false }]],
    ['quick', { ip: '192.0.2.1', code: '0x00', noise: false }],
    ['community', { ip: '192.0.2.1', noise: false, riot: false, message: 'IP not observed' }],
    ['community', { message: 'Rate limit exceeded' }],
    ['context', { ip: '192.0.2.1', seen: false }],
    ['riot', { ip: '192.0.2.1', riot: false }],
    ['gnql', { complete: true, count: 0, data: null, message: 'no results', query: 'tags:x' }],
    ['gnql', { count: 0, data: [] }],
    ['error', { error: 'commonly spoofed ip' }],
  ])('recognizes %s', (form, json) => {
    expect(formOf(json)).toBe(form);
  });
});

describe('greynoise schema errors', () => {
  it.each<[string, unknown, string[]]>([
    ['a quick check without ip', { code: '0x01', noise: true }, ['ip']],
    ['a quick code as a number', { ip: '192.0.2.1', code: 1 }, ['code']],
    ['a context whose seen is text', { ip: '192.0.2.1', seen: 'yes' }, ['seen']],
    ['context tags as text', { ip: '192.0.2.1', seen: true, tags: 'Mirai' }, ['tags']],
    [
      'a scan port as text',
      { ip: '192.0.2.1', seen: true, raw_data: { scan: [{ port: '23' }] } },
      ['raw_data.scan.0.port'],
    ],
    ['a RIOT flag as text', { ip: '192.0.2.1', riot: 'true' }, ['riot']],
    ['a community message as a number', { ip: '192.0.2.1', message: 404 }, ['message']],
    ['a GNQL item without seen', { data: [{ ip: '192.0.2.1' }] }, ['data.0.seen']],
    ['a GNQL data object', { data: { ip: '192.0.2.1' } }, ['data']],
    [
      'an item of a quick list',
      [{ ip: '192.0.2.1', code: '0x00' }, { ip: '192.0.2.2' }],
      ['1.code'],
    ],
  ])('names the field for %s', (_case, json, paths) => {
    expect(issuePaths(json)).toEqual(paths);
  });

  it.each([null, 'text', 42, {}, { ip: '192.0.2.1' }])('rejects %j and lists the forms', (json) => {
    const result = runSource(greyNoiseSource, json);
    if (result.outcome !== 'invalid') throw new Error(result.outcome);

    expect(result.error.issues[0]?.message).toContain('Expected a GreyNoise response');
  });

  it('accepts members it does not read', () => {
    const result = runSource(greyNoiseSource, {
      ip: '192.0.2.1',
      seen: true,
      classification: 'malicious',
      raw_data: { ja3: [{ fingerprint: 'x', port: 443 }], hassh: [] },
      future_field: { nested: true },
    });

    expect(result.outcome).toBe('records');
  });
});
