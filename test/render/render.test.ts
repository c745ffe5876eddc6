import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { modulePrefixes } from '../../src/render/naming.js';
import { renderTemplates } from '../../src/render/service.js';
import {
  checkPython,
  cleanTrees,
  renderErrors,
  renderIn,
  renderOk,
  section,
  template,
  topLevelNames,
  writeTree,
} from './helpers.js';

afterAll(cleanTrees);

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

describe('naming', () => {
  it('renames an object X of module a.b.c to c_X whatever the alias, and alias.X to match', async () => {
    const r = await renderOk({
      'features/deep/fees.py': 'FEE = 5\n\ndef charge(amount):\n    return amount + FEE\n',
      'contracts/template/t.py': template(
        'def g():\n    return f.charge(1) + f.FEE\n',
        'import features.deep.fees as f',
      ),
    });
    expect(section(r.text, 'features/deep/fees.py')).toBe(
      'fees_FEE = 5\n\n\ndef fees_charge(amount):\n    return amount + fees_FEE\n\n\n',
    );
    expect(r.text).toContain('    return fees_charge(1) + fees_FEE\n');
  });

  it('keeps parameters, locals, loop and comprehension variables that shadow module names', async () => {
    const r = await renderOk({
      'features/shadow.py': `
        rate = 1
        items = [1, 2]
        name = "n"

        def uses_param(rate):
            return rate * 2

        def uses_local():
            rate = 3
            return rate

        def uses_global():
            return rate + sum(items)

        def uses_loop():
            total = 0
            for rate in items:
                total += rate
            return total + sum(rate for rate in items) + (lambda rate: rate)(1)

        def uses_global_statement():
            global name
            name = "changed"
            return name

        class Holder:
            rate = 10
            doubled = rate * 2

            def method(self):
                return rate
        `,
      'contracts/template/t.py': template(
        'def g():\n    return (s.uses_param(1), s.uses_local(), s.uses_global(), s.uses_loop(), s.uses_global_statement(), s.Holder)\n',
        'import features.shadow as s',
      ),
    });
    const body = section(r.text, 'features/shadow.py');
    expect(body).toContain('def shadow_uses_param(rate):\n    return rate * 2\n');
    expect(body).toContain('def shadow_uses_local():\n    rate = 3\n    return rate\n');
    expect(body).toContain('def shadow_uses_global():\n    return shadow_rate + sum(shadow_items)\n');
    expect(body).toContain('    for rate in shadow_items:\n        total += rate\n');
    expect(body).toContain('sum(rate for rate in shadow_items) + (lambda rate: rate)(1)');
    expect(body).toContain('    global shadow_name\n    shadow_name = "changed"\n    return shadow_name\n');
    // Class-body names are local to the class body; its methods see the module's.
    expect(body).toContain('class shadow_Holder:\n    rate = 10\n    doubled = rate * 2\n');
    expect(body).toContain('    def method(self):\n        return shadow_rate\n');
  });

  it('renames a module name bound only by a `global` declaration, and a lone `[*alias.NAME]`', async () => {
    const r = await renderOk({
      'features/b.py': 'XS = [1]\n',
      'features/a.py': `
        import features.b as b

        ALL = [*b.XS]

        def setup():
            global cache
            cache = {}

        def get():
            setup()
            return cache, ALL
        `,
      'contracts/template/t.py': template('def g():\n    return a.get()\n', 'import features.a as a'),
    });
    expect(r.text).toContain('    global a_cache\n    a_cache = {}\n');
    expect(r.text).toContain('    return a_cache, a_ALL\n');
    expect(r.text).toContain('a_ALL = [*b_XS]\n');
  });

  it('renames inside f-strings, defaults, annotations and decorators', async () => {
    const r = await renderOk({
      'features/fmt.py': `
        from typing import Optional

        PREFIX = "p"
        T = int

        def deco(fn):
            return fn

        @deco
        def show(x: T = 1, y: Optional[T] = None) -> T:
            return f"{PREFIX}-{x!r:>{WIDTH}}"

        WIDTH = 4
        `,
      'contracts/template/t.py': template('def g():\n    return fmt.show()\n', 'import features.fmt as fmt'),
    });
    const body = section(r.text, 'features/fmt.py');
    expect(body).toContain('@fmt_deco\ndef fmt_show(x: fmt_T = 1, y: Optional[fmt_T] = None) -> fmt_T:');
    expect(body).toContain('return f"{fmt_PREFIX}-{x!r:>{fmt_WIDTH}}"');
    expect(body).toContain('fmt_WIDTH = 4');
  });

  it('disambiguates modules with the same last component deterministically', async () => {
    const r = await renderOk({
      'features/common/utils.py': 'X = "common"\n',
      'features/loan/utils.py': 'X = "loan"\n',
      'features/other.py': 'Y = 1\n',
      'contracts/template/t.py': template(
        'A = cu.X\nB = lu.X\nC = o.Y\n',
        'import features.common.utils as cu\nimport features.loan.utils as lu\nimport features.other as o',
      ),
    });
    expect(r.text).toContain('common_utils_X = "common"');
    expect(r.text).toContain('loan_utils_X = "loan"');
    expect(r.text).toContain('other_Y = 1');
    expect(r.text).toContain('A = common_utils_X\nB = loan_utils_X\nC = other_Y\n');
    expect(new Set(topLevelNames(r.text)).size).toBe(topLevelNames(r.text).length);
  });

  it('computes prefixes from the sorted module names, independent of discovery order', () => {
    const names = ['x.a.utils', 'y.a.utils', 'z.b.utils', 'single'];
    const expected = new Map([
      ['single', 'single'],
      ['x.a.utils', 'x_a_utils'],
      ['y.a.utils', 'y_a_utils'],
      ['z.b.utils', 'b_utils'],
    ]);
    expect(modulePrefixes(names)).toEqual(expected);
    expect(modulePrefixes([...names].reverse())).toEqual(expected);
  });

  it('fails with both locations when two emitted definitions would share a name', async () => {
    const errors = await renderErrors({
      'features/utils.py': 'x = 1\n',
      'contracts/template/t.py': template('utils_x = 2\nY = utils.x\n', 'import features.utils as utils'),
    });
    expect(errors).toEqual([
      expect.objectContaining({
        code: 'E_RENDER_COLLISION',
        message: expect.stringMatching(
          /`utils_x` would be defined twice: by .*t\.py:6 and by features\/utils\.py:1/,
        ),
      }),
    ]);
  });

  it('fails when a renamed object would shadow an imported name', async () => {
    const errors = await renderErrors({
      'features/a.py': 'x = 1\n',
      'contracts/template/t.py': template(
        'Y = a.x + a_x\n',
        'import features.a as a\nfrom contracts_api import a_x',
      ),
    });
    expect(errors.map((e) => e.code)).toEqual(['E_RENDER_COLLISION']);
    expect(errors[0]?.message).toContain('`a_x` (from features/a.py:1) would shadow the name imported in');
  });
});

