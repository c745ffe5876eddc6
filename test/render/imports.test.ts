import { afterAll, describe, expect, it } from 'vitest';
import { cleanTrees, renderErrors, renderOk, template } from './helpers.js';

afterAll(cleanTrees);

const FEATURE = { 'features/common/utils.py': 'X = 1\n' };

/** Render a template whose imports are `imports` and which uses `utils.X`; return the one error. */
async function importError(imports: string, extra: Record<string, string> = {}) {
  const errors = await renderErrors({
    ...FEATURE,
    ...extra,
    'contracts/template/t.py': template(
      'def f():\n    return utils.X\n',
      `import features.common.utils as utils\n${imports}`,
    ),
  });
  expect(errors).toHaveLength(1);
  return errors[0];
}

describe('import rules (renderer.md, Allowed imports)', () => {
  it('allows from contracts_api import with any names and aliases, merged into one import', async () => {
    const r = await renderOk({
      'features/a.py':
        'from contracts_api import Rejection, Tside as T\n\ndef f():\n    return Rejection, T\n',
      'contracts/template/t.py': template(
        'def g():\n    return a.f(), Phase, Rejection\n',
        'import features.a as a\nfrom contracts_api import Phase, Rejection',
      ),
    });
    expect(r.text).toContain('from contracts_api import (\n    Phase,\n    Rejection,\n    Tside as T,\n)\n');
  });

  it.each([
    ['import contracts_api', 'use `from contracts_api import NAME, ...`'],
    ['import contracts_api as capi', 'use `from contracts_api import NAME, ...`'],
    ['from contracts_api import *', 'name what you use: `from contracts_api import NAME, ...`'],
    ['from contracts_api.types import Tside', 'use `from contracts_api import NAME, ...`'],
  ])('rejects `%s`', async (line, hint) => {
    const e = await importError(line);
    expect(e).toMatchObject({ code: 'E_RENDER_IMPORT', file: 'contracts/template/t.py', line: 2, hint });
  });

  it.each([
    [
      'from typing import TypedDict',
      'typing exposes only Any, Callable',
      '`from typing import Any, Callable, DefaultDict, ...`',
    ],
    ['from datetime import timedelta', 'datetime exposes only datetime', '`from datetime import datetime`'],
    ['from decimal import getcontext', 'ROUND_* constants', 'from decimal import Decimal'],
    ['from collections import OrderedDict', 'collections exposes only defaultdict', 'defaultdict'],
    ['from zoneinfo import available_timezones', 'zoneinfo exposes only ZoneInfo', 'ZoneInfo'],
    ['from json import load', 'json exposes only dumps, loads', '`from json import dumps, loads`'],
    ['from calendar import day_name', 'calendar exposes only isleap, monthrange', 'isleap'],
    ['from dateutil.parser import isoparse', 'dateutil.parser exposes only parse', 'parse'],
    [
      'from dateutil.relativedelta import MO',
      'dateutil.relativedelta exposes only relativedelta',
      'relativedelta',
    ],
  ])('rejects a standard-module name not exposed to contracts: `%s`', async (line, hint, form) => {
    const e = await importError(line);
    expect(e?.code).toBe('E_RENDER_IMPORT');
    expect(e?.line).toBe(2);
    expect(e?.hint).toContain(hint);
    expect(e?.hint).toContain(form);
  });

  it('accepts every exposed standard name, including the ROUND_* constants', async () => {
    const r = await renderOk({
      'contracts/template/t.py': template(
        'def f():\n    return (isleap, monthrange, defaultdict, datetime, parse, relativedelta, Decimal, ROUND_HALF_EVEN, ROUND_05UP, dumps, loads, math.floor, Any, Union, ZoneInfo)\n',
        [
          'from zoneinfo import ZoneInfo',
          'from typing import Any, Union',
          'import math',
          'from json import dumps, loads',
          'from decimal import Decimal, ROUND_HALF_EVEN, ROUND_05UP',
          'from dateutil.relativedelta import relativedelta',
          'from dateutil.parser import parse',
          'from datetime import datetime',
          'from collections import defaultdict',
          'from calendar import isleap, monthrange',
        ].join('\n'),
      ),
    });
    // Standard modules in the fixed order, whatever the source order.
    expect(r.text).toContain(
      [
        'from calendar import isleap, monthrange',
        'from collections import defaultdict',
        'from datetime import datetime',
        'from dateutil.parser import parse',
        'from dateutil.relativedelta import relativedelta',
        'from decimal import Decimal, ROUND_HALF_EVEN, ROUND_05UP',
        'from json import dumps, loads',
        'import math',
        'from typing import Any, Union',
        'from zoneinfo import ZoneInfo',
      ].join('\n'),
    );
  });

  it.each([
    ['from typing import *', 'name what you use: `from typing import Any, Callable, DefaultDict, ...`'],
    [
      'from decimal import *',
      'name what you use: `from decimal import Decimal, ROUND_05UP, ROUND_CEILING, ...`',
    ],
  ])('rejects star imports from standard modules: `%s`', async (line, hint) => {
    const e = await importError(line);
    expect(e).toMatchObject({ code: 'E_RENDER_IMPORT', line: 2, hint });
  });

  it.each([
    ['import math as m', '`math` must not be aliased', 'use `import math` and `math.NAME`'],
    ['from math import floor', '`from math import` is not allowed', 'use `import math` and `math.floor`'],
    ['import json', '`import json` is not allowed in contracts', 'use `from json import dumps, loads`'],
    [
      'import datetime',
      '`import datetime` is not allowed in contracts',
      'use `from datetime import datetime`',
    ],
    [
      'import typing as t',
      '`import typing` is not allowed in contracts',
      'use `from typing import Any, Callable, DefaultDict, ...`',
    ],
    [
      'import dateutil',
      '`import dateutil` is not allowed in contracts',
      'use `from dateutil.relativedelta import relativedelta` or `from dateutil.parser import parse`',
    ],
  ])(
    'math only as `import math`, other standard modules only as from-imports: `%s`',
    async (line, message, hint) => {
      const e = await importError(line);
      expect(e).toMatchObject({ code: 'E_RENDER_IMPORT', line: 2, message, hint });
    },
  );

  it('requires an alias on feature imports', async () => {
    const e = await importError('import features.common.utils');
    expect(e).toMatchObject({
      code: 'E_RENDER_IMPORT',
      line: 2,
      column: 8,
      message: 'feature imports need an alias: `import features.common.utils`',
      hint: 'use `import features.common.utils as utils`',
    });
  });

  it.each(['import sys', 'import os.path as path', 'import requests as r'])(
    'rejects a module that is neither a feature nor a standard module: `%s`',
    async (line) => {
      const e = await importError(line);
      expect(e?.code).toBe('E_RENDER_MODULE');
      expect(e?.file).toBe('contracts/template/t.py');
      expect(e?.line).toBe(2);
      expect(e?.message).toMatch(
        /is neither a feature under the root .* nor a standard module contracts may use/,
      );
    },
  );

  it('names the importing feature file and line for a missing module', async () => {
    const errors = await renderErrors({
      'features/common/utils.py': '# utils\n\nimport features.common.nothing_here as n\nX = 1\n',
      'contracts/template/t.py': template(
        'def f():\n    return utils.X\n',
        'import features.common.utils as utils',
      ),
    });
    expect(errors).toEqual([
      expect.objectContaining({
        code: 'E_RENDER_MODULE',
        file: 'features/common/utils.py',
        line: 3,
        message: expect.stringContaining(
          'features.common.nothing_here is neither a feature under the root . (no features/common/nothing_here.py or features/common/nothing_here/__init__.py)',
        ),
      }),
    ]);
  });

  it.each([
    ['from features.common.utils import X', 'use `import features.common.utils as utils` and `utils.X`'],
    ['from features.common.utils import *', 'use `import features.common.utils as utils` and `utils.NAME`'],
    ['from features.common import utils', 'use `import features.common.utils as utils`'],
    ['from . import utils', 'import features by their full name from the root: `import a.b.c as c`'],
    ['from .utils import X', 'import features by their full name from the root: `import a.b.c as c`'],
    ['from __future__ import annotations', 'remove it'],
  ])('rejects other from-imports: `%s`', async (line, hint) => {
    const e = await importError(line);
    expect(e).toMatchObject({ code: 'E_RENDER_IMPORT', line: 2, hint });
  });

  it('rejects a from-import of an unknown module as not found', async () => {
    const e = await importError('from somewhere import thing');
    expect(e).toMatchObject({ code: 'E_RENDER_MODULE', line: 2 });
  });

  it('rejects imports inside functions, classes and module-level blocks', async () => {
    const errors = await renderErrors({
      ...FEATURE,
      'contracts/template/t.py': template(
        'def f():\n    import features.common.utils as u\n    return u.X\n\nif True:\n    from typing import Any\n',
      ),
    });
    expect(errors.map((e) => [e.code, e.line, e.hint])).toEqual([
      ['E_RENDER_IMPORT', 6, 'move imports to the top level of the module'],
      ['E_RENDER_IMPORT', 10, 'move imports to the top level of the module'],
    ]);
  });

  it('resolves a package module to its __init__.py', async () => {
    const r = await renderOk({
      'features/pkg/__init__.py': 'X = "from init"\n',
      'contracts/template/t.py': template('Y = pkg.X\n', 'import features.pkg as pkg'),
    });
    expect(r.text).toContain('pkg_X = "from init"');
    expect(r.text).toContain('#    features/pkg/__init__.py\n');
  });

  it('drops contracts_api_extensions imports in every form', async () => {
    const r = await renderOk({
      'features/a.py': [
        'from inception_sdk.vault.contracts.extensions.contracts_api_extensions import SmartContractVault',
        'import inception_sdk.vault.contracts.extensions.contracts_api_extensions as ext',
        '',
        'def f(vault: SmartContractVault, other: ext.SupervisorContractVault) -> None:',
        '    return None',
      ].join('\n'),
      'contracts/template/t.py': template('def g(v):\n    return a.f(v, v)\n', 'import features.a as a'),
    });
    expect(r.text).not.toContain('contracts_api_extensions');
    expect(r.text).toContain('def a_f(vault: Any, other: Any) -> None:');
    expect(r.text).toContain('from typing import Any\n');
  });
});
