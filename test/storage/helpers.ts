/** Small records for the storage suites. */
import type { NewEvent, NewObject } from '../../src/storage/types.js';

export function obj(id: string, more: Partial<NewObject> = {}): NewObject {
  return {
    kind: 'THING',
    id,
    parent: null,
    naturalKey: null,
    defHash: 'h',
    body: `{"id":"${id}"}`,
    createdAt: 1,
    ...more,
  };
}

export function event(key: string, topic = 'topic.a'): NewEvent {
  return { topic, key, timestampMs: 1_700_000_000_000, payload: `{"key":"${key}"}` };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
