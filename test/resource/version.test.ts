import { describe, expect, it } from 'vitest';
import { formatVersion, parseVersion } from '../../src/resource/version.js';
import { objectKey } from '../../src/resource/keys.js';

describe('version numbers', () => {
  it.each([
    ['1.2.3', { major: 1, minor: 2, patch: 3, label: '' }],
    ['0.0.0', { major: 0, minor: 0, patch: 0, label: '' }],
    ['1.0.0-rc.1', { major: 1, minor: 0, patch: 0, label: 'rc.1' }],
    ['1.2.0+build.7', { major: 1, minor: 2, patch: 0, label: '+build.7' }],
    ['1.0.0-alpha+001', { major: 1, minor: 0, patch: 0, label: 'alpha+001' }],
    ['10.20.30-x-y.0+b-1.2', { major: 10, minor: 20, patch: 30, label: 'x-y.0+b-1.2' }],
  ])('%s parses to its number and formats back to the same string', (text, number) => {
    expect(parseVersion(text)).toEqual(number);
    expect(formatVersion(number)).toBe(text);
  });

  it('refuses what is not a semantic version', () => {
    for (const v of ['1.2', 'v1.2.3', '01.2.3', '1.2.3-', '1.2.3+', ''])
      expect(parseVersion(v), v).toBeNull();
  });

  it("matches a server object's display_version_number to the code's version string", () => {
    const key = { by: 'version' } as const;
    const object = (label: string) => ({ display_version_number: { major: 1, minor: 2, patch: 0, label } });
    expect(objectKey(key, object('+build.7'))).toBe('1.2.0+build.7');
    expect(objectKey(key, object('rc.1+build.7'))).toBe('1.2.0-rc.1+build.7');
    expect(objectKey(key, object(''))).toBe('1.2.0');
    expect(objectKey(key, {})).toBeUndefined();
  });
});
