import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSqsMessage {
  queueUrl: string;
  body: string;
  attributes: Record<string, { DataType: string; StringValue?: string }>;
}

/**
 * A stand-in for the SQS control plane, which cannot run here: an HTTP server on loopback
 * that speaks the AWS JSON protocol for SendMessage and SendMessageBatch, so tests drive
 * the real AWS SDK client over real HTTP. `failIds` makes chosen batch entries fail once.
 */
export async function startFakeSqs(): Promise<{
  endpoint: string;
  messages: FakeSqsMessage[];
  calls: string[];
  failIds: Set<string>;
  failRequests: { remaining: number };
  close: () => Promise<void>;
}> {
  const messages: FakeSqsMessage[] = [];
  const calls: string[] = [];
  const failIds = new Set<string>();
  const failRequests = { remaining: 0 };
  const md5 = (text: string) => createHash('md5').update(text).digest('hex');

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const action = String(request.headers['x-amz-target'] ?? '').replace('AmazonSQS.', '');
      calls.push(action);
      const input = JSON.parse(Buffer.concat(chunks).toString() || '{}');
      response.setHeader('content-type', 'application/x-amz-json-1.0');
      if (failRequests.remaining > 0) {
        failRequests.remaining -= 1;
        response.statusCode = 500;
        response.end(JSON.stringify({ __type: 'com.amazonaws.sqs#InternalError', message: 'fake failure' }));
        return;
      }
      if (action === 'SendMessage') {
        messages.push({ queueUrl: input.QueueUrl, body: input.MessageBody, attributes: input.MessageAttributes ?? {} });
        response.end(JSON.stringify({ MessageId: randomUUID(), MD5OfMessageBody: md5(input.MessageBody) }));
        return;
      }
      if (action === 'SendMessageBatch') {
        const successful: unknown[] = [];
        const failed: unknown[] = [];
        for (const entry of input.Entries as { Id: string; MessageBody: string; MessageAttributes?: FakeSqsMessage['attributes'] }[]) {
          if (failIds.delete(entry.Id)) {
            failed.push({ Id: entry.Id, Code: 'InternalError', SenderFault: false, Message: 'fake entry failure' });
            continue;
          }
          messages.push({ queueUrl: input.QueueUrl, body: entry.MessageBody, attributes: entry.MessageAttributes ?? {} });
          successful.push({ Id: entry.Id, MessageId: randomUUID(), MD5OfMessageBody: md5(entry.MessageBody) });
        }
        response.end(JSON.stringify({ Successful: successful, Failed: failed }));
        return;
      }
      response.statusCode = 400;
      response.end(JSON.stringify({ __type: 'com.amazonaws.sqs#UnsupportedOperation', message: action }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    messages,
    calls,
    failIds,
    failRequests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
