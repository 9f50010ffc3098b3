import { ConfigError } from '../config/load.ts';
import type { RelayConfig } from '../config/schema.ts';
import { closestMatch } from '../shared/closest-match.ts';
import type { SourceAdapter } from './source.ts';

/**
 * Checks that every enabled source in the configuration has an adapter, and that webhook
 * sources authenticate. A typo in a source id would otherwise deploy a route or an
 * EventBridge rule whose data is then rejected. `origin` names where the configuration came
 * from, as for `parseConfig`, so the error points at the file to fix.
 */
export function checkConfiguredSources(
  config: RelayConfig,
  getSource: (id: string) => SourceAdapter | undefined,
  knownIds: readonly string[],
  origin = 'configuration',
): void {
  const problems: string[] = [];
  for (const [id, settings] of Object.entries(config.sources)) {
    if (!settings.enabled) continue;
    const adapter = getSource(id);
    if (adapter === undefined) {
      const match = closestMatch(id, knownIds);
      problems.push(
        match === undefined
          ? `  sources.${id}: no source has this id; known sources: ${knownIds.join(', ')}`
          : `  sources.${id}: no source has this id; did you mean "${match}"?`,
      );
      continue;
    }
    if (adapter.channel !== 'eventbridge' && settings.auth.type === 'none') {
      problems.push(
        `  sources.${id}.auth.type: "${id}" receives webhooks, so it must authenticate them ("token", "hmac" or "standard-webhooks")`,
      );
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(`Invalid ${origin}:\n${problems.join('\n')}`);
  }
}
