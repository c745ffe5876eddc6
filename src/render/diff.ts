/**
 * A unified diff of two texts by lines, in the format `diff -u` and `git diff` print, made by
 * jsdiff: `---`/`+++` headers, `@@ -a,b +c,d @@` hunks with context, and the
 * `\ No newline at end of file` marker where a side lacks its final newline (so a change of the
 * final newline alone shows as a changed last line, never as an empty hunk).
 */
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';

/** Unified diff from `before` to `after`, or '' when they are equal. */
export function unifiedDiff(
  before: string,
  after: string,
  fromName: string,
  toName: string,
  context = 3,
): string {
  if (before === after) return '';
  return createTwoFilesPatch(fromName, toName, before, after, undefined, undefined, {
    context,
    headerOptions: FILE_HEADERS_ONLY,
  });
}
