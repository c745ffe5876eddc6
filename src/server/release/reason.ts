/** The person's reason for an activation or a decision: optional text, bounded. */
import { invalid } from '../errors.js';

export const MAX_REASON_LENGTH = 1000;

/** `reason` of a request body: '' when absent; 400 unless a string of at most 1000 characters. */
export function optionalReason(value: unknown, field = 'reason'): string {
  if (value === undefined) return '';
  if (typeof value !== 'string' || value.length > MAX_REASON_LENGTH) {
    throw invalid(`${field} must be text of at most ${MAX_REASON_LENGTH} characters`, [
      { field, description: `text, at most ${MAX_REASON_LENGTH} characters` },
    ]);
  }
  return value;
}
