import { describe, expect, it } from 'vitest';
import { MAX_RAW_PAYLOAD_LENGTH } from '../../functions/records/record.ts';
import { toRawPayload, TRUNCATION_MARKER_KEY } from '../../functions/sources/raw-payload.ts';

describe('toRawPayload', () => {
  it('returns compact JSON when it fits', () => {
    expect(toRawPayload({ a: 1, b: { c: [1, 2] } })).toBe('{"a":1,"b":{"c":[1,2]}}');
  });

  it('defaults to the record limit', () => {
    const payload = { text: 'x'.repeat(MAX_RAW_PAYLOAD_LENGTH) };

    const raw = toRawPayload(payload);

    expect(raw.length).toBeLessThanOrEqual(MAX_RAW_PAYLOAD_LENGTH);
    expect(raw.length).toBeGreaterThan(MAX_RAW_PAYLOAD_LENGTH - 10);
    expect(raw).toContain('truncated by SecOps Relay');
  });

  it('drops the largest prunable entries first and names them', () => {
    const payload = {
      type: 'file',
      attributes: { small: 'keep', big: 'x'.repeat(500), medium: 'y'.repeat(300) },
    };

    const raw = JSON.parse(toRawPayload(payload, { prunable: 'attributes', maxLength: 450 }));

    expect(raw.type).toBe('file');
    expect(raw.attributes).toEqual({ small: 'keep', medium: 'y'.repeat(300) });
    expect(raw[TRUNCATION_MARKER_KEY]).toEqual({
      omitted: ['attributes.big'],
      originalLength: JSON.stringify(payload).length,
    });
  });

  it('drops as many entries as needed', () => {
    const payload = { attributes: { a: 'x'.repeat(300), b: 'y'.repeat(200), c: 'z' } };

    const raw = JSON.parse(toRawPayload(payload, { prunable: 'attributes', maxLength: 150 }));

    expect(raw.attributes).toEqual({ c: 'z' });
    expect(raw[TRUNCATION_MARKER_KEY].omitted).toEqual(['attributes.a', 'attributes.b']);
  });

  it('cuts the text with a marker as a last resort', () => {
    const payload = { note: 'n'.repeat(1000) };

    const raw = toRawPayload(payload, { maxLength: 200 });

    expect(raw.length).toBeLessThanOrEqual(200);
    expect(raw).toMatch(/…\[truncated by SecOps Relay: kept the first \d+ of 1011 characters\]$/);
  });

  it('cuts when pruning cannot fit the rest', () => {
    const payload = { head: 'h'.repeat(500), attributes: { a: 'x' } };

    const raw = toRawPayload(payload, { prunable: 'attributes', maxLength: 200 });

    expect(raw.length).toBeLessThanOrEqual(200);
    expect(raw).toContain('truncated by SecOps Relay');
  });

  it('never splits a surrogate pair', () => {
    const payload = { emoji: '😀'.repeat(300) };

    for (let maxLength = 100; maxLength < 140; maxLength += 1) {
      const raw = toRawPayload(payload, { maxLength });
      const cut = raw.slice(0, raw.indexOf('…'));

      expect(raw.length).toBeLessThanOrEqual(maxLength);
      // A lone high surrogate at the end would mean a character was split in two.
      const lastCode = cut.charCodeAt(cut.length - 1);
      expect(lastCode >= 0xd800 && lastCode <= 0xdbff).toBe(false);
    }
  });
});
