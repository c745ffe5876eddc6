/** One exit-code function per result type (cli.md "Commands"); no result ever exits 2 by accident. */
import { describe, expect, it } from 'vitest';
import {
  convertExitCode,
  dryRunExitCode,
  graphExitCode,
  importExitCode,
  planExitCode,
  validateExitCode,
} from '../../src/ui/exit.js';
import type { PlanResult } from '../../src/deploy/import.js';

const summary = { counts: {}, skipped: 0, duration_ms: 0 };
const plan = (status: PlanResult['status'], actions: string[]): PlanResult => ({
  status,
  validate: {},
  findings: [],
  skipped: [],
  plan: Object.fromEntries(
    actions.map((action, i) => [
      `r${i}`,
      { resource_type: 'FLAG_DEFINITION', action, vault_id: null, changes: [] },
    ]),
  ),
  activations: [],
  summary,
});

describe('exit codes', () => {
  it('validate: 0 VALID, 1 INVALID', () => {
    expect(validateExitCode({ status: 'VALID' })).toBe(0);
    expect(validateExitCode({ status: 'INVALID' })).toBe(1);
  });

  it('plan: 0 NO CHANGES, 2 CHANGES, 1 INVALID', () => {
    expect(planExitCode({ status: 'NO CHANGES' })).toBe(0);
    expect(planExitCode({ status: 'CHANGES' })).toBe(2);
    expect(planExitCode({ status: 'INVALID' })).toBe(1);
  });

  it('import --dry-run: the exit code the import would have (conflicts fail)', () => {
    expect(dryRunExitCode(plan('CHANGES', ['create', 'unchanged']))).toBe(0);
    expect(dryRunExitCode(plan('CHANGES', ['create', 'conflict']))).toBe(2);
    expect(dryRunExitCode(plan('CHANGES', ['conflict']))).toBe(1);
    expect(dryRunExitCode(plan('INVALID', []))).toBe(1);
  });

  it('import: 0 SUCCESS, 2 PARTIAL SUCCESS, 1 FAILURE, 130 interrupted', () => {
    const s = (interrupted: boolean) => ({ ...summary, interrupted });
    expect(importExitCode({ status: 'SUCCESS', summary: s(false), activations: [] })).toBe(0);
    expect(importExitCode({ status: 'PARTIAL SUCCESS', summary: s(false), activations: [] })).toBe(2);
    expect(importExitCode({ status: 'FAILURE', summary: s(false), activations: [] })).toBe(1);
    expect(importExitCode({ status: 'PARTIAL SUCCESS', summary: s(true), activations: [] })).toBe(130);
  });

  it('convert and graph: 0 valid, 1 not', () => {
    expect(convertExitCode({ valid: true })).toBe(0);
    expect(convertExitCode({ valid: false })).toBe(1);
    expect(graphExitCode({ valid: true })).toBe(0);
    expect(graphExitCode({ valid: false })).toBe(1);
  });
});
