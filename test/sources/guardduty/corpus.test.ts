import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { guardDutySource } from '../../../functions/sources/guardduty/index.ts';
import { readJson } from '../run-source.ts';
import { corpusFiles } from '../shared/run-with-skips.ts';
import { outlineOf, recordsAndSkips, type RecordOutline } from '../shared/aws-source-run.ts';

// Real GuardDuty findings kept beside the project, outside the repository (their licences
// differ). A fresh clone lacks the folder, and then these tests are skipped.
const { folder, files } = corpusFiles('guardduty');
const read = (name: string) => readJson(pathToFileURL(`${folder}/${name}`));

/** What each file gives; a file added later must be listed here, so none gives records unseen. */
const EXPECTED: Record<string, RecordOutline> = {
  // An AWS-generated sample finding in an event reduced to "region" and "detail".
  'eventbridge-partial-sample-finding-sshbruteforce.json': {
    cis: [],
    observables: [],
    findings: {},
    skipped: ['sample_finding'],
  },
  // A canary finding: its remote and private addresses are 0.0.0.0, so only the public one counts.
  'finding-ec2-canary-stateless-integtest.json': {
    cis: ['i-05746eb48123455e0 (AWS EC2 instance)'],
    observables: ['11.111.111.1'],
    findings: {},
    skipped: [],
  },
  // A sample finding (and archived): left out although its type is MaliciousIPCaller.
  'finding-iam-accesskey.json': {
    cis: [],
    observables: [],
    findings: {},
    skipped: ['sample_finding'],
  },
};

describe.skipIf(files.length === 0)('guardduty corpus', () => {
  it('has an expectation for every file', () => {
    expect(files).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(files)('%s gives the expected records', (name) => {
    const outline = outlineOf(guardDutySource, read(name));

    expect(outline).toEqual(EXPECTED[name]);
    // Never a silent empty result: no records means a reported skip.
    expect(outline.cis.length + outline.skipped.length).toBeGreaterThan(0);
  });

  it('keeps the unspecified address 0.0.0.0 out of records', () => {
    const { records } = recordsAndSkips(
      guardDutySource,
      read('finding-ec2-canary-stateless-integtest.json'),
    );

    expect(JSON.stringify(records)).not.toContain('0.0.0.0');
  });
});
