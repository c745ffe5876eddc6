import type { Fields, ResourceTypeSpec } from '../spec.js';

/**
 * Whether an event ends after it starts (the end is exclusive); undefined while the times cannot
 * be compared (absent, references, not timestamps).
 */
export function endsAfterStart(event: Fields): boolean | undefined {
  const { start_timestamp: start, end_timestamp: end } = event;
  if (typeof start !== 'string' || typeof end !== 'string') return undefined;
  if (start.includes('&{') || end.includes('&{')) return undefined;
  const s = Date.parse(start);
  const e = Date.parse(end);
  return Number.isNaN(s) || Number.isNaN(e) ? undefined : e > s;
}

/** A calendar may hold hundreds: events are listed per calendar (Vault filters by `calendar_ids`). */
export const calendarEvent: ResourceTypeSpec = {
  type: 'CALENDAR_EVENT',
  schema: 'types/calendar_event',
  payloadKey: 'calendar_event',
  plural: 'calendar-event',
  paths: {
    create: '/v1/calendar-event',
    get: '/v1/calendar-event/{id}',
    list: '/v1/calendar-event',
    batchGet: '/v1/calendar-event:batchGet',
  },
  listKey: 'calendar_events',
  idField: 'id',
  views: null,
  parent: { field: 'calendar_id', filter: 'calendar_ids' },
  match: { scope: 'parent', keys: [{ by: 'id' }] },
  update: null,
  immutable: true,
  activation: null,
  references: [{ field: 'calendar_id', each: false, kind: 'CALENDAR' }],
  priority: 12,
  responseFields: ['id', 'calendar_id', 'name', 'is_active', 'start_timestamp', 'end_timestamp'],
};
