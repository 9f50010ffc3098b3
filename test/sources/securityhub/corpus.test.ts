import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { securityHubSource } from '../../../functions/sources/securityhub/index.ts';
import {
  firstCi,
  outlineOf,
  recordsAndSkips,
  type RecordOutline,
} from '../shared/aws-source-run.ts';
import { readJson } from '../run-source.ts';
import { corpusFiles } from '../shared/run-with-skips.ts';

// Real Security Hub findings kept beside the project, outside the repository (their licences
// differ). A fresh clone lacks the folder, and then these tests are skipped.
const { folder, files } = corpusFiles('securityhub');
const read = (name: string) => readJson(pathToFileURL(`${folder}/${name}`));

/** What each file gives; a file added later must be listed here, so none gives records unseen. */
const EXPECTED: Record<string, RecordOutline> = {
  // A passed control (and resolved): no issue to report.
  'asff-bare-afsbp-s3.2-passed.json': {
    cis: [],
    observables: [],
    findings: {},
    skipped: ['passed_control'],
  },
  // GuardDuty's SSH brute-force example: behaviour, so enrichments but no verdict. Its ARNs
  // have an extra colon ("arn:aws::ec2:…"), so the instance id is read from the end.
  'asff-guardduty-sourced-sshbruteforce-awsdocs.json': {
    cis: ['i-0c10c2c7863d1a356 (AWS EC2 instance)'],
    observables: ['199.241.229.197', '172.31.43.6', '18.234.130.16'],
    findings: {},
    skipped: [],
  },
  'eventbridge-imported-afsbp-ec2.7.json': {
    cis: ['111111111111 (AWS account)'],
    observables: [],
    findings: {},
    skipped: [],
  },
  // A WARNING control (AWS Config could not be read) is still recorded.
  'eventbridge-imported-cis-1.3.json': {
    cis: ['111111111111 (AWS account)'],
    observables: [],
    findings: {},
    skipped: [],
  },
};

describe.skipIf(files.length === 0)('securityhub corpus', () => {
  it('has an expectation for every file', () => {
    expect(files).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(files)('%s gives the expected records', (name) => {
    const outline = outlineOf(securityHubSource, read(name));

    expect(outline).toEqual(EXPECTED[name]);
    // Never a silent empty result: no records means a reported skip.
    expect(outline.cis.length + outline.skipped.length).toBeGreaterThan(0);
  });

  it('reads severity, count and region of the GuardDuty example', () => {
    const { records } = recordsAndSkips(
      securityHubSource,
      read('asff-guardduty-sourced-sshbruteforce-awsdocs.json'),
    );

    expect(firstCi(records).details).toMatchObject({
      product: 'GuardDuty',
      findingType: 'UnauthorizedAccess:EC2/SSHBruteForce',
      severity: 'Medium',
      count: 74,
      region: 'us-east-1',
      accountId: '193043430472',
    });
  });
});
