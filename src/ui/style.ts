/** Terminal styling: colour only on a TTY, never with NO_COLOR or --no-color. */
export interface Style {
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;

export const plain: Style = { red: String, yellow: String, green: String, dim: String, bold: String };
export const colored: Style = {
  red: wrap(31, 39),
  yellow: wrap(33, 39),
  green: wrap(32, 39),
  dim: wrap(2, 22),
  bold: wrap(1, 22),
};

export function styleFor(
  stream: { isTTY?: boolean },
  noColor: boolean,
  env: NodeJS.ProcessEnv = process.env,
): Style {
  if (noColor || env.NO_COLOR !== undefined || !stream.isTTY) return plain;
  return colored;
}
