import type { Logger } from '@aws-lambda-powertools/logger';
import type { PullStateStore } from '../checkpoints/checkpoint.ts';
import type { RelayConfig } from '../config/schema.ts';
import type { SecretStore } from '../credentials/secret-store.ts';
import type { DeliveryQueue } from '../queue/queue.ts';
import type { RelayMetrics } from '../shared/metrics.ts';
import type { SourceAdapter } from '../sources/source.ts';
import type { Fetch } from './vendor-http.ts';

/** Dependencies of a pull run. The Lambda handler, the CLI and tests each build their own. */
export interface PullDependencies {
  config: RelayConfig;
  secrets: SecretStore;
  queue: DeliveryQueue;
  state: PullStateStore;
  getSource: (id: string) => SourceAdapter | undefined;
  logger: Logger;
  metrics: RelayMetrics;
  /** True when the relay runs locally: vendor base URLs may then name a loopback test server. */
  localMode: boolean;
  fetch?: Fetch;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  newRunId?: () => string;
  newDeliveryId?: () => string;
}
