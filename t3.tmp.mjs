import { Parser, Language } from 'web-tree-sitter';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
await Parser.init();
const lang = await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm'));
const p = new Parser(); p.setLanguage(lang);
const cases = JSON.parse(process.argv[2]);
function la(state){ const it = lang.lookaheadIterator(state); if(!it) return '?'; const s=[...it]; it.delete(); return s.length>12? s.length+' syms': s.join(' '); }
for (const code of cases) {
  console.log('=== ' + JSON.stringify(code));
  const tree = p.parse(code);
  function dump(n, d=0){ console.log(' '.repeat(d)+n.type, n.isMissing?'MISSING':'', n.startPosition.row+':'+n.startPosition.column, 'ps='+n.parseState, 'nps='+n.nextParseState, n.childCount===0? '['+la(n.nextParseState)+']':'', JSON.stringify(n.text.slice(0,30))); for (const c of n.children) dump(c,d+2); }
  dump(tree.rootNode);
}
