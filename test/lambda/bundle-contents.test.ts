import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { DEPLOY_BUILD_OPTIONS, FUNCTION_ENTRIES } from '../../bench/lib/bundle.ts';

/**
 * Modules of zod's translations. They reach a function bundle only when code reads a zod
 * namespace at run time (`z.core.X`, `z.locales`), because esbuild then keeps every export of
 * that namespace. That once added about 330 KB to each function and slowed its cold start.
 */
const UNWANTED = ['zod/v4/locales/he.js', 'zod/v4/locales/ru.js'];

describe('function bundles', () => {
  it.each(Object.entries(FUNCTION_ENTRIES))(
    '%s leaves unused zod modules out',
    async (_name, entry) => {
      const { metafile } = await build({
        ...DEPLOY_BUILD_OPTIONS,
        sourcemap: false,
        entryPoints: [entry],
        write: false,
        outdir: 'unused',
        metafile: true,
        logLevel: 'silent',
      });
      const output = Object.values(metafile.outputs).find((file) => file.entryPoint !== undefined)!;
      const bundled = Object.entries(output.inputs)
        .filter(([, input]) => input.bytesInOutput > 0)
        .map(([path]) => path);

      for (const module of UNWANTED) {
        expect(bundled.filter((path) => path.endsWith(module))).toEqual([]);
      }
    },
  );
});
