import { createHash, randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSqsMessage {
  queueUrl: string;
  body: string;
  attributes: Record<string, { DataType: string; StringValue?: string }>;
  messageId: string;
  sentAt: number;
  receiveCount: number;
  /** Epoch milliseconds from which ReceiveMessage hands the message out again. */
  visibleAt: number;
  /** Handle of the latest receive; DeleteMessage and ChangeMessageVisibility take it. */
  receiptHandle?: string;
}

type Input = Record<string, unknown>;

/**
 * A stand-in for the SQS control plane, which cannot run here: an HTTP server on loopback
 * that speaks the AWS JSON protocol for SendMessage(Batch), ReceiveMessage with visibility
 * timeouts, DeleteMessage(Batch), ChangeMessageVisibility(Batch) and
 * ListDeadLetterSourceQueues, so tests drive the real AWS SDK client over real HTTP.
 * `failIds` makes chosen batch entries fail once, and `rejectIds` makes them fail every time.
 * `sourceQueues` maps a dead-letter queue URL to the queues whose redrive policy names it.
 */
export async function startFakeSqs(): Promise<{
  endpoint: string;
  messages: FakeSqsMessage[];
  calls: string[];
  failIds: Set<string>;
  rejectIds: Set<string>;
  failRequests: { remaining: number };
  sourceQueues: Map<string, string[]>;
  close: () => Promise<void>;
}> {
  const messages: FakeSqsMessage[] = [];
  const calls: string[] = [];
  const failIds = new Set<string>();
  const rejectIds = new Set<string>();
  const failRequests = { remaining: 0 };
  const sourceQueues = new Map<string, string[]>();
  const md5 = (text: string) => createHash('md5').update(text).digest('hex');

  const store = (
    queueUrl: string,
    body: string,
    attributes: FakeSqsMessage['attributes'] | undefined,
  ) => {
    const message: FakeSqsMessage = {
      queueUrl,
      body,
      attributes: attributes ?? {},
      messageId: randomUUID(),
      sentAt: Date.now(),
      receiveCount: 0,
      visibleAt: 0,
    };
    messages.push(message);
    return message;
  };
  const byHandle = (handle: unknown) =>
    messages.findIndex((message) => message.receiptHandle === handle);

  const actions: Record<string, (input: Input) => unknown> = {
    SendMessage: (input) => {
      const message = store(
        String(input.QueueUrl),
        String(input.MessageBody),
        input.MessageAttributes as FakeSqsMessage['attributes'],
      );
      return { MessageId: message.messageId, MD5OfMessageBody: md5(message.body) };
    },
    SendMessageBatch: (input) => {
      const successful: unknown[] = [];
      const failed: unknown[] = [];
      for (const entry of input.Entries as {
        Id: string;
        MessageBody: string;
        MessageAttributes?: FakeSqsMessage['attributes'];
      }[]) {
        if (failIds.delete(entry.Id) || rejectIds.has(entry.Id)) {
          failed.push({
            Id: entry.Id,
            Code: 'InternalError',
            SenderFault: false,
            Message: 'fake entry failure',
          });
          continue;
        }
        const message = store(String(input.QueueUrl), entry.MessageBody, entry.MessageAttributes);
        successful.push({
          Id: entry.Id,
          MessageId: message.messageId,
          MD5OfMessageBody: md5(entry.MessageBody),
        });
      }
      return { Successful: successful, Failed: failed };
    },
    ReceiveMessage: (input) => {
      const now = Date.now();
      const max = Number(input.MaxNumberOfMessages ?? 1);
      const hiddenFor = Number(input.VisibilityTimeout ?? 30) * 1000;
      const received = messages
        .filter((message) => message.queueUrl === input.QueueUrl && message.visibleAt <= now)
        .slice(0, max);
      return {
        Messages: received.map((message) => {
          message.receiveCount += 1;
          message.visibleAt = now + hiddenFor;
          message.receiptHandle = randomUUID();
          return {
            MessageId: message.messageId,
            ReceiptHandle: message.receiptHandle,
            MD5OfBody: md5(message.body),
            Body: message.body,
            Attributes: {
              ApproximateReceiveCount: String(message.receiveCount),
              SentTimestamp: String(message.sentAt),
            },
          };
        }),
      };
    },
    DeleteMessage: (input) => {
      const index = byHandle(input.ReceiptHandle);
      if (index >= 0) messages.splice(index, 1);
      return {};
    },
    DeleteMessageBatch: (input) => {
      const entries = input.Entries as { Id: string; ReceiptHandle: string }[];
      for (const entry of entries) {
        const index = byHandle(entry.ReceiptHandle);
        if (index >= 0) messages.splice(index, 1);
      }
      return { Successful: entries.map((entry) => ({ Id: entry.Id })), Failed: [] };
    },
    ChangeMessageVisibility: (input) => {
      const message = messages[byHandle(input.ReceiptHandle)];
      if (message !== undefined)
        message.visibleAt = Date.now() + Number(input.VisibilityTimeout) * 1000;
      return {};
    },
    ChangeMessageVisibilityBatch: (input) => {
      const entries = input.Entries as {
        Id: string;
        ReceiptHandle: string;
        VisibilityTimeout: number;
      }[];
      for (const entry of entries) {
        const message = messages[byHandle(entry.ReceiptHandle)];
        if (message !== undefined) message.visibleAt = Date.now() + entry.VisibilityTimeout * 1000;
      }
      return { Successful: entries.map((entry) => ({ Id: entry.Id })), Failed: [] };
    },
    ListDeadLetterSourceQueues: (input) => ({
      queueUrls: sourceQueues.get(String(input.QueueUrl)) ?? [],
    }),
  };

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const action = String(request.headers['x-amz-target'] ?? '').replace('AmazonSQS.', '');
      calls.push(action);
      const input = JSON.parse(Buffer.concat(chunks).toString() || '{}') as Input;
      response.setHeader('content-type', 'application/x-amz-json-1.0');
      if (failRequests.remaining > 0) {
        failRequests.remaining -= 1;
        response.statusCode = 500;
        response.end(
          JSON.stringify({ __type: 'com.amazonaws.sqs#InternalError', message: 'fake failure' }),
        );
        return;
      }
      const handler = actions[action];
      if (handler === undefined) {
        response.statusCode = 400;
        response.end(
          JSON.stringify({ __type: 'com.amazonaws.sqs#UnsupportedOperation', message: action }),
        );
        return;
      }
      response.end(JSON.stringify(handler(input)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    messages,
    calls,
    failIds,
    rejectIds,
    failRequests,
    sourceQueues,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A real AWS SDK client for the fake, with example credentials and no SDK retries. */
export function fakeSqsClient(endpoint: string): SQSClient {
  return new SQSClient({
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'example-secret-key' },
    maxAttempts: 1,
  });
}
