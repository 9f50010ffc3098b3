import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** The per-source counters the dashboard shows. */
export type RelayMetricName =
  | 'RecordsAccepted'
  | 'RecordsDelivered'
  | 'RecordsRetried'
  | 'RecordsDeadLettered'
  /** Records ingest did not queue because an earlier delivery queued them. */
  | 'DuplicatesDropped'
  /** Records delivered after a POST for them went unanswered, so the instance may hold two. */
  | 'PossibleDuplicates'
  /** Records returned to the queue without a request because the instance's circuit was open. */
  | 'CircuitOpenReturns';

export const METRICS_NAMESPACE = 'SecOpsRelay';

/** Counts records per source; CloudWatch (EMF) in AWS, in memory locally. */
export interface RelayMetrics {
  count(name: RelayMetricName, source: string, value?: number): void;
  /** Writes what was counted so far; called at the end of each invocation. */
  flush(): void;
}

/**
 * Publishes counts as CloudWatch embedded metric format lines, one set of metrics per
 * source, because a Powertools Metrics object holds one dimension set at a time. Each
 * source keeps its Metrics object, with the source as a default dimension, so that an
 * invocation does not pay for building one.
 */
export class CloudWatchMetrics implements RelayMetrics {
  private readonly pending = new Map<string, Map<RelayMetricName, number>>();
  private readonly publishers = new Map<string, Metrics>();

  constructor(private readonly serviceName: string) {}

  count(name: RelayMetricName, source: string, value = 1): void {
    const bySource = this.pending.get(source) ?? new Map<RelayMetricName, number>();
    bySource.set(name, (bySource.get(name) ?? 0) + value);
    this.pending.set(source, bySource);
  }

  flush(): void {
    for (const [source, counts] of this.pending) {
      const metrics = this.publisherFor(source);
      for (const [name, value] of counts) metrics.addMetric(name, MetricUnit.Count, value);
      metrics.publishStoredMetrics();
    }
    this.pending.clear();
  }

  private publisherFor(source: string): Metrics {
    let metrics = this.publishers.get(source);
    if (metrics === undefined) {
      metrics = new Metrics({
        namespace: METRICS_NAMESPACE,
        serviceName: this.serviceName,
        defaultDimensions: { source },
      });
      this.publishers.set(source, metrics);
    }
    return metrics;
  }
}

/** Keeps running totals in memory, for the local stack and tests. */
export class InMemoryMetrics implements RelayMetrics {
  readonly totals = new Map<string, number>();

  count(name: RelayMetricName, source: string, value = 1): void {
    const key = `${name}:${source}`;
    this.totals.set(key, (this.totals.get(key) ?? 0) + value);
  }

  get(name: RelayMetricName, source: string): number {
    return this.totals.get(`${name}:${source}`) ?? 0;
  }

  flush(): void {}
}
