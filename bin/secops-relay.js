#!/usr/bin/env node
// Entry point of `npx secops-relay`: checks the Node version, then runs the TypeScript CLI
// through tsx, so no build step is needed before a local run.
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  process.stderr.write(
    `secops-relay needs Node.js 22 or later (the Lambda runtime nodejs22.x); this is ${process.version}.\n`,
  );
  process.exit(1);
}

const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
