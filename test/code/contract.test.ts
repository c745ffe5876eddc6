import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  analyzeCode,
  analyzeTree,
  isFeatureModule,
  isSemver,
  type CodeFacts,
} from '../../src/code/contract.js';
import { loadPython, type PythonParser } from '../../src/code/python.js';

let py: PythonParser;
beforeAll(async () => {
  py = await loadPython();
});

const analyze = (code: string): CodeFacts => analyzeCode(py, code);
const fixture = (name: string): string =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

const CONTRACT = `# A minimal Contracts API 4 contract.
from decimal import Decimal
from typing import Optional
import math

from contracts_api import (
    DenominationShape,
    NumberShape,
    Parameter,
    ParameterLevel,
    PrePostingHookArguments,
    PrePostingHookResult,
    Rejection,
    RejectionReason,
    requires,
)

api = "4.0.0"
version = "1.2.3"
display_name = "Simple Savings"

PARAM_DENOMINATION = "denomination"

parameters = [
    Parameter(
        name=PARAM_DENOMINATION,
        shape=DenominationShape(),
        level=ParameterLevel.TEMPLATE,
        description="Account currency",
        display_name="Denomination",
        default_value="GBP",
    ),
    Parameter(
        name="interest_rate",
        shape=NumberShape(min_value=0, max_value=1, step=Decimal("0.0001")),
        level=ParameterLevel.TEMPLATE,
        description="Yearly interest rate",
        display_name="Interest rate",
        default_value=Decimal("0.01"),
    ),
]


@requires(parameters=True)
def pre_posting_hook(vault, hook_arguments: PrePostingHookArguments) -> Optional[PrePostingHookResult]:
    denomination = vault.get_parameter_timeseries(name=PARAM_DENOMINATION).latest()
    if any(p.denomination != denomination for p in hook_arguments.posting_instructions):
        return PrePostingHookResult(
            rejection=Rejection(
                message=f"Only {denomination} is accepted",
                reason_code=RejectionReason.WRONG_DENOMINATION,
            )
        )
    return None
`;

describe('analyzeCode on a Contracts API 4 contract', () => {
  it('reads metadata with positions, declared parameters, and no feature imports', () => {
    const facts = analyze(CONTRACT);
    expect(facts.syntaxErrors).toEqual([]);
    expect(facts.api).toEqual({ value: '4.0.0', line: 18, column: 7 });
    expect(facts.version).toEqual({ value: '1.2.3', line: 19, column: 11 });
    expect(facts.declaredParameters).toEqual(new Set(['denomination', 'interest_rate']));
    expect(facts.featureImports).toEqual([]);
  });

  it('reads a fuller contract: chains, concatenation, f-strings, spread lists, variables', () => {
    const facts = analyze(fixture('savings_account.py'));
    expect(facts.syntaxErrors).toEqual([]);
    expect(facts.api).toEqual({ value: '4.0.0', line: 30, column: 7 });
    expect(facts.version).toEqual({ value: '1.2.3', line: 31, column: 11 });
    expect(facts.declaredParameters).toEqual(
      new Set([
        'denomination',
        'interest_rate',
        'accrual_precision',
        'interest_application_day',
        'maximum_balance',
      ]),
    );
    expect(facts.featureImports).toEqual([]);
  });

  it('counts metadata columns in characters after non-ASCII text on the line', () => {
    const facts = analyze('ü = "Ä"; api = "4.0.0"\nversion = "2.0.0"  # Größe\n');
    expect(facts.api).toEqual({ value: '4.0.0', line: 1, column: 16 });
    expect(facts.version).toEqual({ value: '2.0.0', line: 2, column: 11 });
  });

  it('gives null metadata when api or version is missing or not a literal', () => {
    const facts = analyze('display_name = "x"\nparameters = []\n');
    expect(facts.api).toBeNull();
    expect(facts.version).toBeNull();
    expect(facts.declaredParameters).toEqual(new Set());
    const computed = analyze('api = get_api()\nversion = "1." + str(2)\n');
    expect(computed.api).toBeNull();
    expect(computed.version).toBeNull();
    // Metadata inside a function is not module-level.
    expect(analyze('def f():\n    api = "4.0.0"\n').api).toBeNull();
  });

  it('resolves metadata through names and keeps the last assignment', () => {
    const facts = analyze('API = "4.1.0"\napi = API\nversion = "0.0.1"\nversion = "1.0.0"\n');
    expect(facts.api).toEqual({ value: '4.1.0', line: 2, column: 7 });
    expect(facts.version).toEqual({ value: '1.0.0', line: 4, column: 11 });
  });
});

