/**
 * Natural keys (`Matching` in `./spec.ts`) as values: a resource's and a server object's key are
 * equal strings exactly when the object is the one the resource describes.
 */
import { canonicalJson } from '../util/canonical.js';
import { isRecord } from '../util/record.js';
import { offlineId } from './index.js';
import type { Fields, NaturalKey, ResourceTypeSpec } from './spec.js';
import { formatVersion } from './version.js';

/** What the client knows about a resource when it looks for its object. */
export interface MatchSubject {
  /** The payload object with references resolved. */
  object: Fields;
  /** The version in the code of a product version, as written. */
  codeVersion: string | null;
}

function fieldsKey(object: Fields, fields: readonly string[]): string | undefined {
  const values = fields.map((f) => object[f]);
  return values.includes(undefined) ? undefined : canonicalJson(values);
}

/** The resource's value of `key`; undefined when it lacks one (the next key decides). */
export function resourceKey(
  spec: ResourceTypeSpec,
  key: NaturalKey,
  subject: MatchSubject,
): string | undefined {
  switch (key.by) {
    case 'id':
      return offlineId(spec, subject.object);
    case 'version':
      return subject.codeVersion ?? undefined;
    case 'fields':
      return fieldsKey(subject.object, key.fields);
  }
}

/** A server object's value of `key`. */
export function objectKey(key: NaturalKey, object: Fields): string | undefined {
  switch (key.by) {
    case 'id':
      return typeof object.id === 'string' ? object.id : undefined;
    case 'version': {
      const n = object.display_version_number;
      if (!isRecord(n)) return undefined;
      return formatVersion({
        major: Number(n.major),
        minor: Number(n.minor),
        patch: Number(n.patch),
        label: typeof n.label === 'string' ? n.label : '',
      });
    }
    case 'fields':
      return fieldsKey(object, key.fields);
  }
}

/** The first of the type's keys the resource has, with its value; undefined when it has none. */
export function naturalKeyOf(
  spec: ResourceTypeSpec,
  subject: MatchSubject,
): { key: NaturalKey; value: string } | undefined {
  for (const key of spec.match.keys) {
    const value = resourceKey(spec, key, subject);
    if (value !== undefined) return { key, value };
  }
  return undefined;
}
