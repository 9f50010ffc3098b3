import { describe, expect, it } from 'vitest';
import {
  MAX_QUOTED_CHARS,
  quoteRedacted,
  REDACTED,
  redactCutSecrets,
  redactError,
  redactSecrets,
} from '../../functions/shared/redact.ts';

const KEY = 'k3y/with+plus="quote"&é';

describe('redactSecrets', () => {
  it.each([
    ['as it is', KEY],
    ['JSON-escaped', JSON.stringify(KEY).slice(1, -1)],
    ['JSON-escaped with \\/', JSON.stringify(KEY).slice(1, -1).replaceAll('/', '\\/')],
    ['JSON-escaped as ASCII', 'k3y/with+plus=\\"quote\\"&\\u00e9'],
    ['percent-encoded', encodeURIComponent(KEY)],
    [
      'percent-encoded in lower case',
      encodeURIComponent(KEY).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
    ],
    ['form-encoded', new URLSearchParams({ key: KEY }).toString().slice('key='.length)],
    ['as a URL query', 'k3y/with+plus=%22quote%22&%C3%A9'],
    ['HTML-escaped', 'k3y/with+plus=&quot;quote&quot;&amp;é'],
  ])('replaces the secret %s', (_form, echoed) => {
    const redacted = redactSecrets(`bad key <${echoed}> sent`, [KEY]);

    expect(redacted).toBe(`bad key <${REDACTED}> sent`);
  });

  it('redacts secrets in the given order', () => {
    const redacted = redactSecrets('user alice:hunter2', ['hunter2', 'alice:hunter2']);

    expect(redacted).toBe(`user alice:${REDACTED}`);
  });

  it('ignores empty secrets', () => {
    expect(redactSecrets('text', ['', 'other'])).toBe('text');
  });

  it('redacts many secrets in turn, then earlier ones', () => {
    const secrets = Array.from({ length: 100 }, (_, index) => `key ${index}/é`);

    for (const secret of [...secrets, ...secrets.slice(0, 3)]) {
      const text = `${secret} ${encodeURIComponent(secret)} ${JSON.stringify(secret).replaceAll('/', '\\/')}`;
      expect(redactSecrets(text, [secret])).toBe(`${REDACTED} ${REDACTED} "${REDACTED}"`);
    }
  });
});

describe('redactSecrets with escapes chosen per character', () => {
  const secret = 'Pw&0004<secret>=\'/"é';

  it.each([
    ['Go', 'Pw\\u00260004\\u003csecret\\u003e=\'/\\"é'],
    ['Gson', 'Pw\\u00260004\\u003csecret\\u003e\\u003d\\u0027/\\"é'],
    ['.NET', 'Pw\\u00260004\\u003Csecret\\u003E=\\u0027/\\u0022\\u00E9'],
    ['PHP', 'Pw&0004<secret>=\'\\/\\"\\u00e9'],
  ])('replaces the secret as %s writes it', (_encoder, written) => {
    expect(redactSecrets(`{"echo":"${written}","n":1}`, [secret])).toBe(
      `{"echo":"${REDACTED}","n":1}`,
    );
  });

  it('leaves escaped text without a secret as it is', () => {
    const text = '{"a":"\\u0026\\/\\"x\\u00e9"}';

    expect(redactSecrets(text, [secret])).toBe(text);
  });
});

describe('redactCutSecrets', () => {
  it('replaces the start of a secret at the end of the text', () => {
    expect(redactCutSecrets('message: hunter', ['hunter2-long'])).toBe(`message: ${REDACTED}`);
  });

  it('replaces the start of an encoded form', () => {
    expect(redactCutSecrets('p=a%2Fb%2', ['a/b/c'])).toBe(`p=${REDACTED}`);
  });

  it('keeps an ending shorter than four characters', () => {
    expect(redactCutSecrets('message: hun', ['hunter2-long'])).toBe('message: hun');
  });
});

describe('quoteRedacted', () => {
  it('redacts before it cuts', () => {
    const text = `${'x'.repeat(MAX_QUOTED_CHARS - 3)}${KEY}`;

    const quoted = quoteRedacted(text, [KEY]);

    expect(quoted).toBe(`${'x'.repeat(MAX_QUOTED_CHARS - 3)}${REDACTED.slice(0, 3)}…`);
    expect(quoted).not.toContain(KEY.slice(0, 3));
  });

  it('cuts long text to the maximum', () => {
    const quoted = quoteRedacted('y'.repeat(60_000), []);

    expect(quoted).toHaveLength(MAX_QUOTED_CHARS + 1);
    expect(quoted.endsWith('…')).toBe(true);
  });

  it('leaves no lone surrogate at the cut', () => {
    const quoted = quoteRedacted(`${'x'.repeat(MAX_QUOTED_CHARS - 1)}😀😀`, []);

    expect(quoted).toBe(`${'x'.repeat(MAX_QUOTED_CHARS - 1)}…`);
  });
});

describe('redactError', () => {
  it('redacts the message and the stack', () => {
    const error = redactError(new Error(`rejected ${KEY}`), [KEY]);

    expect(error.message).toBe(`rejected ${REDACTED}`);
    expect(error.stack).not.toContain(KEY);
  });

  it('redacts an error whose message is a getter', () => {
    const error = redactError(new DOMException(`rejected ${KEY}`, 'TimeoutError'), [KEY]);

    expect(error.message).toBe(`rejected ${REDACTED}`);
    expect(error.name).toBe('TimeoutError');
  });

  it('leaves an error without a secret untouched', () => {
    const error = new DOMException('timed out', 'TimeoutError');

    expect(redactError(error, [KEY])).toBe(error);
    expect(Object.hasOwn(error, 'message')).toBe(false);
  });
});
