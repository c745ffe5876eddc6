// Build step: writes oclif.manifest.json so oclif finds commands without importing every
// command module at start-up (the same file `oclif manifest` writes).
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Config } from '@oclif/core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// oclif reads an existing manifest instead of the commands: start from none.
rmSync(join(root, 'oclif.manifest.json'), { force: true });
const config = await Config.load(root);
const plugin = config.plugins.get(config.pjson.name);
if (!plugin) throw new Error(`plugin ${config.pjson.name} not found`);
writeFileSync(join(root, 'oclif.manifest.json'), `${JSON.stringify(plugin.manifest, null, 2)}\n`);
console.log(`oclif.manifest.json: ${Object.keys(plugin.manifest.commands).length} commands`);
