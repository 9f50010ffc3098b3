import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { otxPayloadSchema } from '../../../functions/sources/otx/schema.ts';

const GENERAL = { indicator: '203.0.113.9', type: 'IPv4', pulse_info: { count: 0, pulses: [] } };

function issuesOf(json: unknown) {
  const result = otxPayloadSchema.safeParse(json);
  if (result.success) throw new Error('expected the schema to reject the payload');
  return result.error.issues;
}

describe('otxPayloadSchema', () => {
  it.each([
    ['a general section without indicator', { ...GENERAL, indicator: undefined }, ['indicator']],
    ['a general section without type', { ...GENERAL, type: undefined }, ['type']],
    ['a general section without pulse_info', { ...GENERAL, pulse_info: undefined }, ['pulse_info']],
    ['a negative pulse count', { ...GENERAL, pulse_info: { count: -1 } }, ['pulse_info', 'count']],
    ['a pulse count as text', { ...GENERAL, pulse_info: { count: '3' } }, ['pulse_info', 'count']],
    [
      'pulses that are no list',
      { ...GENERAL, pulse_info: { count: 1, pulses: {} } },
      ['pulse_info', 'pulses'],
    ],
    [
      'a pulse with numeric tags',
      { ...GENERAL, pulse_info: { count: 1, pulses: [{ tags: [1] }] } },
      ['pulse_info', 'pulses', 0, 'tags', 0],
    ],
    [
      'a validation entry that is text',
      { ...GENERAL, validation: ['whitelist'] },
      ['validation', 0],
    ],
    [
      'a resolution without address',
      { passive_dns: [{ hostname: 'a.example.com' }] },
      ['passive_dns', 0, 'address'],
    ],
    ['passive_dns that is no list', { passive_dns: {} }, ['passive_dns']],
    ['an error detail that is no text', { detail: 404 }, ['detail']],
  ])('names the path of %s', (_case, json, path) => {
    expect(issuesOf(json).map((issue) => issue.path)).toContainEqual(path);
  });

  it.each([['a string'], [null], [[GENERAL]]])('rejects %j as no OTX response', (json) => {
    const [issue] = issuesOf(json);

    expect(issue?.path).toEqual([]);
    expect(issue?.message).toContain('Expected an AlienVault OTX indicator response');
  });

  it('explains a missing pulse_info', () => {
    const issue = issuesOf({ ...GENERAL, pulse_info: 'none' }).find(
      (entry) => entry.path[0] === 'pulse_info',
    );

    expect(issue?.message).toContain('/general');
  });

  it('prints paths a sender can follow', () => {
    const result = otxPayloadSchema.safeParse({
      passive_dns: [{ hostname: 'a.example.com', address: 1 }],
    });

    expect(z.prettifyError(result.error!)).toContain('at passive_dns[0].address');
  });

  it.each([
    ['general', GENERAL],
    ['passive_dns', { passive_dns: [], count: 0 }],
    ['error', { detail: 'Not found.' }],
    ['general', { ...GENERAL, detail: 'a general section member named detail' }],
  ])('recognizes a %s body', (form, json) => {
    expect(otxPayloadSchema.parse(json).form).toBe(form);
  });

  it('accepts families as objects and as text', () => {
    const parsed = otxPayloadSchema.parse({
      ...GENERAL,
      pulse_info: {
        count: 1,
        pulses: [{ malware_families: ['Emotet', { id: 'Qakbot', display_name: 'Qakbot' }] }],
      },
    });

    expect(parsed.form).toBe('general');
  });
});
