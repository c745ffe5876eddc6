// Writes the command reference into README.md between <!-- commands --> and <!-- commandsstop -->,
// from the commands' own help (what `oclif readme` does). `--check` exits 1 when the README is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Config, Help } from '@oclif/core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const config = await Config.load(root);
const help = new Help(config, { stripAnsi: true, maxWidth: 100 });
const commands = [...config.commands].filter((c) => !c.hidden).sort((a, b) => (a.id < b.id ? -1 : 1));
// eslint-disable-next-line no-control-regex -- removing ANSI colour codes is the point
const strip = (s) => s.replace(/\u001b\[[0-9;]*m/g, '').replace(/[ \t]+$/gm, '');
const sections = commands.map((c) => {
  const id = c.id.replace(/:/g, ' ');
  return `### \`${config.bin} ${id}\`\n\n${c.summary ?? ''}\n\n\`\`\`\n${strip(help.formatCommand(c)).trim()}\n\`\`\``;
});
const body = `<!-- commands -->\n${sections.join('\n\n')}\n<!-- commandsstop -->`;
const file = join(root, 'README.md');
const readme = readFileSync(file, 'utf8');
const next = readme.replace(/<!-- commands -->[\s\S]*<!-- commandsstop -->/, body);
if (!readme.includes('<!-- commands -->')) throw new Error('README.md has no <!-- commands --> section');
if (process.argv.includes('--check')) {
  if (next !== readme) {
    console.error('README.md command reference is stale: run npm run readme');
    process.exit(1);
  }
} else {
  writeFileSync(file, next);
  console.log(`README.md: ${commands.length} commands`);
}
