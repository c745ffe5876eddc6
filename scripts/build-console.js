// Builds the console (console/, Preact) with Vite into dist/console, served by `strata server
// start` at /console. Part of `npm run build`. Everything it needs is bundled: the console makes
// no network request but to the server it came from.
//
// Skipped when nothing it reads changed since the last build: the SHA-256 of console/**, this
// script and package-lock.json (the Vite and Preact that built it) is kept in OUT/.inputs-sha256
// (a hidden file: the server does not serve it). --force builds anyway; --out DIR builds elsewhere.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const quiet = args.includes('--quiet');
const outAt = args.indexOf('--out');
const outDir = outAt >= 0 && args[outAt + 1] ? resolve(args[outAt + 1]) : join(root, 'dist', 'console');
const stampFile = join(outDir, '.inputs-sha256');

function files(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]))
    .sort();
}

function inputsHash() {
  const hash = createHash('sha256');
  const inputs = [...files(join(root, 'console')), fileURLToPath(import.meta.url)];
  const lock = join(root, 'package-lock.json');
  if (existsSync(lock)) inputs.push(lock);
  for (const f of inputs)
    hash
      .update(`${relative(root, f)}\0`)
      .update(readFileSync(f))
      .update('\0');
  return hash.digest('hex');
}

const stamp = inputsHash();
const built =
  existsSync(join(outDir, 'index.html')) &&
  existsSync(stampFile) &&
  readFileSync(stampFile, 'utf8').trim() === stamp;
if (built && !args.includes('--force')) {
  if (!quiet) console.log(`console: ${relative(root, outDir)} is up to date (--force rebuilds)`);
} else {
  // Vite is loaded only to build: loading it is most of the time a skipped run would take.
  const { build } = await import('vite');
  await build({
    root: join(root, 'console'),
    base: '/console/',
    configFile: false,
    logLevel: quiet ? 'warn' : 'info',
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: {
      outDir,
      emptyOutDir: true,
      // Nothing inline: the Content-Security-Policy allows scripts and styles from files only.
      assetsInlineLimit: 0,
      modulePreload: { polyfill: false },
      target: 'es2022',
      reportCompressedSize: false,
    },
  });
  // Written only after a build that succeeded (emptyOutDir removed the old one first).
  writeFileSync(stampFile, `${stamp}\n`);
}
