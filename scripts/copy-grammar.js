// Build step: copies tree-sitter-python's grammar (.wasm) beside the built parser module, so the
// published package carries the one file it needs from tree-sitter-python (a devDependency, whose
// native install script users would otherwise run for nothing). src/code/python.ts looks there.
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const source = join(dirname(require.resolve('tree-sitter-python/package.json')), 'tree-sitter-python.wasm');
const target = join(root, 'dist', 'code', 'tree-sitter-python.wasm');
mkdirSync(dirname(target), { recursive: true });
copyFileSync(source, target);
console.log(`grammar: ${target.slice(root.length + 1)}`);