describe('declaredParameters', () => {
  const params = (code: string) => analyze(`from contracts_api import Parameter\n${code}`).declaredParameters;

  it('is null when a Parameter name is computed', () => {
    expect(params('parameters = [Parameter(name="a"), Parameter(name=some_call())]\n')).toBeNull();
    expect(params('parameters = [Parameter(name=UNDEFINED_NAME)]\n')).toBeNull();
    expect(params('parameters = [Parameter(**spec)]\n')).toBeNull();
    expect(params('X = "a"\nX += "b"\nparameters = [Parameter(name=X)]\n')).toBeNull();
    expect(params('from consts import X\nparameters = [Parameter(name=X)]\n')).toBeNull();
    expect(params('parameters = [Parameter(name=n) for n in NAMES]\n')).toBeNull();
  });

  it('is null when a name is bound to different strings', () => {
    expect(params('X = "a"\nif flag:\n    X = "b"\nparameters = [Parameter(name=X)]\n')).toBeNull();
    expect(params('X = "a"\nX = "a"\nparameters = [Parameter(name=X)]\n')).toEqual(new Set(['a']));
  });

  it('is null for a helper whose parameter shadows a module name', () => {
    const code = 'name = "x"\ndef make(name):\n    return Parameter(name=name)\nparameters = [make("y")]\n';
    expect(params(code)).toBeNull();
  });

  it('includes Parameters built anywhere: variables, helpers, aliases, positional names', () => {
    const code = [
      'from contracts_api import Parameter as P',
      'import contracts_api',
      'A = B = "chained"',
      'PREFIX = "fee"',
      'one = P(name=A)',
      'def extra():',
      '    return [Parameter(name=f"{PREFIX}_amount"), contracts_api.Parameter(name=PREFIX + "_rate")]',
      'parameters = [one, *extra(), Parameter("positional"), Parameter(name="caf\\u00e9")]',
      '',
    ].join('\n');
    expect(params(code)).toEqual(new Set(['chained', 'fee_amount', 'fee_rate', 'positional', 'café']));
  });

  it('does not mistake other calls for Parameter', () => {
    expect(params('x = ParameterLevel(name=compute())\ny = get_parameter(name=z())\n')).toEqual(new Set());
  });

  it('is null when the code has syntax errors', () => {
    const facts = analyze('parameters = [Parameter(name="a"),\n');
    expect(facts.syntaxErrors.length).toBeGreaterThan(0);
    expect(facts.declaredParameters).toBeNull();
  });
});

describe('featureImports', () => {
  it('reports feature imports of a template at their line and column', () => {
    const template = [
      'api = "4.0.0"',
      'version = "1.0.0"',
      'from contracts_api import Parameter',
      'import features.savings.interest as interest',
      'import utils',
      'from features.common import fees',
      'from .local import helper',
      '',
    ].join('\n');
    expect(analyze(template).featureImports).toEqual([
      { value: { module: 'features.savings.interest', alias: 'interest' }, line: 4, column: 8 },
      { value: { module: 'utils', alias: null }, line: 5, column: 8 },
      { value: { module: 'features.common', alias: null }, line: 6, column: 6 },
      { value: { module: '.local', alias: null }, line: 7, column: 6 },
    ]);
  });

  it('accepts contracts_api, extensions and the standard modules contracts may use', () => {
    const code = [
      'from __future__ import annotations',
      'from contracts_api import Parameter, Rejection',
      'import contracts_api',
      'from library.common.contracts_api_extensions.vault_types import SmartContractVault',
      'from calendar import isleap',
      'from collections import defaultdict',
      'from datetime import datetime',
      'from dateutil.parser import parse',
      'from dateutil.relativedelta import relativedelta',
      'import dateutil',
      'from decimal import Decimal, ROUND_HALF_UP',
      'import json',
      'import math',
      'from typing import Any, Optional',
      'from zoneinfo import ZoneInfo',
      '',
    ].join('\n');
    expect(analyze(code).featureImports).toEqual([]);
  });

  it('looks at module-level blocks but not inside functions', () => {
    const code = [
      'try:',
      '    import features.a as a',
      'except ImportError:',
      '    pass',
      'def f():',
      '    import features.b as b',
      '',
    ].join('\n');
    expect(analyze(code).featureImports).toEqual([
      { value: { module: 'features.a', alias: 'a' }, line: 2, column: 12 },
    ]);
  });

  it('counts columns in characters after non-ASCII text', () => {
    expect(analyze('é = 1; import features.x as x\n').featureImports).toEqual([
      { value: { module: 'features.x', alias: 'x' }, line: 1, column: 15 },
    ]);
  });

  it('classifies modules', () => {
    expect(isFeatureModule('features.savings.interest')).toBe(true);
    expect(isFeatureModule('sys')).toBe(true);
    expect(isFeatureModule('math')).toBe(false);
    expect(isFeatureModule('contracts_api')).toBe(false);
    expect(isFeatureModule('x.contracts_api_extensions.y')).toBe(false);
  });
});

describe('analyzeTree', () => {
  it('gives the same facts for a tree the caller already holds', () => {
    const fromTree = py.withTree(CONTRACT, (tree) => analyzeTree(py, tree));
    expect(fromTree).toEqual(analyze(CONTRACT));
  });
});

describe('isSemver', () => {
  it('accepts semantic versions and refuses the rest', () => {
    for (const v of ['1.2.3', '0.0.0', '10.20.30', '1.0.0-rc.1', '1.0.0+build.5', '1.0.0-alpha+001']) {
      expect(isSemver(v), v).toBe(true);
    }
    for (const v of ['1.2', '1', 'v1.2.3', '01.2.3', '1.2.3.4', '1.2.3-', '', ' 1.2.3']) {
      expect(isSemver(v), v).toBe(false);
    }
  });
});

describe('size', () => {
  it('analyzes a ~50 KB contract', () => {
    const base = fixture('savings_account.py');
    const hook = base.slice(base.indexOf('@requires(parameters=True)'));
    let code = base;
    for (let i = 0; code.length < 50_000; i += 1) code += `\n\n${hook.replace(/def (\w+)/g, `def $1_${i}`)}`;
    const facts = analyze(code);
    expect(code.length).toBeGreaterThanOrEqual(50_000);
    expect(facts.syntaxErrors).toEqual([]);
    expect(facts.declaredParameters?.size).toBe(5);
  });
});
