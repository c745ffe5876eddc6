/** The one id grammar, and the JSON Schema definition that states it for the CLI. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkSchema } from '../../src/schema/index.js';
import { ID_MAX_LENGTH, ID_PATTERN, idProblem, isValidId } from '../../src/util/id.js';

describe('id grammar', () => {
  it('accepts ids made of the id alphabet, up to the maximum length', () => {
    for (const id of [
      'a',
      'PUBLIC_HOLIDAYS',
      '1.0.0,onboarding',
      'x:y-z',
      '...',
      '.a',
      'A'.repeat(ID_MAX_LENGTH),
    ])
      expect(idProblem(id), id).toBeUndefined();
  });

  it('refuses NUL, control characters, spaces, slashes, . and .., empty and overlong ids', () => {
    const refused: Array<[unknown, RegExp]> = [
      ['a\u0000b', /letters, digits/],
      ['a\nb', /letters, digits/],
      ['a\u007fb', /letters, digits/],
      ['a\u0085b', /letters, digits/],
      ['a b', /letters, digits/],
      ['a/b', /letters, digits/],
      ['é', /letters, digits/],
      ['.', /other than \. or \.\./],
      ['..', /other than \. or \.\./],
      ['', /non-empty/],
      ['A'.repeat(ID_MAX_LENGTH + 1), /at most 256 characters \(it has 257\)/],
      [42, /a string/],
    ];
    for (const [value, problem] of refused) {
      expect(idProblem(value), JSON.stringify(value)).toMatch(problem);
      expect(isValidId(value)).toBe(false);
    }
  });

  it('is the rule of $defs/id in schemas/defs.schema.json, which the CLI validates packs with', () => {
    const defs = JSON.parse(readFileSync('schemas/defs.schema.json', 'utf8')) as {
      $defs: { id: { pattern: string; maxLength: number } };
    };
    expect(defs.$defs.id.pattern).toBe(ID_PATTERN);
    expect(defs.$defs.id.maxLength).toBe(ID_MAX_LENGTH);
    const flag = (id: string) => checkSchema('types/flag_definition', { flag_definition: { id, name: 'n' } });
    for (const id of ['.', '..', 'A'.repeat(ID_MAX_LENGTH + 1), 'a b'])
      expect(flag(id).length, id).toBeGreaterThan(0);
    expect(flag('A'.repeat(ID_MAX_LENGTH))).toEqual([]);
    const pattern = new RegExp(ID_PATTERN);
    for (const id of ['a', '...', '.a', 'a.', '.', '..', 'a b', 'x,y:z', ''])
      expect(pattern.test(id) && id.length <= ID_MAX_LENGTH, id).toBe(isValidId(id));
  });
});