describe('selection', () => {
  it('emits exactly the reachable objects, following references transitively', async () => {
    const r = await renderOk({
      'features/a.py': `
        USED = 1
        UNUSED = 2

        def helper():
            return USED

        def entry():
            return helper()

        def unused():
            return UNUSED
        `,
      'contracts/template/t.py': template('def g():\n    return a.entry()\n', 'import features.a as a'),
    });
    const body = section(r.text, 'features/a.py');
    expect(topLevelNames(body)).toEqual(['a_USED', 'a_helper', 'a_entry']);
    expect(r.text).not.toContain('UNUSED');
  });

  it('follows cycles between used functions, and leaves out unused mutually recursive ones', async () => {
    const r = await renderOk({
      'features/rec.py': `
        def even(n):
            return True if n == 0 else odd(n - 1)

        def odd(n):
            return False if n == 0 else even(n - 1)

        def ping(n):
            return pong(n)

        def pong(n):
            return ping(n)
        `,
      'contracts/template/t.py': template('def g():\n    return rec.even(4)\n', 'import features.rec as rec'),
    });
    expect(topLevelNames(section(r.text, 'features/rec.py'))).toEqual(['rec_even', 'rec_odd']);
  });

  it('emits a module reached twice (diamond imports) once', async () => {
    const r = await renderOk({
      'features/base.py': 'B = 1\n',
      'features/left.py': 'import features.base as base\n\nL = base.B + 1\n',
      'features/right.py': 'import features.base as base\n\nR = base.B + 2\n',
      'contracts/template/t.py': template(
        'X = left.L + right.R + base.B\n',
        'import features.left as left\nimport features.right as right\nimport features.base as base',
      ),
    });
    expect(r.text.match(/^base_B = 1$/gm)).toHaveLength(1);
    expect(r.text.match(/# {4}features\/base\.py\n/g)).toHaveLength(1);
    // A module after the modules it imports; ties by dotted name.
    const order = [...r.text.matchAll(/^# {4}(\S+)$/gm)].map((m) => m[1]);
    expect(order).toEqual([
      'contracts/template/t.py',
      'features/base.py',
      'features/left.py',
      'features/right.py',
      'contracts/template/t.py',
    ]);
  });

  it('follows feature-of-feature imports four levels deep, in dependency order', async () => {
    const r = await renderOk({
      'features/l1.py': 'import features.l2 as l2\n\ndef one():\n    return l2.two() + 1\n',
      'features/l2.py': 'import features.l3 as l3\n\ndef two():\n    return l3.three() + 1\n',
      'features/l3.py': 'import features.l4 as l4\n\ndef three():\n    return l4.FOUR + 1\n',
      'features/l4.py': 'FOUR = 4\n',
      'contracts/template/t.py': template('def g():\n    return l1.one()\n', 'import features.l1 as l1'),
    });
    const order = [...r.text.matchAll(/^# {4}features\/(\S+)$/gm)].map((m) => m[1]);
    expect(order).toEqual(['l4.py', 'l3.py', 'l2.py', 'l1.py']);
    expect(r.text).toContain('def l3_three():\n    return l4_FOUR + 1\n');
    expect(r.text).toContain('def l1_one():\n    return l2_two() + 1\n');
  });

  it('orders modules that import each other (a cycle) by dotted name, and renders them', async () => {
    const r = await renderOk({
      'features/b.py': 'import features.a as a\n\ndef fb():\n    return a.fa()\n',
      'features/a.py': 'import features.b as b\n\ndef fa():\n    return 1\n\ndef fa2():\n    return b.fb()\n',
      'contracts/template/t.py': template('def g():\n    return a.fa2()\n', 'import features.a as a'),
    });
    const order = [...r.text.matchAll(/^# {4}features\/(\S+)$/gm)].map((m) => m[1]);
    expect(order).toEqual(['a.py', 'b.py']);
  });

  it('treats template classes and decorators as roots', async () => {
    const r = await renderOk({
      'features/a.py': `
        def wrap(fn):
            return fn

        LIMIT = 3

        def helper():
            return 1
        `,
      'contracts/template/t.py': template(
        '@a.wrap\ndef g():\n    return 1\n\n\nclass Box:\n    size = a.LIMIT\n',
        'import features.a as a',
      ),
    });
    expect(topLevelNames(section(r.text, 'features/a.py'))).toEqual(['a_wrap', 'a_LIMIT']);
    expect(r.text).toContain('@a_wrap\ndef g():');
    expect(r.text).toContain('class Box:\n    size = a_LIMIT\n');
  });

  it('handles `A = B = 1` (both names defined by one statement)', async () => {
    const r = await renderOk({
      'features/a.py': 'A = B = 1\nC = 2\n',
      'contracts/template/t.py': template('X = a.B\n', 'import features.a as a'),
    });
    expect(section(r.text, 'features/a.py')).toBe('a_A = a_B = 1\n\n\n');
  });

  it('keeps the last definition of a redefined name, as Python does', async () => {
    const r = await renderOk({
      'features/a.py': `
        def f():
            return "first"

        def f():
            return "second"

        LIMIT = 1
        LIMIT = 2
        `,
      'contracts/template/t.py': template('X = a.f()\nY = a.LIMIT\n', 'import features.a as a'),
    });
    const body = section(r.text, 'features/a.py');
    expect(body).toContain('return "second"');
    expect(body).not.toContain('"first"');
    expect(body).toContain('a_LIMIT = 2');
    expect(body).not.toContain('a_LIMIT = 1');
  });

  it('keeps an earlier binding that a later statement reads while the module runs', async () => {
    const r = await renderOk({
      'features/a.py': 'X = [1]\nY = X\nX = X + [2]\nX += [3]\n',
      'contracts/template/t.py': template('Z = a.X\n', 'import features.a as a'),
    });
    expect(section(r.text, 'features/a.py')).toBe('a_X = [1]\n\na_X = a_X + [2]\na_X += [3]\n\n\n');
  });

  it('keeps annotated assignments, classes and module-level if blocks (what Python defines)', async () => {
    const r = await renderOk({
      'features/a.py': `
        from typing import NamedTuple

        RATE: int = 5
        ANNOTATION_ONLY: int

        class Pair(NamedTuple):
            left: int
            right: int

        if RATE > 3:
            MODE = "high"
        else:
            MODE = "low"
        `,
      'contracts/template/t.py': template('X = (a.RATE, a.Pair, a.MODE)\n', 'import features.a as a'),
    });
    const body = section(r.text, 'features/a.py');
    expect(body).toContain('a_RATE: int = 5');
    expect(body).not.toContain('ANNOTATION_ONLY');
    expect(body).toContain('class a_Pair(NamedTuple):\n    left: int\n    right: int\n');
    expect(body).toContain('if a_RATE > 3:\n    a_MODE = "high"\nelse:\n    a_MODE = "low"\n');
    expect(r.text).toContain('from typing import NamedTuple\n');
  });

  it('reports a dangling alias.missing with file, line and the module that lacks it', async () => {
    const errors = await renderErrors({
      'features/a.py': 'PRESENT = 1\n',
      'contracts/template/t.py': template('def g():\n    return a.missing\n', 'import features.a as a'),
    });
    expect(errors).toEqual([
      {
        code: 'E_RENDER_DANGLING',
        file: 'contracts/template/t.py',
        line: 7,
        column: 12,
        message: 'a.missing: features.a (features/a.py) defines no `missing`',
        hint: 'define missing in features/a.py, or fix the name',
      },
    ]);
  });

  it('reports dangling references inside features too', async () => {
    const errors = await renderErrors({
      'features/b.py': 'B = 1\n',
      'features/a.py': 'import features.b as b\n\ndef f():\n    return b.NOPE\n',
      'contracts/template/t.py': template('def g():\n    return a.f()\n', 'import features.a as a'),
    });
    expect(errors.map((e) => [e.code, e.file, e.line])).toEqual([['E_RENDER_DANGLING', 'features/a.py', 4]]);
  });

  it('resolves alias.NAME for a name the feature imports from contracts_api', async () => {
    const r = await renderOk({
      'features/a.py': 'from contracts_api import Tside\n',
      'contracts/template/t.py': template('tside = a.Tside.LIABILITY\n', 'import features.a as a'),
    });
    expect(r.text).toContain('tside = Tside.LIABILITY\n');
    expect(r.text).toContain('    Tside,\n');
  });

  it('rejects a feature module alias used as a value', async () => {
    const errors = await renderErrors({
      'features/a.py': 'X = 1\n',
      'contracts/template/t.py': template('def g():\n    return len(a)\n', 'import features.a as a'),
    });
    expect(errors).toEqual([
      expect.objectContaining({
        code: 'E_RENDER_MODULE_VALUE',
        line: 7,
        hint: "refer to the module's objects as a.NAME",
      }),
    ]);
  });

  it('does not rename attribute names, keyword names or names the scope shadows', async () => {
    const ok = await renderOk({
      'features/a.py': 'x = 1\n\ndef f(obj, a=None):\n    return obj.x, dict(x=2)\n',
      'contracts/template/t.py': template('def g(a):\n    return a.x\n\nY = a.f\n', 'import features.a as a'),
    });
    expect(ok.text).toContain('def a_f(obj, a=None):\n    return obj.x, dict(x=2)\n');
    // `a` is the parameter inside g, not the module alias.
    expect(ok.text).toContain('def g(a):\n    return a.x\n');
    expect(ok.text).not.toContain('a_x = 1');
  });
});

describe('imports in the output', () => {
  it('merges contracts_api names in first-seen order and prunes names nobody uses', async () => {
    const r = await renderOk({
      'features/a.py': `
        from contracts_api import Rejection, Phase, Posting
        from decimal import Decimal, ROUND_HALF_UP
        from typing import Optional

        def used() -> Optional[Rejection]:
            return Rejection(message=str(Decimal("1")))

        def unused():
            return Phase, Posting, ROUND_HALF_UP
        `,
      'contracts/template/t.py': template(
        'def g():\n    return a.used(), Tside\n',
        'import features.a as a\nfrom contracts_api import Tside, Rejection, UnusedName\nfrom json import dumps',
      ),
    });
    expect(r.text).toContain(
      'from contracts_api import (\n    Tside,\n    Rejection,\n)\nfrom decimal import Decimal\nfrom typing import Optional\n',
    );
    for (const gone of ['Phase', 'Posting', 'ROUND_HALF_UP', 'UnusedName', 'dumps', 'requires']) {
      expect(r.text).not.toContain(gone);
    }
  });

  it('keeps `import math` when math.NAME is used, and only then', async () => {
    const used = await renderOk({
      'features/a.py': 'import math\n\ndef f(x):\n    return math.floor(x)\n',
      'contracts/template/t.py': template('Y = a.f\n', 'import features.a as a'),
    });
    expect(used.text).toContain('\nimport math\n');
    const unused = await renderOk({
      'features/a.py': 'import math\n\nX = 1\n\ndef f(x):\n    return math.floor(x)\n',
      'contracts/template/t.py': template('Y = a.X\n', 'import features.a as a'),
    });
    expect(unused.text).not.toContain('import math');
  });

  it('rejects one local name imported as two different things', async () => {
    const errors = await renderErrors({
      'features/a.py': 'from contracts_api import Phase as P\n\ndef f():\n    return P\n',
      'contracts/template/t.py': template(
        'def g():\n    return a.f(), P\n',
        'import features.a as a\nfrom contracts_api import Posting as P',
      ),
    });
    expect(errors).toEqual([
      expect.objectContaining({
        code: 'E_RENDER_COLLISION',
        file: 'features/a.py',
        message: expect.stringContaining(
          '`P` is imported as contracts_api.Phase here but as contracts_api.Posting in',
        ),
      }),
    ]);
  });
});

describe('Vault handle types', () => {
  it('become Any in annotations, nested ones included, and Any is imported from typing', async () => {
    const r = await renderOk({
      'features/a.py': `
        from typing import Optional
        from inception_sdk.vault.contracts.extensions.contracts_api_extensions import (
            SmartContractVault,
            SuperviseeContractVault,
            SupervisorContractVault as Sup,
        )

        def f(
            vault: SmartContractVault,
            nested: Optional[dict[str, SmartContractVault]],
            many: list[SuperviseeContractVault],
        ) -> Optional[Sup]:
            return None
        `,
      'contracts/template/t.py': template('X = a.f\n', 'import features.a as a'),
    });
    expect(r.text).toContain(
      '    vault: Any,\n    nested: Optional[dict[str, Any]],\n    many: list[Any],\n) -> Optional[Any]:',
    );
    expect(r.text).toContain('from typing import Optional, Any\n');
    expect(r.text).not.toMatch(/ContractVault/);
  });

  it('rejects other names from the extension module when they are used', async () => {
    const errors = await renderErrors({
      'contracts/template/t.py': template(
        'def g():\n    return Helper()\n',
        'from inception_sdk.vault.contracts.extensions.contracts_api_extensions import Helper, SmartContractVault',
      ),
    });
    expect(errors.map((e) => [e.code, e.line])).toEqual([['E_RENDER_EXTENSION', 7]]);
  });
});

describe('decorator constants', () => {
  const fetchers = `
    LIVE = "live_bof"
    EOD = "eod_bof"
    ALIAS = LIVE
    POSTING_FETCHERS = [LIVE]
    ALL = [*POSTING_FETCHERS, EOD]
    BY_EVENT = {"ACCRUE": [EOD], "APPLY": ALL}
    FLAGS = ("F1", "F2")
    `;

  it('substitutes names, chains, lists, *LIST and dicts of lists across modules', async () => {
    const r = await renderOk({
      'features/fetchers.py': fetchers,
      'features/events.py': `
        import features.fetchers as fetchers

        ACCRUE = "ACCRUE_INTEREST"
        EVENT_FETCHERS = [*fetchers.ALL, fetchers.ALIAS]
        SINGLE = [*fetchers.POSTING_FETCHERS]
        `,
      'contracts/template/t.py': template(
        `
        CALENDARS = ["&{PUBLIC_HOLIDAYS}"]


        @requires(event_type=events.ACCRUE, parameters=True, calendar=CALENDARS, flags=[*fetchers.FLAGS])
        @fetch_account_data(event_type=events.ACCRUE, balances=events.EVENT_FETCHERS)
        @fetch_account_data(balances=events.SINGLE)
        def scheduled_event_hook(vault, hook_arguments):
            return None


        @fetch_account_data(balances=fetchers.BY_EVENT)
        def pre_posting_hook(vault, hook_arguments):
            return None
        `,
        'import features.fetchers as fetchers\nimport features.events as events',
      ),
    });
    expect(r.text).toContain(
      '@requires(event_type="ACCRUE_INTEREST", parameters=True, calendar=["&{PUBLIC_HOLIDAYS}"], flags=["F1", "F2"])\n' +
        '@fetch_account_data(event_type="ACCRUE_INTEREST", balances=["live_bof", "eod_bof", "live_bof"])\n' +
        '@fetch_account_data(balances=["live_bof"])\n',
    );
    expect(r.text).toContain(
      '@fetch_account_data(balances={"ACCRUE": ["eod_bof"], "APPLY": ["live_bof", "eod_bof"]})\n',
    );
    // Names only the decorators used are not emitted: they were substituted.
    expect(r.text).not.toContain('events_ACCRUE');
    expect(r.text).not.toContain('fetchers_');
  });

  it('leaves literal arguments and other decorators untouched', async () => {
    const r = await renderOk({
      'features/a.py': 'def deco(x):\n    return lambda f: f\n\nNAME = "n"\n',
      'contracts/template/t.py': template(
        '@a.deco(a.NAME)\n@requires( parameters = True ,  flags=[ "X" ] )\ndef helper(vault):\n    return None\n',
        'import features.a as a',
      ),
    });
    expect(r.text).toContain('@a_deco(a_NAME)\n@requires( parameters = True ,  flags=[ "X" ] )\n');
    expect(r.text).toContain('a_NAME = "n"');
  });

  it.each([
    ['a.compute()', 'a.compute() is not a literal or a module-level constant'],
    ['a.NOT_THERE', 'a.NOT_THERE: features.a (features/a.py) defines no `NOT_THERE`'],
    ['a.FROM_CALL', 'a.FROM_CALL: compute() is not a literal or a module-level constant'],
    ['a.FSTRING', 'a.FSTRING: f-string f"{X}" is not a literal'],
    ['a.FUNC', 'a.FUNC: FUNC (features/a.py:5) is not a constant assignment'],
    ['Tside', 'Tside: Tside is imported, not a module-level constant'],
    ['UNKNOWN_NAME', 'UNKNOWN_NAME: UNKNOWN_NAME is not defined at module level in contracts/template/t.py'],
    ['a.LOOP', 'a.LOOP: LOOP2: LOOP is defined in terms of itself'],
  ])('fails on a value that does not resolve to a literal: %s', async (value, message) => {
    const errors = await renderErrors({
      'features/a.py':
        'X = 1\nFROM_CALL = compute()\nFSTRING = f"{X}"\nLOOP = [*LOOP2]\ndef FUNC():\n    pass\nLOOP2 = LOOP\n\ndef compute():\n    return 1\n',
      'contracts/template/t.py': template(
        `@requires(event_type=${value})\ndef scheduled_event_hook(vault, hook_arguments):\n    return None\n`,
        'import features.a as a\nfrom contracts_api import Tside',
      ),
    });
    expect(errors).toEqual([
      expect.objectContaining({
        code: 'E_RENDER_DECORATOR',
        line: 7,
        message: `@requires(event_type=...): ${message}`,
      }),
    ]);
  });
});

describe('output layout', () => {
  const files = {
    'features/b.py': '# b\nB = "b"\n',
    'features/a.py': 'import features.b as b\n\nA = b.B\n',
    'contracts/template/t.py': `
      # A template
      import features.a as a
      from contracts_api import Tside, requires

      X = a.A

      @requires(parameters=True)
      def pre_posting_hook(vault, hook_arguments):
          return None

      supported_denominations = ["GBP"]
      version = "1.2.3"


      def activation_hook(vault, hook_arguments):
          return None

      tside = Tside.LIABILITY
      api = "4.1.0"

      def helper():
          return X
      `,
  };

  it('lays out header, imports, metadata, hooks, feature sections and the rest of the template', async () => {
    const r = await renderOk(files);
    const template = readFileSync(join(r.dir, 'contracts/template/t.py'), 'utf8');
    const hashOf = (path: string) => md5(readFileSync(join(r.dir, path), 'utf8'));
    expect(r.text).toBe(
      [
        '# Code auto-generated by strata render 0.0.0-test',
        '',
        '# Objects below have been imported from:',
        '#    contracts/template/t.py',
        `# md5:${md5(template)}`,
        'from contracts_api import (',
        '    Tside,',
        '    requires,',
        ')',
        '',
        'api = "4.1.0"',
        'version = "1.2.3"',
        'tside = Tside.LIABILITY',
        'supported_denominations = ["GBP"]',
        '',
        '',
        'def activation_hook(vault, hook_arguments):',
        '    return None',
        '',
        '',
        '@requires(parameters=True)',
        'def pre_posting_hook(vault, hook_arguments):',
        '    return None',
        '',
        '',
        '# Objects below have been imported from:',
        '#    features/b.py',
        `# md5:${hashOf('features/b.py')}`,
        '# b',
        'b_B = "b"',
        '',
        '',
        '# Objects below have been imported from:',
        '#    features/a.py',
        `# md5:${hashOf('features/a.py')}`,
        'a_A = b_B',
        '',
        '',
        '# Objects below have been imported from:',
        '#    contracts/template/t.py',
        `# md5:${md5(template)}`,
        'X = a_A',
        '',
        '',
        'def helper():',
        '    return X',
        '',
      ].join('\n'),
    );
  });

  it('renders a template without features as header, imports and its own code', async () => {
    const r = await renderOk({
      'contracts/template/t.py': 'from contracts_api import Tside\n\napi = "4.0.0"\ntside = Tside.ASSET\n',
    });
    const hash = md5(readFileSync(join(r.dir, 'contracts/template/t.py'), 'utf8'));
    expect(r.text).toBe(
      `# Code auto-generated by strata render 0.0.0-test\n\n# Objects below have been imported from:\n#    contracts/template/t.py\n# md5:${hash}\nfrom contracts_api import (\n    Tside,\n)\n\napi = "4.0.0"\ntside = Tside.ASSET\n`,
    );
  });

  it('hashes sources with LF line endings (a CRLF checkout renders the same bytes)', async () => {
    const lf = await renderOk(files);
    const dir = writeTree(files);
    for (const path of Object.keys(files)) {
      const abs = join(dir, path);
      writeFileSync(abs, readFileSync(abs, 'utf8').replace(/\n/g, '\r\n'));
    }
    const crlf = await renderIn(dir);
    expect(readFileSync(join(dir, 'features/a.py'), 'utf8')).toContain('\r\n');
    expect(crlf.text).toBe(lf.text);
    expect(crlf.text).not.toContain('\r');
  });

  it('names files by base name with --basename-headers', async () => {
    const r = await renderOk(files, { basenameHeaders: true });
    expect([...r.text.matchAll(/^# {4}(\S+)$/gm)].map((m) => m[1])).toEqual(['t.py', 'b.py', 'a.py', 't.py']);
  });

  it('adds git:<commit> of each file when the IO adapter knows it', async () => {
    const dir = writeTree(files);
    const out = new Map<string, string>();
    const r = await renderTemplates(
      ['contracts/template/t.py'],
      { cwd: dir, version: 'v', git: true },
      {
        ...(await import('../../src/render/io.js')).nodeIO(null),
        writeFile: (path, text) => {
          out.set(path, text);
        },
        lastCommits: async (paths) =>
          new Map(paths.filter((p) => p.endsWith('a.py')).map((p) => [p, 'abc1234'])),
      },
    );
    expect(r.status).toBe('OK');
    const text = [...out.values()][0] ?? '';
    expect(text).toMatch(/# {4}features\/a\.py\n# md5:[0-9a-f]{32} git:abc1234\n/);
    expect(text).toMatch(/# {4}features\/b\.py\n# md5:[0-9a-f]{32}\n/);
  });

  it("keeps comments and the author's formatting inside emitted objects", async () => {
    const r = await renderOk({
      'features/a.py': `
        # Detached comment (blank line after it): not attached to anything

        # Attached to LIMITS
        LIMITS = {
            "low":   1,   # aligned on purpose
            "high": 10,
        }  # trailing comment


        def f(x):
            # inside
            return LIMITS[x]  # end of line
        `,
      'contracts/template/t.py': template('Y = a.f\n', 'import features.a as a'),
    });
    expect(section(r.text, 'features/a.py')).toBe(
      [
        '# Attached to LIMITS',
        'a_LIMITS = {',
        '    "low":   1,   # aligned on purpose',
        '    "high": 10,',
        '}  # trailing comment',
        '',
        '',
        'def a_f(x):',
        '    # inside',
        '    return a_LIMITS[x]  # end of line',
        '',
        '',
        '',
      ].join('\n'),
    );
  });

  it('keeps a section (header only) for an imported module none of whose objects are used', async () => {
    const r = await renderOk({
      'features/a.py': 'X = 1\n',
      'features/b.py': 'import features.a as a\nY = 2\n',
      'contracts/template/t.py': template('Z = b.Y\n', 'import features.b as b'),
    });
    expect(section(r.text, 'features/a.py')).toBe('\n\n');
  });

  it("changes only that module's header hash when an unused feature object is touched", async () => {
    const dir = writeTree({
      'features/a.py': 'USED = 1\n\ndef unused():\n    return 0\n',
      'features/b.py': 'import features.a as a\nY = a.USED\n',
      'contracts/template/t.py': template('Z = b.Y\n', 'import features.b as b'),
    });
    const before = await renderIn(dir);
    writeFileSync(join(dir, 'features/a.py'), 'USED = 1\n\ndef unused():\n    # touched\n    return 42\n');
    const after = await renderIn(dir);
    expect(after.result.status).toBe('written');
    const a = before.text.split('\n');
    const b = after.text.split('\n');
    expect(b.length).toBe(a.length);
    const changed = a.map((line, i) => [line, b[i]]).filter(([x, y]) => x !== y);
    expect(changed).toHaveLength(1);
    expect(changed[0]?.[0]).toMatch(/^# md5:/);
    expect(a[a.indexOf(changed[0]?.[0] as string) - 1]).toBe('#    features/a.py');
    checkPython(join(dir, after.result.output));
  });
});

describe('template checks', () => {
  it('refuses templates for another Contracts API major version', async () => {
    const errors = await renderErrors({ 'contracts/template/t.py': 'api = "3.12.0"\nversion = "1.0.0"\n' });
    expect(errors).toEqual([
      expect.objectContaining({
        code: 'E_RENDER_API',
        line: 1,
        column: 7,
        message: 'api = "3.12.0": only Contracts API 4 templates are supported',
      }),
    ]);
  });

  it('refuses a template without api', async () => {
    const errors = await renderErrors({ 'contracts/template/t.py': 'version = "1.0.0"\n' });
    expect(errors.map((e) => [e.code, e.hint])).toEqual([
      ['E_RENDER_API', 'only Contracts API 4 templates are supported: add api = "4.0.0"'],
    ]);
  });

  it('rejects template names used eagerly by metadata or hook decorators but defined in the rest', async () => {
    const errors = await renderErrors({
      'contracts/template/t.py': template(
        'supported_denominations = DENOMS\n\ndef deco(f):\n    return f\n\n@deco\ndef pre_posting_hook(vault, hook_arguments):\n    return DENOMS\n\nDENOMS = ["GBP"]\n',
      ),
    });
    expect(errors.map((e) => [e.code, e.line, e.column])).toEqual([
      ['E_RENDER_ORDER', 5, 27],
      ['E_RENDER_ORDER', 10, 2],
    ]);
  });

  it('reports Python syntax errors in features with file and line', async () => {
    const errors = await renderErrors({
      'features/a.py': 'X = 1\ndef broken(:\n    pass\n',
      'contracts/template/t.py': template('Y = a.X\n', 'import features.a as a'),
    });
    expect(errors[0]).toMatchObject({ code: 'E_RENDER_SYNTAX', file: 'features/a.py', line: 2 });
  });

  it('rejects feature objects used eagerly by metadata or hook signatures (they are defined later)', async () => {
    const errors = await renderErrors({
      'features/a.py': 'CCY = ["GBP"]\nT = int\n',
      'contracts/template/t.py': template(
        'supported_denominations = a.CCY\n\ndef pre_posting_hook(vault, hook_arguments) -> a.T:\n    return a.T\n',
        'import features.a as a',
      ),
    });
    expect(errors.map((e) => [e.code, e.line])).toEqual([
      ['E_RENDER_ORDER', 6],
      ['E_RENDER_ORDER', 8],
    ]);
  });
});

describe('the symbol check used on every output', () => {
  it('fails on a name that is neither defined, imported nor a builtin', () => {
    const dir = writeTree({
      'x.py': 'import math\nA = math.pi\n\ndef f():\n    return A + len([]) + missing_name\n',
    });
    expect(() => checkPython(join(dir, 'x.py'))).toThrow(/names used but not defined/);
  });

  it('fails on code Python cannot parse', () => {
    const dir = writeTree({ 'x.py': 'def f(:\n' });
    expect(() => checkPython(join(dir, 'x.py'))).toThrow(/could not parse/);
  });
});
