/** The matcher's verdict on an existing object, for every on_conflict and kind of type. */
import { describe, expect, it } from 'vitest';
import { decide } from '../../src/deploy/match.js';

const TAG = 'ACCOUNT_SCHEDULE_TAG';
const tag = {
  id: 'T',
  description: 'd',
  schedule_status_override: 'ACCOUNT_SCHEDULE_TAG_SCHEDULE_STATUS_OVERRIDE_NO_OVERRIDE',
};
const skipped = {
  ...tag,
  schedule_status_override: 'ACCOUNT_SCHEDULE_TAG_SCHEDULE_STATUS_OVERRIDE_TO_SKIPPED',
  schedule_status_override_start_timestamp: '2026-12-24T00:00:00+00:00',
};

describe('decide', () => {
  it('finds an identical object the same whatever on_conflict says, ignoring fields only the server has', () => {
    for (const onConflict of ['IGNORE', 'SKIP', 'UPDATE'] as const) {
      expect(decide({ onConflict }, TAG, tag, { ...tag, create_timestamp: 'x' })).toEqual({
        kind: 'same',
        existing: { vaultId: 'T', fields: { ...tag, create_timestamp: 'x' } },
        changes: [],
      });
    }
  });

  it('refuses a different object under on_conflict: IGNORE, naming the fields', () => {
    const match = decide({ onConflict: 'IGNORE' }, TAG, skipped, tag);
    expect(match).toMatchObject({ kind: 'refuse', code: 'CONFLICT' });
    if (match.kind !== 'refuse') throw new Error(match.kind);
    expect(match.changes.map((c) => c.field)).toEqual([
      'schedule_status_override',
      'schedule_status_override_start_timestamp',
    ]);
    expect(match.message).toBe(
      'ACCOUNT_SCHEDULE_TAG T exists with a different definition (schedule_status_override, schedule_status_override_start_timestamp); set on_conflict: UPDATE or SKIP, or change the id',
    );
  });

  it('uses a different object as it is under on_conflict: SKIP', () => {
    expect(decide({ onConflict: 'SKIP' }, TAG, skipped, tag)).toMatchObject({
      kind: 'skip',
      existing: { vaultId: 'T' },
    });
  });

  it('updates under on_conflict: UPDATE with one request per update group, each with its own request id', () => {
    const match = decide(
      { onConflict: 'UPDATE' },
      TAG,
      { ...skipped, test_pause_at_timestamp: null },
      {
        ...tag,
        test_pause_at_timestamp: '2026-01-01T00:00:00+00:00',
      },
    );
    if (match.kind !== 'update') throw new Error(match.kind);
    expect(
      match.requests.map((r) => [r.method, r.path, (r.body?.update_mask as { paths: string[] }).paths]),
    ).toEqual([
      [
        'PUT',
        '/v1/account-schedule-tags/T',
        [
          'schedule_status_override',
          'schedule_status_override_start_timestamp',
          'schedule_status_override_end_timestamp',
        ],
      ],
      ['PUT', '/v1/account-schedule-tags/T', ['test_pause_at_timestamp']],
    ]);
    expect(match.requests[0]?.body?.account_schedule_tag).toEqual({
      schedule_status_override: 'ACCOUNT_SCHEDULE_TAG_SCHEDULE_STATUS_OVERRIDE_TO_SKIPPED',
      schedule_status_override_start_timestamp: '2026-12-24T00:00:00+00:00',
      // Absent from the pack: cleared (null means unset).
      schedule_status_override_end_timestamp: null,
    });
    expect(match.requests[0]?.body?.request_id).not.toBe(match.requests[1]?.body?.request_id);
  });

  it('refuses an update the type does not allow, saying what can change', () => {
    expect(decide({ onConflict: 'UPDATE' }, TAG, { ...tag, description: 'new' }, tag)).toMatchObject({
      kind: 'refuse',
      code: 'NOT_UPDATABLE',
      message: expect.stringMatching(/^ACCOUNT_SCHEDULE_TAG fields description cannot be updated/) as string,
    });
    expect(
      decide({ onConflict: 'UPDATE' }, 'FLAG_DEFINITION', { id: 'F', name: 'new' }, { id: 'F', name: 'old' }),
    ).toMatchObject({ kind: 'refuse', code: 'NOT_UPDATABLE' });
  });
});
