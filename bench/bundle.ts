import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

/** `@nts/react` plus `@nts/client`, minified, gzipped, with react and react-query external. */
export async function hookBundleGzipBytes(): Promise<number> {
  const result = await build({
    entryPoints: [new URL('../packages/react/src/index.ts', import.meta.url).pathname],
    bundle: true,
    minify: true,
    format: 'esm',
    write: false,
    external: ['react', 'react-dom', '@tanstack/react-query'],
    logLevel: 'silent',
  })
  return gzipSync(result.outputFiles[0]!.contents, { level: 9 }).length
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await hookBundleGzipBytes())
