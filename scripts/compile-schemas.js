// Build step: compiles every schema in schemas/ to standalone validation code (ajv standalone),
// so a process validates without compiling schemas at start-up. Output: dist/schema/compiled.cjs.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'schemas');
const base = 'https://strata.local/schemas/';

function files(d, prefix = '') {
  return readdirSync(d, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory()
        ? files(join(d, e.name), `${prefix}${e.name}/`)
        : e.name.endsWith('.schema.json')
          ? [`${prefix}${e.name}`]
          : [],
    )
    .sort();
}

// The options must match src/schema/index.ts so both paths report the same errors.
const ajv = new Ajv2020({
  allErrors: true,
  strict: true,
  verbose: true,
  allowUnionTypes: true,
  code: { source: true },
});
ajv.addKeyword({ keyword: 'x-strata', schemaType: 'object' });
ajv.addKeyword({ keyword: 'markdownEnumDescriptions', schemaType: 'array' });
const names = files(dir);
// Each file's relative $id (its own name, for editors) resolved against its place under base, as
// withAbsoluteId in src/schema/index.ts does.
for (const f of names) {
  const schema = JSON.parse(readFileSync(join(dir, f), 'utf8'));
  ajv.addSchema({ ...schema, $id: new URL(schema.$id ?? f.split('/').pop(), `${base}${f}`).href });
}
const exports = Object.fromEntries(names.map((f) => [f.replace(/\.schema\.json$/, ''), `${base}${f}`]));
const out = join(root, 'dist', 'schema', 'compiled.cjs');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, standaloneCode.default(ajv, exports));
console.log(`compiled ${names.length} schemas to ${out.slice(root.length + 1)}`);
