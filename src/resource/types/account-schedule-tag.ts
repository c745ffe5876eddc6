import type { ResourceTypeSpec } from '../spec.js';

/** The override and its window change together; the test pause changes alone (server-api.md 2). */
export const accountScheduleTag: ResourceTypeSpec = {
  type: 'ACCOUNT_SCHEDULE_TAG',
  schema: 'types/account_schedule_tag',
  payloadKey: 'account_schedule_tag',
  plural: 'account-schedule-tags',
  paths: {
    create: '/v1/account-schedule-tags',
    get: '/v1/account-schedule-tags/{id}',
    list: '/v1/account-schedule-tags',
    batchGet: '/v1/account-schedule-tags:batchGet',
  },
  listKey: 'account_schedule_tags',
  idField: 'id',
  views: null,
  parent: null,
  match: { scope: 'all', keys: [{ by: 'id' }] },
  update: {
    path: '/v1/account-schedule-tags/{id}',
    groups: [
      {
        fields: [
          'schedule_status_override',
          'schedule_status_override_start_timestamp',
          'schedule_status_override_end_timestamp',
        ],
        together: true,
      },
      { fields: ['test_pause_at_timestamp'], together: true },
    ],
  },
  immutable: false,
  activation: null,
  references: [],
  priority: 2,
  responseFields: [
    'id',
    'description',
    'sends_scheduled_operation_reports',
    'schedule_status_override',
    'schedule_status_override_start_timestamp',
    'schedule_status_override_end_timestamp',
    'test_pause_at_timestamp',
  ],
};
