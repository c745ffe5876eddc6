import { Parser, Language } from 'web-tree-sitter';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
await Parser.init();
const lang = await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm'));
const p = new Parser(); p.setLanguage(lang);
const cases = JSON.parse(process.argv[2]);
for (const code of cases) {
  console.log('=== ' + JSON.stringify(code));
  const tree = p.parse(code);
  function dump(n, d=0){ if (n.hasError || n.isError || n.isMissing || d<2) { console.log(' '.repeat(d)+n.type, n.isMissing?'MISSING':'', n.startPosition.row+':'+n.startPosition.column, '-', n.endPosition.row+':'+n.endPosition.column, JSON.stringify(n.text.slice(0,40))); for (const c of n.children) dump(c,d+2);} }
  dump(tree.rootNode);
}
