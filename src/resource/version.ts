/**
 * Product version numbers: the code's `version = "x.y.z"` string and the server's
 * `display_version_number: {major, minor, patch, label}`. One pair of functions, used by the server
 * (which labels the version it stores) and the client (which matches versions it finds), so that
 * `formatVersion(parseVersion(v)) === v` for every Semantic Versioning 2.0.0 string: a version
 * with build metadata is found again on re-import.
 */
import { SEMVER } from '../code/contract.js';

export interface VersionNumber {
  major: number;
  minor: number;
  patch: number;
  /**
   * Pre-release and build parts as Vault labels them: `rc.1`, `rc.1+build.5`, `+build.5` (a build
   * without a pre-release keeps its `+`, so the label alone says which part it is); "" for a release.
   */
  label: string;
}

/** The version number of a SemVer string, or null when it is not one. */
export function parseVersion(text: string): VersionNumber | null {
  const m = SEMVER.exec(text);
  if (!m) return null;
  const preRelease = m[4];
  const build = m[5];
  return {
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: Number(m[3]),
    label: build === undefined ? (preRelease ?? '') : `${preRelease ?? ''}+${build}`,
  };
}

/** The SemVer string of a version number: the inverse of `parseVersion`. */
export function formatVersion(n: VersionNumber): string {
  const core = `${n.major}.${n.minor}.${n.patch}`;
  if (n.label === '') return core;
  return n.label.startsWith('+') ? `${core}${n.label}` : `${core}-${n.label}`;
}
