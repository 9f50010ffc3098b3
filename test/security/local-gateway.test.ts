import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../functions/config/load.ts';
import { useLocalStack } from '../helpers/local-stack.ts';

// One stack serves both describe blocks because every request here is rejected before it
// reaches the queue, so no block can find a record that another left behind.
const stack = useLocalStack({ config: loadConfigFile('relay.config.json') });

describe('local API Gateway stand-in', () => {
  async function post(path: string, body: string) {
    const response = await fetch(`${stack().relayUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('answers oversized headers with a JSON 431', async () => {
    const response = await fetch(`${stack().relayUrl}/webhooks/virustotal`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-padding': 'p'.repeat(20_000) },
      body: '{}',
    });
    expect(response.status).toBe(431);
    expect(((await response.json()) as { code: string }).code).toBe('malformed_request');
  });

  it('names POST in the Allow header of a 405', async () => {
    const response = await fetch(`${stack().relayUrl}/webhooks/virustotal`, {
      method: 'PUT',
      body: '{}',
    });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  it('answers 404 for a source path that is not valid percent-encoding', async () => {
    const answer = await post('/webhooks/%E0%A4%A', '{}');
    expect(answer.status).toBe(404);
    expect(answer.body.code).toBe('unknown_source');
  });

  it.each([
    ['duplicate keys', '{"detail":{},"detail":{}}', 'duplicate_json_key'],
    ['a __proto__ key', '{"__proto__":{"polluted":true}}', 'forbidden_json_key'],
    ['deep nesting', `${'['.repeat(200)}${']'.repeat(200)}`, 'json_too_deep'],
    ['broken JSON', '{"detail":', 'malformed_json'],
  ])('parses event bodies strictly: %s', async (_case, body, code) => {
    const answer = await post('/webhooks/guardduty', body);
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe(code);
    expect(stack().queue.size).toBe(0);
  });
});

describe('local event path', () => {
  it('names fields of a bare finding without the wrapping detail', async () => {
    const body = JSON.stringify({
      findings: [{ id: 'f-1', type: 'Recon:EC2/PortProbeUnprotectedPort', severity: 'high' }],
    });
    const response = await fetch(`${stack().relayUrl}/webhooks/guardduty`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const answer = (await response.json()) as { issues?: { path: string }[]; message: string };
    expect(response.status).toBe(422);
    expect(answer.issues?.[0]?.path).toBe('findings[0].severity');
    expect(answer.message).not.toContain('detail.');
  });

  it('completes a partial EventBridge envelope instead of wrapping it', async () => {
    const body = JSON.stringify({
      region: 'eu-west-1',
      detail: { id: 'f-2', type: 'Recon:EC2/PortProbeUnprotectedPort', severity: 'high' },
    });
    const response = await fetch(`${stack().relayUrl}/webhooks/guardduty`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const answer = (await response.json()) as { issues?: { path: string }[] };
    expect(response.status).toBe(422);
    expect(answer.issues?.[0]?.path).toBe('detail.severity');
  });

  it('answers 404 for a dead-letter id that is not valid percent-encoding', async () => {
    const response = await fetch(`${stack().relayUrl}/local/dead-letters/%ZZ`);
    expect(response.status).toBe(404);
  });
});
