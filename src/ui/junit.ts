/**
 * JUnit reports of validate, plan and import, for CI test reports: one test case per resource
 * (class name = its type), failures for findings that fail the run, server errors, blocked
 * resources and failed activations, `skipped` for unsupported types (and resources an interrupted
 * run never reached). A run that ends in an error (server unreachable, token refused, a usage
 * mistake) still writes a report: one failing test case naming the error, so CI never goes
 * green, or silent, on a report that is missing.
 */
import type { ErrorJson } from '../errors.js';
import type { ImportResult, PlanResult } from '../deploy/import.js';
import type { FindingJson, SkippedJson, ValidateResult } from '../validate/validate.js';
import { printable } from './text.js';

export interface TestCase {
  classname: string;
  name: string;
  failure?: { type: string; message: string; text?: string };
  skipped?: string;
}

export interface Suite {
  name: string;
  cases: TestCase[];
  seconds: number;
}

// XML 1.0 allows no control characters but tab and line breaks, even escaped: pack text is escaped first.
const xml = (s: string) =>
  printable(s, false)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

function testCase(c: TestCase): string {
  const head = `    <testcase classname="${xml(c.classname)}" name="${xml(c.name)}"`;
  if (c.failure) {
    const text = c.failure.text === undefined ? '' : xml(c.failure.text);
    return `${head}>\n      <failure message="${xml(c.failure.message)}" type="${xml(c.failure.type)}">${text}</failure>\n    </testcase>`;
  }
  if (c.skipped !== undefined)
    return `${head}>\n      <skipped message="${xml(c.skipped)}"/>\n    </testcase>`;
  return `${head}/>`;
}

