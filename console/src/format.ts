import type { ProductVersion, VersionNumber } from './model.js';

export function versionNumber(n: VersionNumber | undefined): string {
  if (!n) return '';
  return `${n.major}.${n.minor}.${n.patch}${n.label === '' ? '' : `-${n.label}`}`;
}

/** A version as people name it: its number, or its id when it has none. */
export function versionLabel(v: ProductVersion | undefined, id: string): string {
  if (id === '') return 'none';
  const n = versionNumber(v?.display_version_number);
  return n === '' ? id : n;
}

/** Timestamps in UTC, to the second: the same for everyone looking at one environment. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** ACCOUNT_STATUS_OPEN reads as "open". */
export function enumLabel(value: string, prefix: string): string {
  return value.replace(prefix, '').replaceAll('_', ' ').toLowerCase();
}
