import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { virusTotalPayloadSchema } from '../../../functions/sources/virustotal/schema.ts';

function issuesOf(json: unknown) {
  const result = virusTotalPayloadSchema.safeParse(json);
  if (result.success) throw new Error('expected the schema to reject the payload');
  return result.error.issues;
}

describe('virusTotalPayloadSchema', () => {
  it.each([
    ['object without data', { meta: {} }, ['data']],
    ['data of the wrong type', { data: 'x' }, ['data']],
    ['object without type', { data: { id: 'x', attributes: {} } }, ['data', 'type']],
    [
      'list item without id',
      { data: [{ type: 'file', id: 'a', attributes: {} }, { type: 'file' }] },
      ['data', 1, 'id'],
    ],
    ['bare list item with a numeric type', [{ type: 7, id: 'a' }], [0, 'type']],
    [
      'stats that are not numbers',
      {
        data: { type: 'file', id: 'a', attributes: { last_analysis_stats: { malicious: 'many' } } },
      },
      ['data', 'attributes', 'last_analysis_stats', 'malicious'],
    ],
    ['error body without code', { error: { message: 'Quota exceeded' } }, ['error', 'code']],
  ])('names the path of %s', (_case, json, path) => {
    const issues = issuesOf(json);

    expect(issues.map((issue) => issue.path)).toContainEqual(path);
  });

  it('rejects JSON that is not an object or array', () => {
    const [issue] = issuesOf('a string');

    expect(issue?.path).toEqual([]);
    expect(issue?.message).toContain('Expected a VirusTotal API v3 response');
  });

  it('prints paths a sender can follow', () => {
    const result = virusTotalPayloadSchema.safeParse({
      data: [{ type: 'file', id: 'a' }, { id: 'b' }],
    });

    expect(z.prettifyError(result.error!)).toContain('at data[1].type');
  });

  it('keeps attributes it does not read', () => {
    const result = virusTotalPayloadSchema.parse({
      data: { type: 'file', id: 'a', attributes: { pe_info: { entry_point: 4096 } } },
    });

    expect(result).toEqual({
      data: { type: 'file', id: 'a', attributes: { pe_info: { entry_point: 4096 } } },
    });
  });

  it('accepts null where VirusTotal sends null', () => {
    const result = virusTotalPayloadSchema.safeParse({
      data: {
        type: 'file',
        id: 'a',
        attributes: {
          last_analysis_results: {
            X: { category: 'undetected', result: null, engine_update: null },
          },
        },
      },
    });

    expect(result.success).toBe(true);
  });
});