export function junitXml(suite: Suite): string {
  const failures = suite.cases.filter((c) => c.failure).length;
  const skipped = suite.cases.filter((c) => !c.failure && c.skipped !== undefined).length;
  const body = suite.cases.map(testCase).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites tests="${suite.cases.length}" failures="${failures}">\n  <testsuite name="${xml(suite.name)}" tests="${suite.cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${suite.seconds.toFixed(3)}">\n${body}${body ? '\n' : ''}  </testsuite>\n</testsuites>\n`;
}

const where = (f: FindingJson) => `${f.file}:${f.line}:${f.column}`;

function findingsFailure(findings: FindingJson[], strict: boolean): TestCase['failure'] | undefined {
  const failing = findings.filter((f) => f.severity === 'error' || (strict && f.severity === 'warning'));
  const first = failing[0];
  if (first === undefined) return undefined;
  return {
    type: first.code,
    message: failing.length === 1 ? first.message : `${first.message} (and ${failing.length - 1} more)`,
    text: failing.map((f) => `${where(f)}: ${f.severity} ${f.code} ${f.message}`).join('\n'),
  };
}

function skippedCase(s: SkippedJson): TestCase {
  return { classname: s.resource_type, name: s.resource_id, skipped: `not imported: ${s.reason}` };
}

/** Findings about no resource (a manifest, a file): one case per file that has failing ones. */
function fileCases(findings: FindingJson[], strict: boolean): TestCase[] {
  const byFile = new Map<string, FindingJson[]>();
  for (const f of findings) {
    if (f.resource_id !== undefined) continue;
    byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
  }
  return [...byFile].flatMap(([file, list]) => {
    const failure = findingsFailure(list, strict);
    return failure ? [{ classname: 'file', name: file, failure }] : [];
  });
}

/** One case per validated resource: failing findings fail it, an unsupported type is skipped. */
function validationCases(
  section: Record<string, { resource_type: string; findings: FindingJson[] }>,
  strict: boolean,
  skipped: SkippedJson[],
): TestCase[] {
  const unsupported = new Map(skipped.map((s) => [s.resource_id, s]));
  return Object.entries(section).map(([id, r]) => {
    const failure = findingsFailure(r.findings, strict);
    if (failure) return { classname: r.resource_type, name: id, failure };
    const skip = unsupported.get(id);
    return skip ? skippedCase(skip) : { classname: r.resource_type, name: id };
  });
}

export function validateSuite(result: ValidateResult, strict: boolean): Suite {
  const cases = result.packs.flatMap((p) => validationCases(p.resources, strict, p.skipped));
  cases.push(...fileCases(result.findings, strict));
  if (cases.length === 0) cases.push(nothingCase(result.status === 'VALID'));
  return { name: 'strata validate', cases, seconds: result.summary.duration_ms / 1000 };
}

/** A run that found no resource at all is a failure in CI too, not zero tests. */
function nothingCase(ok: boolean): TestCase {
  return ok
    ? { classname: 'pack', name: 'resources' }
    : {
        classname: 'pack',
        name: 'resources',
        failure: { type: 'E_NO_RESOURCES', message: 'no pack or resource was found' },
      };
}

export function planSuite(result: PlanResult, strict: boolean): Suite {
  if (result.status === 'INVALID') return invalidSuite('strata plan', result, strict);
  const cases = Object.entries(result.plan).map(([id, r]): TestCase => {
    const base = { classname: r.resource_type, name: id };
    if (r.action === 'conflict' || r.error)
      return {
        ...base,
        failure: { type: r.error?.code ?? 'CONFLICT', message: r.error?.message ?? 'conflict' },
      };
    return base;
  });
  cases.push(...result.skipped.map(skippedCase), ...fileCases(result.findings, strict));
  cases.push(...activationCases(result.activations));
  if (cases.length === 0) cases.push(nothingCase(true));
  return { name: 'strata plan', cases, seconds: result.summary.duration_ms / 1000 };
}

/** Plan or import of packs that did not validate: the validation's cases, nothing was sent. */
function invalidSuite(
  name: string,
  result: Pick<PlanResult, 'validate' | 'skipped' | 'findings' | 'summary'>,
  strict: boolean,
): Suite {
  const cases = [
    ...validationCases(result.validate, strict, result.skipped),
    ...fileCases(result.findings, strict),
  ];
  if (cases.length === 0) cases.push(nothingCase(false));
  return { name, cases, seconds: result.summary.duration_ms / 1000 };
}

function activationCases(activations: ImportResult['activations']): TestCase[] {
  return activations.map((a) => {
    const base = { classname: `activation ${a.resource_type}`, name: `${a.target} -> ${a.resource_id}` };
    if (a.action === 'failed')
      return {
        ...base,
        failure: { type: a.error?.code ?? 'ERROR', message: `activation failed: ${a.error?.message ?? ''}` },
      };
    if (a.action === 'not_started')
      return { ...base, skipped: 'not activated: the import did not fully succeed' };
    return base;
  });
}

export function importSuite(result: ImportResult, strict: boolean): Suite {
  const imported = Object.entries(result.import).map(([id, r]): TestCase => {
    const base = { classname: r.resource_type, name: id };
    if (r.action === 'failed')
      return { ...base, failure: { type: r.error?.code ?? 'ERROR', message: r.error?.message ?? 'failed' } };
    if (r.action === 'blocked')
      return {
        ...base,
        failure: { type: 'BLOCKED', message: `blocked by ${(r.blocked_by ?? []).join(', ')}` },
      };
    if (r.action === 'not_started') return { ...base, skipped: 'not started (interrupted)' };
    return base;
  });
  if (result.run_id === null) return invalidSuite('strata import', result, strict);
  const cases = [...imported, ...result.skipped.map(skippedCase), ...fileCases(result.findings, strict)];
  cases.push(...activationCases(result.activations));
  if (cases.length === 0) cases.push(nothingCase(result.status === 'SUCCESS'));
  return { name: 'strata import', cases, seconds: result.summary.duration_ms / 1000 };
}

/** The report of a run that ended in an error before it had a result. */
export function errorSuite(command: string, error: ErrorJson): Suite {
  return {
    name: `strata ${command}`,
    cases: [
      {
        classname: 'strata',
        name: command,
        failure: {
          type: error.code,
          message: error.message,
          ...(error.hint !== undefined ? { text: `hint: ${error.hint}` } : {}),
        },
      },
    ],
    seconds: 0,
  };
}
