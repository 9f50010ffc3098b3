import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { REPO_ROOT } from './config.ts';
import { temporaryDirectory } from './temporary-directory.ts';

/**
 * The esbuild options the deploy bundles each function with. infra/relay-function.ts
 * sets them as NodejsFunction bundling props, and aws-cdk-lib 2.278 turns those props
 * into these esbuild flags: `--bundle --target=node22 --platform=node --format=esm
 * --minify --sourcemap --sources-content=false --main-fields=module,main --banner:js=…`,
 * with no `--external` because `bundleAwsSDK` is true. DEPLOY_OPTION_MARKERS checks that
 * the construct still says so.
 */
export const DEPLOY_BUILD_OPTIONS = {
  bundle: true,
  target: 'node22',
  platform: 'node',
  format: 'esm',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  banner: {
    js: "import { createRequire as relayCreateRequire } from 'node:module'; const require = relayCreateRequire(import.meta.url);",
  },
  external: [],
} as const satisfies BuildOptions;

/** Text in infra/relay-function.ts that must stand as it does for DEPLOY_BUILD_OPTIONS to be true. */
const DEPLOY_OPTION_MARKERS = [
  'runtime: lambda.Runtime.NODEJS_22_X',
  'format: OutputFormat.ESM',
  'minify: true',
  'sourceMap: true',
  'sourceMapMode: SourceMapMode.DEFAULT',
  'sourcesContent: false',
  'bundleAwsSDK: true',
  "mainFields: ['module', 'main']",
  `"${DEPLOY_BUILD_OPTIONS.banner.js}"`,
];

/** The deployed functions, by name, with the handler module infra/secops-relay.ts deploys. */
export const FUNCTION_ENTRIES = {
  ingest: 'functions/ingest/handler.ts',
  forward: 'functions/forward/handler.ts',
} as const;

export type FunctionName = keyof typeof FUNCTION_ENTRIES;

export interface FunctionBundles {
  /** The function's bundle (index.mjs). */
  relay: string;
  /**
   * A bundle that only creates one client of each AWS SDK package the function's bundle
   * contains, and returns: the cold-start baseline.
   */
  baseline: string;
  /** Bundle sizes in bytes, without the source maps. */
  relayBytes: number;
  baselineBytes: number;
  /** The SDK client classes the baseline creates, such as "SQSClient". */
  sdkClients: string[];
}

export interface Bundles {
  functions: Record<FunctionName, FunctionBundles>;
  /** The Lambda runner, a plain Node script. */
  runner: string;
}

/**
 * Throws when infra/relay-function.ts no longer bundles the way DEPLOY_BUILD_OPTIONS
 * assumes, so the benchmark never measures bundles the deploy would not build.
 */
export async function checkDeployOptions(): Promise<void> {
  const source = await readFile(join(REPO_ROOT, 'infra/relay-function.ts'), 'utf8');
  const missing = DEPLOY_OPTION_MARKERS.filter((marker) => !source.includes(marker));
  if (missing.length > 0) {
    throw new Error(
      `infra/relay-function.ts no longer contains ${missing.join(', ')}; update DEPLOY_BUILD_OPTIONS ` +
        'in bench/lib/bundle.ts to bundle as the deploy does.',
    );
  }
}

/**
 * Bundles each function with the deploy's options into `directory`, then its baseline
 * from the SDK client packages esbuild put into the function's bundle, so the baseline
 * follows the code when a function starts using another AWS service.
 */
export async function buildBundles(directory: string): Promise<Bundles> {
  await checkDeployOptions();
  const functions = {} as Bundles['functions'];
  for (const [name, entry] of Object.entries(FUNCTION_ENTRIES) as [FunctionName, string][]) {
    const relay = join(directory, name, 'index.mjs');
    const { metafile } = await build({
      ...DEPLOY_BUILD_OPTIONS,
      absWorkingDir: REPO_ROOT,
      entryPoints: [join(REPO_ROOT, entry)],
      outfile: relay,
      metafile: true,
      logLevel: 'error',
    });
    const sdkClients = await sdkClientImports(Object.keys(metafile.inputs));
    const baseline = join(directory, `${name}-baseline`, 'index.mjs');
    await build({
      ...DEPLOY_BUILD_OPTIONS,
      absWorkingDir: REPO_ROOT,
      stdin: { contents: baselineSource(sdkClients), resolveDir: REPO_ROOT, loader: 'ts' },
      outfile: baseline,
      logLevel: 'error',
    });
    functions[name] = {
      relay,
      baseline,
      relayBytes: (await stat(relay)).size,
      baselineBytes: (await stat(baseline)).size,
      sdkClients: sdkClients.map((client) => client.className),
    };
  }

  const runner = join(directory, 'runner', 'runner.mjs');
  await build({
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    absWorkingDir: REPO_ROOT,
    entryPoints: [join(REPO_ROOT, 'bench/workers/lambda-runner.ts')],
    outfile: runner,
    logLevel: 'error',
  });
  return { functions, runner };
}

interface SdkClientImport {
  packageName: string;
  className: string;
}

/** Finds the `@aws-sdk/client-*` packages among a bundle's inputs and the client class each exports. */
async function sdkClientImports(inputs: string[]): Promise<SdkClientImport[]> {
  const packages = new Set<string>();
  for (const input of inputs) {
    const match = /node_modules\/@aws-sdk\/(client-[a-z0-9-]+)\//.exec(input);
    if (match !== null) packages.add(`@aws-sdk/${match[1]}`);
  }
  const imports: SdkClientImport[] = [];
  for (const packageName of [...packages].sort()) {
    const exports = Object.keys((await import(packageName)) as Record<string, unknown>);
    const className = exports.find((key) => /^[A-Z]\w*Client$/.test(key));
    if (className === undefined) throw new Error(`${packageName} exports no *Client class.`);
    imports.push({ packageName, className });
  }
  return imports;
}

/** Source of a handler that creates one client of each package at start-up and returns at once. */
function baselineSource(clients: SdkClientImport[]): string {
  const imports = clients.map(
    ({ packageName, className }) => `import { ${className} } from '${packageName}';`,
  );
  const created = clients.map(({ className }) => `new ${className}({})`);
  return [
    ...imports,
    `const clients = [${created.join(', ')}];`,
    'export const handler = async () => ({ statusCode: 200, clients: clients.length });',
  ].join('\n');
}

let workerDirectory: Promise<string> | undefined;

/**
 * Bundles `bench/workers/<name>.ts` with the deploy's esbuild options, without a source
 * map, into a directory removed when this process exits, and returns the bundle's path.
 * A worker that measures the functions runs this bundle with plain node, so it runs the
 * code as the deploy ships it: minified, and without tsx's loader or its helper calls.
 */
export async function bundleWorker(name: string): Promise<string> {
  workerDirectory ??= temporaryDirectory('secops-relay-bench-workers-');
  const outfile = join(await workerDirectory, `${name}.mjs`);
  await build({
    ...DEPLOY_BUILD_OPTIONS,
    sourcemap: false,
    absWorkingDir: REPO_ROOT,
    entryPoints: [join(REPO_ROOT, 'bench/workers', `${name}.ts`)],
    outfile,
    logLevel: 'error',
  });
  return outfile;
}
