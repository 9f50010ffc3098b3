import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/**
 * Builds the Lambda context the local stack passes to a handler, with a time limit like a
 * deployed function's, so deadline logic runs as it does in AWS, and its memory size.
 */
export function localContext(functionName: string, timeoutMs: number, memorySizeMb = 256): Context {
  const startedAt = Date.now();
  const unsupported = () => {
    throw new Error('The local stack does not support the deprecated Lambda callback methods.');
  };
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: String(memorySizeMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - startedAt)),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
