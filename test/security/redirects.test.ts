import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/load.ts';
import { createTestClient, failureOf, SECRET_NAME, THREAT_LOOKUP } from '../secops/harness.ts';
import { LocalSecretStore } from '../../functions/credentials/local.ts';

interface Received {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
}

interface LoopbackServer {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

const servers: LoopbackServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Starts a server on 127.0.0.1 that records each request and answers with `reply`. */
async function startServer(
  reply: (received: Received) => {
    status: number;
    headers?: Record<string, string>;
    body?: string;
  },
): Promise<LoopbackServer> {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    void readBody(request).then((body) => {
      const entry = {
        method: request.method ?? '',
        url: request.url ?? '',
        authorization: request.headers.authorization,
        body,
      };
      received.push(entry);
      const answer = reply(entry);
      response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      response.end(answer.body ?? '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const loopback = {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  servers.push(loopback);
  return loopback;
}

const config = parseConfig({ instance: { maxAttempts: 1 } });

describe('SecOps client on redirects', () => {
  it.each([301, 302, 303, 307, 308])('does not follow a %d to another port', async (status) => {
    const elsewhere = await startServer(() => ({
      status: 201,
      body: '{"result":{"sys_id":"0123456789abcdef0123456789abcdef"}}',
    }));
    const instance = await startServer((received) => ({
      status,
      headers: { location: `${elsewhere.url}${received.url}` },
    }));
    const store = new LocalSecretStore({
      [SECRET_NAME]: {
        instanceUrl: instance.url,
        auth: 'basic',
        username: 'relay',
        password: 'redirect-test-password',
      },
    });
    const { client } = createTestClient({ config, store });

    const error = await failureOf(client.create(THREAT_LOOKUP, { deadline: Date.now() + 60_000 }));

    expect(error.code).toBe('unexpected_response');
    expect(error.status).toBe(status);
    expect(instance.received).toHaveLength(1);
    expect(elsewhere.received).toHaveLength(0);
  });

  it('does not send the OAuth client secret after a redirected token request', async () => {
    const elsewhere = await startServer(() => ({
      status: 200,
      body: '{"access_token":"stolen","expires_in":1800}',
    }));
    const instance = await startServer((received) => ({
      status: 307,
      headers: { location: `${elsewhere.url}${received.url}` },
    }));
    const store = new LocalSecretStore({
      [SECRET_NAME]: {
        instanceUrl: instance.url,
        auth: 'oauth',
        clientId: 'relay-client',
        clientSecret: 'redirect-test-client-secret',
      },
    });
    const { client } = createTestClient({ config, store });

    const error = await failureOf(client.create(THREAT_LOOKUP, { deadline: Date.now() + 60_000 }));

    expect(error.code).toBe('unexpected_response');
    expect(instance.received.map((received) => received.url)).toEqual(['/oauth_token.do']);
    expect(elsewhere.received).toHaveLength(0);
  });

  it('delivers when the instance answers without a redirect', async () => {
    const instance = await startServer(() => ({
      status: 201,
      body: '{"result":{"sys_id":"0123456789abcdef0123456789abcdef"}}',
    }));
    const store = new LocalSecretStore({
      [SECRET_NAME]: {
        instanceUrl: instance.url,
        auth: 'basic',
        username: 'relay',
        password: 'redirect-test-password',
      },
    });
    const { client } = createTestClient({ config, store });

    const result = await client.create(THREAT_LOOKUP, { deadline: Date.now() + 60_000 });

    expect(result.status).toBe(201);
    expect(instance.received).toHaveLength(1);
  });
});
