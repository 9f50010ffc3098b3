import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * A fake of AWS Secrets Manager's control plane for tests: an HTTP server on 127.0.0.1
 * that speaks the service's JSON 1.1 protocol (POST /, `X-Amz-Target:
 * secretsmanager.GetSecretValue`), so the real AWS SDK client talks to it unchanged.
 * It implements GetSecretValue only, does not check request signatures, and returns
 * errors with the `__type` and `Message` fields the SDK reads.
 */
export interface FakeSecretsManager {
  endpoint: string;
  /** Stores a secret as SecretString (text) or SecretBinary (bytes). */
  setSecret(name: string, value: string | Uint8Array): void;
  /** Makes the next `count` GetSecretValue calls fail with this AWS error. */
  failNext(error: { type: string; status: number; message: string }, count?: number): void;
  /** SecretId of each GetSecretValue call received, in order. */
  reads(): string[];
  /** Targets (operations) of every call received, to check the protocol the client spoke. */
  targets(): string[];
  /** A real SDK client pointed at this server, with fixed test credentials and no SDK retries. */
  client(): SecretsManagerClient;
  close(): Promise<void>;
}

export async function startFakeSecretsManager(): Promise<FakeSecretsManager> {
  const secrets = new Map<string, string | Uint8Array>();
  const reads: string[] = [];
  const targets: string[] = [];
  let failure: { type: string; status: number; message: string; remaining: number } | undefined;

  const server = createServer((request, response) => {
    void handle(request, response);
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const target = String(request.headers['x-amz-target'] ?? '');
    targets.push(target);

    if (request.method !== 'POST' || target !== 'secretsmanager.GetSecretValue') {
      return sendError(response, 400, 'UnknownOperationException', `unsupported target ${target}`);
    }
    const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { SecretId?: string };
    const name = String(input.SecretId);
    reads.push(name);

    if (failure !== undefined && failure.remaining > 0) {
      failure.remaining -= 1;
      return sendError(response, failure.status, failure.type, failure.message);
    }
    const value = secrets.get(name);
    if (value === undefined) {
      return sendError(
        response,
        400,
        'ResourceNotFoundException',
        "Secrets Manager can't find the specified secret.",
      );
    }
    const body: Record<string, unknown> = {
      ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbCdEf`,
      Name: name,
      VersionId: '11111111-2222-3333-4444-555555555555',
      VersionStages: ['AWSCURRENT'],
      CreatedDate: 1_767_225_600,
    };
    if (typeof value === 'string') body.SecretString = value;
    else body.SecretBinary = Buffer.from(value).toString('base64');
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(JSON.stringify(body));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;

  return {
    endpoint,
    setSecret: (name, value) => {
      secrets.set(name, value);
    },
    failNext: (error, count = 1) => {
      failure = { ...error, remaining: count };
    },
    reads: () => [...reads],
    targets: () => [...targets],
    client: () =>
      new SecretsManagerClient({
        endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIAFAKEFORTESTS', secretAccessKey: 'fake-secret-for-tests' },
        maxAttempts: 1,
      }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function sendError(response: ServerResponse, status: number, type: string, message: string): void {
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'x-amzn-errortype': type,
  });
  response.end(JSON.stringify({ __type: type, Message: message }));
}
