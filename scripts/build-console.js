// Builds the console (console/, Preact) with Vite into dist/console, served by `strata server
// start` at /console. Part of `npm run build`. Everything it needs is bundled: the console makes
// no network request but to the server it came from.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

await build({
  root: join(root, 'console'),
  base: '/console/',
  configFile: false,
  logLevel: process.argv.includes('--quiet') ? 'warn' : 'info',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: join(root, 'dist', 'console'),
    emptyOutDir: true,
    // Nothing inline: the Content-Security-Policy allows scripts and styles from files only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2022',
    reportCompressedSize: false,
  },
});
