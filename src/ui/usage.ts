/**
 * Usage errors as people need them: what was wrong, the nearest valid spelling, and never a value
 * that may be a secret (`--auth-tokn=SECRET`, a token passed where an argument was expected).
 * oclif's parser errors are turned into one `UsageError` each; their values are dropped.
 */
import { Errors } from '@oclif/core';
import { UsageError } from '../errors.js';
import { nearest } from '../util/nearest.js';

/** What a usage message needs to know about the command. */
export interface CommandShape {
  /** `import`, `server token create`. */
  name: string;
  flags: Record<
    string,
    { allowNo?: boolean; aliases?: string[]; options?: readonly string[]; char?: string }
  >;
  args: Record<string, { description?: string; required?: boolean }>;
  examples: string[];
  bin: string;
}

/** A word that is safe and useful to repeat: a plausible flag or command name, not a secret. */
export function safeWord(word: string): string | undefined {
  return /^-{0,2}[A-Za-z][A-Za-z0-9-]{0,31}$/.test(word) ? word : undefined;
}

function flagNames(shape: CommandShape): string[] {
  const names: string[] = ['help'];
  for (const [name, f] of Object.entries(shape.flags)) {
    names.push(name, ...(f.aliases ?? []));
    if (f.allowNo) names.push(`no-${name}`);
  }
  return names;
}

function unknownFlag(raw: string, shape: CommandShape): UsageError {
  // The name only: whatever follows `=` is a value, and values are never echoed.
  const name = raw.split('=')[0] ?? raw;
  const suggestion = nearest(name.replace(/^-+/, ''), flagNames(shape));
  // A name near no flag may be anything, a secret pasted in the wrong place included: not shown.
  const shown = suggestion !== undefined ? safeWord(name) : undefined;
  return new UsageError(
    shown
      ? `unknown flag ${shown} for ${shape.bin} ${shape.name}`
      : `unknown flag (not shown) for ${shape.bin} ${shape.name}`,
    suggestion
      ? `did you mean --${suggestion}? (${shape.bin} ${shape.name} --help lists the flags)`
      : `${shape.bin} ${shape.name} --help lists the flags`,
  );
}

function missingArgs(shape: CommandShape): UsageError {
  const missing = Object.entries(shape.args).filter(([, a]) => a.required);
  const what = missing
    .map(([n, a]) => `${n.toUpperCase()}${a.description ? ` (${a.description})` : ''}`)
    .join(', ');
  const example = shape.examples[0]?.replace(/<%= config.bin %>/g, shape.bin);
  return new UsageError(
    `${shape.bin} ${shape.name} needs ${what || 'an argument'}`,
    example ? `for example: ${example.replace(/^\$ /, '')}` : `see ${shape.bin} ${shape.name} --help`,
  );
}

function extraArgs(count: number, shape: CommandShape): UsageError {
  const takes = Object.keys(shape.args).map((n) => n.toUpperCase());
  return new UsageError(
    `${shape.bin} ${shape.name} takes ${takes.length === 0 ? 'no arguments' : `one ${takes.join(' ')}`}; ${count} more given (not shown)`,
    `a value with spaces needs quotes; a flag's value follows it (--flag VALUE); see ${shape.bin} ${shape.name} --help`,
  );
}

/** Rewrites oclif's "Expected --x=VALUE to be one of: a, b" and similar without the value. */
function invalidOption(message: string, shape: CommandShape): UsageError {
  const flag = /--([a-z][a-z0-9-]*)/.exec(message)?.[1];
  const options = flag !== undefined ? shape.flags[flag]?.options : undefined;
  if (flag !== undefined && options)
    return new UsageError(
      `--${flag} must be one of: ${options.join(', ')}`,
      `see ${shape.bin} ${shape.name} --help`,
    );
  return new UsageError(redactValues(message), `see ${shape.bin} ${shape.name} --help`);
}

/** Drops what follows `=` in `--flag=value` and oclif's "but received: value". */
export function redactValues(message: string): string {
  return message
    .replace(/(--[A-Za-z0-9-]+)=\S*/g, '$1')
    .replace(/\s*but received:[\s\S]*$/i, '')
    .replace(/^Parsing (--[A-Za-z0-9-]+)\s*\n\s*/, '$1: ')
    .replace(/\nSee more help with --help/g, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join('; ');
}

function failedValidation(message: string, shape: CommandShape): UsageError {
  const required = [...message.matchAll(/Missing required flag ([a-z][a-z0-9-]*)/g)].map(
    (m) => m[1] as string,
  );
  if (required.length > 0) {
    const described = required.map((name) => {
      const options = shape.flags[name]?.options;
      return `--${name}${options ? ` (one of ${options.join(', ')})` : ''}`;
    });
    const example = shape.examples[0]?.replace(/<%= config.bin %>/g, shape.bin);
    return new UsageError(
      `${shape.bin} ${shape.name} needs ${described.join(' and ')}`,
      example ? `for example: ${example}` : `see ${shape.bin} ${shape.name} --help`,
    );
  }
  return new UsageError(
    redactValues(message.replace(/^The following errors? occurred:\s*/, '')),
    `see ${shape.bin} ${shape.name} --help`,
  );
}

/** The usage error an oclif parse failure is. Anything thrown by the parser is a usage error. */
export function usageErrorFrom(err: unknown, shape: CommandShape): UsageError {
  if (err instanceof UsageError) return err;
  // eslint-disable-next-line no-control-regex -- oclif colours parts of its messages
  const message = ((err as Error).message ?? String(err)).replace(/\u001b\[[0-9;]*m/g, '');
  const e = err as { flags?: string[]; args?: unknown[] };
  if (err instanceof Errors.CLIError && message.startsWith('Nonexistent flag') && Array.isArray(e.flags))
    return unknownFlag(e.flags[0] ?? '', shape);
  if (message.startsWith('Missing') && message.includes('required arg')) return missingArgs(shape);
  if (message.startsWith('Unexpected argument') && Array.isArray(e.args))
    return extraArgs(e.args.length, shape);
  if (/^Expected .* to be one of/.test(message)) return invalidOption(message, shape);
  if (/^Flag --[a-z0-9-]+ expects one of these values/.test(message)) return invalidOption(message, shape);
  if (message.startsWith('The following error')) return failedValidation(message, shape);
  return new UsageError(redactValues(message), `see ${shape.bin} ${shape.name} --help`);
}
