import { describe, expect, it } from 'vitest';
import { shodanSource } from '../../../functions/sources/shodan/index.ts';
import { shodanPayloadSchema } from '../../../functions/sources/shodan/schema.ts';
import { runSource } from '../run-source.ts';

function issuePaths(json: unknown): string[] {
  const result = runSource(shodanSource, json);
  if (result.outcome !== 'invalid')
    throw new Error(`expected a schema failure, got ${result.outcome}`);
  return result.error.issues.map((issue) => issue.path.join('.'));
}

describe('shodan response forms', () => {
  it.each<[string, unknown]>([
    ['host', { ip_str: '192.0.2.1', ip: 3221225985 }],
    ['internetdb', { ip: '192.0.2.1', ports: [] }],
    ['search', { matches: [], total: 0 }],
    ['error', { error: 'Invalid API key' }],
    ['internetdb-error', { detail: 'No information available' }],
  ])('recognizes %s', (form, json) => {
    const parsed = shodanPayloadSchema.safeParse(json);
    if (!parsed.success) throw new Error(parsed.error.message);

    expect(parsed.data.form).toBe(form);
  });
});

describe('shodan schema errors', () => {
  it.each<[string, unknown, string[]]>([
    ['a port above 65535', { ip_str: '192.0.2.1', ports: [70000] }, ['ports.0']],
    ['ports as text', { ip: '192.0.2.1', ports: '80,443' }, ['ports']],
    ['an InternetDB address as a number', { ip: 3221225985 }, ['ip']],
    ['a banner port as text', { ip_str: '192.0.2.1', data: [{ port: '22' }] }, ['data.0.port']],
    ['a match without ip_str', { matches: [{ port: 22 }] }, ['matches.0.ip_str']],
    ['host vulns as a number', { ip_str: '192.0.2.1', vulns: 3 }, ['vulns']],
    ['an error as an object', { error: { code: 401 } }, ['error']],
  ])('names the field for %s', (_case, json, paths) => {
    expect(issuePaths(json)).toEqual(paths);
  });

  it.each([null, [], 'text', {}, { total: 3 }])('rejects %j and lists the forms', (json) => {
    const result = runSource(shodanSource, json);
    if (result.outcome !== 'invalid') throw new Error(result.outcome);

    expect(result.error.issues[0]?.message).toContain('Expected a Shodan response');
  });

  it('accepts members it does not read', () => {
    const result = runSource(shodanSource, {
      ip_str: '192.0.2.1',
      data: [{ port: 22, ssh: { fingerprint: 'aa' }, opts: { raw: '00' } }],
      region_code: null,
    });

    expect(result.outcome).toBe('records');
  });
});
