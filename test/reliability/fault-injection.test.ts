import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../functions/config/load.ts';
import { runFaultInjection, type FaultRun } from './run.ts';
import { verifyFaultRun, type FaultReport } from './verify.ts';

/** Deliveries in the CI run; `npm run soak -- --events N` runs more. */
const EVENTS = 1_000;
const SEED = 20_260_301;

let run: FaultRun;
let report: FaultReport;
let violations: string[];

beforeAll(async () => {
  run = await runFaultInjection(
    { events: EVENTS, seed: SEED },
    loadConfigFile('relay.config.json'),
  );
  ({ report, violations } = verifyFaultRun(run));
  process.stdout.write(`fault injection report: ${JSON.stringify(report)}\n`);
}, 120_000);

afterAll(async () => {
  await run?.close();
});

describe('delivery under injected faults', () => {
  it('loses no accepted record', () => {
    expect(violations).toEqual([]);
    expect(report.lost).toBe(0);
    expect(report.recordsAccepted).toBeGreaterThan(EVENTS);
  });

  it('drives every kind of fault', () => {
    for (const fault of [
      'rate_limit',
      'server_error',
      'slow',
      'reset',
      'html',
      'unknown_error',
      'persist_failure',
      'outage',
      'unauthorized',
    ]) {
      expect(report.faultsInjected[fault], fault).toBeGreaterThan(0);
    }
  });

  it('dead-letters the records the instance rejects', () => {
    expect(report.deadLettered.mandatory_fields_missing).toBeGreaterThan(0);
    expect(report.deadLettered.unable_to_persist).toBeGreaterThan(0);
  });

  it('answers redeliveries as duplicates', () => {
    // A redelivery that comes after a newer record for the same subject is queued again on purpose.
    expect(
      report.duplicateDeliveriesAnswered + report.redeliveriesQueuedAfterNewer,
    ).toBeGreaterThanOrEqual(report.redeliveriesSent);
    expect(report.duplicatesDropped).toBeGreaterThan(0);
  });

  it('opens the circuit during outages', () => {
    expect(report.circuitOpened).toBeGreaterThan(0);
    expect(report.circuitOpenReturns).toBeGreaterThan(0);
  });

  it('keeps forward invocations within the cap', () => {
    expect(report.peakForwardInvocations).toBeLessThanOrEqual(report.maxConcurrency);
    expect(report.peakForwardInvocations).toBeGreaterThan(1);
    // Each invocation posts at most four records at a time.
    expect(report.peakInstanceRequests).toBeLessThanOrEqual(report.maxConcurrency * 4);
  });

  it('recovers from the rotation with one secret read', () => {
    expect(report.rotation.secretReadsAfterSecretUpdate).toBe(1);
    expect(report.rotation.unauthorizedAfterSecretUpdate).toBeLessThanOrEqual(
      report.maxConcurrency * 4,
    );
  });
});
