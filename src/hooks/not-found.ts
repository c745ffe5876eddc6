/**
 * oclif's `command_not_found` hook: an unknown command is a usage error (exit 64, never 2, which
 * means changes/partial success) with the nearest command; the word is repeated only when it
 * looks like a command name, so a secret typed in its place is never printed.
 */
import type { Hook } from '@oclif/core';
import { Errors } from '@oclif/core';
import { argvWantsJson } from '../base.js';
import { EXIT, errorJson, UsageError } from '../errors.js';
import { styleFor } from '../ui/style.js';
import { safeWord } from '../ui/usage.js';
import { nearest } from '../util/nearest.js';

/** The nearest command to the words typed, trying the longest command-shaped prefix first. */
export function nearestCommand(words: readonly string[], commands: readonly string[]): string | undefined {
  for (let n = Math.min(3, words.length); n >= 1; n--) {
    const typed = words.slice(0, n).join(' ');
    const candidates = commands.filter((c) => c.split(' ').length === n);
    const found = nearest(typed, candidates);
    if (found !== undefined) return found;
  }
  return undefined;
}

export function unknownCommand(
  words: readonly string[],
  commands: readonly string[],
  bin: string,
): UsageError {
  const leading: string[] = [];
  for (const w of words.slice(0, 3)) {
    if (safeWord(w) === undefined || w.startsWith('-')) break;
    leading.push(w);
  }
  // Only a topic (`server`) is followed by more command words; the rest are arguments.
  const topic = leading[0] !== undefined && commands.some((c) => c.startsWith(`${leading[0]} `));
  const typed = topic ? leading : leading.slice(0, 1);
  const suggestion = nearestCommand(typed, commands);
  // A word near no command may be anything, a secret pasted in the wrong place included: not shown.
  return new UsageError(
    typed.length > 0 && suggestion !== undefined
      ? `unknown command: ${bin} ${typed.join(' ')}`
      : 'unknown command (not shown)',
    suggestion !== undefined
      ? `did you mean ${bin} ${suggestion}? (${bin} help lists the commands)`
      : `${bin} help lists the commands`,
  );
}

const hook: Hook<'command_not_found'> = async function (options) {
  const words = options.id.split(/[: ]/);
  const commands = options.config.commands.filter((c) => !c.hidden).map((c) => c.id.replace(/:/g, ' '));
  const err = unknownCommand(words, commands, options.config.bin);
  const noColor = process.argv.includes('--no-color') || process.argv.includes('--nocolor');
  const style = styleFor(process.stderr, noColor);
  process.stderr.write(`${style.red('error')} ${err.code} ${err.message}\n  hint: ${err.hint ?? ''}\n`);
  if (argvWantsJson(options.argv ?? [])) {
    process.stdout.write(`${JSON.stringify({ status: 'ERROR', error: errorJson(err) }, null, 2)}\n`);
  }
  throw new Errors.ExitError(EXIT.USAGE);
};

export default hook;
