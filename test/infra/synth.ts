import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../functions/config/load.ts';
import type { RelayConfigInput } from '../../functions/config/schema.ts';
import { RelayStack } from '../../infra/relay-stack.ts';
import { SecOpsRelay, type SecOpsRelayProps } from '../../infra/secops-relay.ts';

/** Context that skips esbuild bundling, so a synthesis takes seconds and needs no handler build. */
export const SKIP_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

/** Synthesizes the repository's stack for a configuration given as JSON input. */
export function synthRelayStack(input: RelayConfigInput): {
  stack: RelayStack;
  template: Template;
} {
  const app = new App({ context: SKIP_BUNDLING });
  const stack = new RelayStack(app, 'TestRelay', { config: parseConfig(input) });
  return { stack, template: Template.fromStack(stack) };
}

/** Synthesizes the reusable construct alone in a bare stack, as a partner's app would use it. */
export function synthRelayConstruct(
  input: RelayConfigInput,
  extraProps: Omit<SecOpsRelayProps, 'config'> = {},
  prepare?: (stack: Stack) => Omit<SecOpsRelayProps, 'config'>,
): { relay: SecOpsRelay; template: Template } {
  const app = new App({ context: SKIP_BUNDLING });
  const stack = new Stack(app, 'PartnerStack');
  const relay = new SecOpsRelay(stack, 'Relay', {
    config: parseConfig(input),
    ...extraProps,
    ...prepare?.(stack),
  });
  return { relay, template: Template.fromStack(stack) };
}

/** A configuration that turns on every optional part: event sources, a partner bus and alarm mail. */
export const FULL_CONFIG: RelayConfigInput = {
  sources: {
    virustotal: { secretName: 'secops-relay/source/virustotal', auth: { type: 'token' } },
    generic: { secretName: 'secops-relay/source/generic', auth: { type: 'hmac' } },
    guardduty: { secretName: 'secops-relay/source/guardduty' },
    securityhub: { secretName: 'secops-relay/source/securityhub' },
    // A partner publishes records in the relay's own shape on its event bus.
    'standard-webhooks': {
      secretName: 'secops-relay/source/standard-webhooks',
      auth: { type: 'standard-webhooks' },
    },
  },
  deployment: {
    alarms: { email: 'secops-oncall@example.com' },
    partnerEventBus: {
      name: 'aws.partner/example.com/123456/relay',
      sourceId: 'standard-webhooks',
      eventPattern: { source: ['aws.partner/example.com'], detailType: ['Detection'] },
    },
  },
};
