import { describe, expect, it } from 'vitest';
import { resourceSpec } from '../../src/resource/index.js';
import { maskProblem, updateMasks } from '../../src/resource/update.js';

const tag = resourceSpec('ACCOUNT_SCHEDULE_TAG');
const calendar = resourceSpec('CALENDAR');
const OVERRIDE = [
  'schedule_status_override',
  'schedule_status_override_start_timestamp',
  'schedule_status_override_end_timestamp',
];

describe('update masks', () => {
  it('sends a schedule tag override with its window, and the test pause apart', () => {
    expect(updateMasks(tag, ['schedule_status_override'])).toEqual({ masks: [OVERRIDE] });
    expect(updateMasks(tag, ['test_pause_at_timestamp', 'schedule_status_override_end_timestamp'])).toEqual({
      masks: [OVERRIDE, ['test_pause_at_timestamp']],
    });
  });

  it('sends only the changed calendar details', () => {
    expect(updateMasks(calendar, ['description', 'is_active'])).toEqual({
      masks: [['description', 'is_active']],
    });
  });

  it('refuses fields that cannot change, and types that cannot be updated, saying why', () => {
    expect(updateMasks(tag, ['description', 'schedule_status_override'])).toEqual({
      refused: expect.stringMatching(/^ACCOUNT_SCHEDULE_TAG fields description cannot be updated/) as string,
    });
    expect(updateMasks(resourceSpec('FLAG_DEFINITION'), ['name'])).toEqual({
      refused: expect.stringMatching(
        /^FLAG_DEFINITION objects cannot be updated; publish a new version/,
      ) as string,
    });
  });

  it('lets the server accept exactly the masks the client sends', () => {
    for (const changed of [['schedule_status_override'], ['test_pause_at_timestamp'], OVERRIDE]) {
      const plan = updateMasks(tag, changed);
      if (!('masks' in plan)) throw new Error('refused');
      for (const mask of plan.masks) expect(maskProblem(tag.update!, mask)).toBeNull();
    }
    expect(maskProblem(tag.update!, OVERRIDE.slice(0, 2))).toMatch(
      /^update_mask.paths must name exactly schedule_status_override, .* together, or test_pause_at_timestamp alone$/,
    );
    expect(maskProblem(tag.update!, [...OVERRIDE, 'test_pause_at_timestamp'])).not.toBeNull();
    expect(maskProblem(calendar.update!, ['display_name'])).toBeNull();
    expect(maskProblem(calendar.update!, ['id'])).toBe(
      'update_mask.paths must name any of is_active, display_name, description',
    );
  });
});
