/**
 * References: `&{id}` and `&{id:field}` inside any string. Ids match [A-Za-z0-9_.-]+; no nesting,
 * no line breaks. `${...}` and `{{...}}` (workflow templating) are not references.
 */
export interface ReferenceMatch {
  /** Offset of the `&` in the string. */
  offset: number;
  /** Length of the whole `&{...}` text. */
  length: number;
  id: string;
  field: string | null;
}

export interface MalformedReference {
  offset: number;
  text: string;
}

const REFERENCE = /&\{([A-Za-z0-9_.-]+)(?::([A-Za-z0-9_.-]+))?\}/g;
const OPENER = /&\{/g;

export function findReferences(text: string): {
  references: ReferenceMatch[];
  malformed: MalformedReference[];
} {
  const references: ReferenceMatch[] = [];
  const malformed: MalformedReference[] = [];
  if (!text.includes('&{')) return { references, malformed };
  const good = new Set<number>();
  for (const m of text.matchAll(REFERENCE)) {
    good.add(m.index);
    references.push({ offset: m.index, length: m[0].length, id: m[1] as string, field: m[2] ?? null });
  }
  for (const m of text.matchAll(OPENER)) {
    if (good.has(m.index)) continue;
    // Only the start of the text is looked at: what is reported is cut short anyway.
    const end = text.slice(m.index, m.index + 200).search(/[}\n]/);
    malformed.push({
      offset: m.index,
      text: end === -1 ? text.slice(m.index, m.index + 40) : text.slice(m.index, m.index + end + 1),
    });
  }
  return { references, malformed };
}

/** Replaces every reference in `text` with what `resolve` returns for it. */
export function substituteReferences(
  text: string,
  resolve: (id: string, field: string | null) => string,
): string {
  if (!text.includes('&{')) return text;
  return text.replace(REFERENCE, (_whole, id: string, field: string | undefined) =>
    resolve(id, field ?? null),
  );
}

export const FILE_REFERENCE = /^@\{([^}]+)\}$/;
