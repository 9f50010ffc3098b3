import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config/load.ts';
import type { RelayConfigInput } from '../../functions/config/schema.ts';
import { addRelayStack } from '../../infra/relay-app.ts';
import { RelayStack } from '../../infra/relay-stack.ts';
import { FULL_CONFIG, SKIP_BUNDLING } from './synth.ts';

/** The part of a resource that cdk-nag's writeSuppressionsToCloudFormation option fills in. */
interface NagMetadata {
  Metadata?: { cdk_nag?: { rules_to_suppress?: Array<{ id: string; reason: string }> } };
}

interface Finding {
  rule: string;
  severity: string;
  path: string;
}

const workDir = mkdtempSync(join(tmpdir(), 'relay-nag-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/**
 * Synthesizes the app as `npx cdk synth` would, cdk-nag included, and returns the
 * AwsSolutions findings of the validation report that nothing acknowledged.
 */
function synthFindings(
  name: string,
  input: RelayConfigInput,
  extend?: (stack: Stack) => void,
): Finding[] {
  const configPath = join(workDir, `${name}.json`);
  writeFileSync(configPath, JSON.stringify(input));
  const outdir = join(workDir, `${name}.out`);
  const app = new App({ outdir, context: { ...SKIP_BUNDLING, config: configPath } });
  const stack = addRelayStack(app);
  extend?.(stack);

  try {
    app.synth();
  } catch (error) {
    // Findings make an in-memory synthesis throw after it wrote the report.
    if (!String(error).includes('ValidationFailed')) throw error;
  }
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: Array<{
      pluginName: string;
      violations: Array<{
        ruleName: string;
        severity: string;
        violatingConstructs: Array<{ constructPath: string }>;
      }>;
    }>;
  };
  return report.pluginReports
    .filter((plugin) => plugin.pluginName === 'AwsSolutions')
    .flatMap((plugin) =>
      plugin.violations.flatMap((violation) =>
        violation.violatingConstructs.map((construct) => ({
          rule: violation.ruleName,
          severity: violation.severity,
          path: construct.constructPath,
        })),
      ),
    );
}

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged in the default stack', () => {
    expect(synthFindings('default', {})).toEqual([]);
  });

  it('finds nothing unacknowledged with every option on', () => {
    expect(synthFindings('full', FULL_CONFIG)).toEqual([]);
  });

  it('reports a non-compliant resource added to the stack', () => {
    const findings = synthFindings('control', {}, (stack) => {
      new sqs.Queue(stack, 'UnencryptedQueue', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    });
    expect(findings.map((finding) => finding.rule)).toContain('AwsSolutions-SQS4');
    expect(
      findings.every((finding) => finding.path.startsWith('SecOpsRelay/UnencryptedQueue')),
    ).toBe(true);
  });

  it('acknowledges only known findings, each with a reason', () => {
    const app = new App({ outdir: join(workDir, 'reasons.out'), context: SKIP_BUNDLING });
    const stack = new RelayStack(app, 'Reasons', { config: parseConfig(FULL_CONFIG) });
    Validations.of(app).addPlugins(
      new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }),
    );

    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, NagMetadata>;
    const acknowledged = Object.values(resources).flatMap(
      (resource) => resource.Metadata?.cdk_nag?.rules_to_suppress ?? [],
    );

    expect([...new Set(acknowledged.map((rule) => rule.id))].sort()).toEqual([
      'AwsSolutions-APIG4',
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-L1',
      'AwsSolutions-SQS3',
    ]);
    for (const rule of acknowledged) expect(rule.reason.length).toBeGreaterThan(60);
  });
});
