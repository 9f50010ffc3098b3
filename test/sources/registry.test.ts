import { describe, expect, it } from 'vitest';
import { getSource, SOURCES } from '../../functions/sources/index.ts';

describe('source registry', () => {
  it('lists the contract source ids', () => {
    expect(Object.keys(SOURCES)).toEqual(
      expect.arrayContaining(['generic', 'standard-webhooks', 'virustotal']),
    );
  });

  it.each(Object.entries(SOURCES))('registers %s under its own id', (id, source) => {
    expect(source.id).toBe(id);
    expect(source.vendorName.length).toBeGreaterThan(0);
  });

  it('returns a source by id', () => {
    expect(getSource('virustotal')?.vendorName).toBe('VirusTotal');
  });

  it.each(['unknown', 'VirusTotal', '', 'constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    'returns undefined for %j',
    (id) => {
      expect(getSource(id)).toBeUndefined();
    },
  );

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(SOURCES)).toBe(true);
  });
});
