/**
 * Text for a terminal, made safe: pack content and server messages can hold control bytes
 * (escape sequences that rewrite the screen or forge lines) and a run knows secrets (the token)
 * that must never be printed, whatever prints them.
 */

// C0 controls but tab and line feed, DEL, C1 controls, and the bidirectional overrides.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex -- the same, line feeds included
const UNPRINTABLE_LINE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

function escape(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

/** Text with every control character shown as `\xNN` (line feeds kept unless `oneLine`). */
export function printable(text: string, oneLine = false): string {
  return text.replace(oneLine ? UNPRINTABLE_LINE : UNPRINTABLE, escape);
}

/** Replaces every known secret (and each line of a multi-line one) by `***`. */
export function redact(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) {
    for (const part of [secret, ...secret.split(/\r?\n/)]) {
      const s = part.trim();
      if (s.length >= 4) out = out.split(s).join('***');
    }
  }
  return out;
}
