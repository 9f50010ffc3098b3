import fc from 'fast-check';

// Property tests run with a fixed seed so that CI is repeatable; set FC_SEED to explore
// other inputs (FC_SEED=random picks a new seed on every run).
const seedText = process.env.FC_SEED ?? '20261204';
if (seedText !== 'random') {
  const seed = Number(seedText);
  if (!Number.isInteger(seed))
    throw new Error(`FC_SEED must be an integer or "random"; got "${seedText}".`);
  fc.configureGlobal({ seed });
}
