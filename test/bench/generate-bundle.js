// Generates a synthetic bundle for the validate benchmark: PACKS packs, RESOURCES resources in all,
// a realistic mix: product versions sharing large code files, internal accounts referencing an
// internal product, flags embedded in JSON-valued parameters, and one calendar with thousands of events.
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

function contractCode(name, params, size) {
  const lines = [
    `api = "4.0.0"`,
    `version = "1.0.0"`,
    `display_name = "${name}"`,
    `from contracts_api import (Parameter, NumberShape, StringShape, ParameterLevel, Tside, DEFAULT_ADDRESS)`,
    `from decimal import Decimal`,
    `tside = Tside.LIABILITY`,
    `supported_denominations = ["GBP"]`,
    ...params.map((p) => `PARAM_${p.toUpperCase()} = "${p}"`),
    `parameters = [`,
    ...params.map(
      (p) =>
        `    Parameter(name=PARAM_${p.toUpperCase()}, shape=StringShape(), level=ParameterLevel.TEMPLATE, description="${p}"),`,
    ),
    `]`,
  ];
  let i = 0;
  while (lines.join('\n').length < size) {
    lines.push(
      ``,
      `def _helper_${i}(vault, amount: Decimal, rate: Decimal) -> Decimal:`,
      `    # accrue interest for period ${i}`,
      `    daily = (amount * rate / Decimal("365")).quantize(Decimal("0.01"))`,
      `    if daily < 0:`,
      `        return Decimal("0")`,
      `    return daily + Decimal("${i}") * Decimal("0.00")`,
    );
    i++;
  }
  return lines.join('\n') + '\n';
}

export function generateBundle(dir, { packs = 20, resources = 10_000, codeSize = 40_000 } = {}) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const eventsPack = Math.floor(resources * 0.3); // one calendar pack with thousands of events
  const perPack = Math.floor((resources - eventsPack) / (packs - 1));
  let total = 0;
  for (let p = 0; p < packs; p++) {
    const root = join(dir, `pack_${String(p).padStart(2, '0')}`);
    mkdirSync(join(root, 'contracts'), { recursive: true });
    const ids = [];
    const docs = [];
    const entry = (type, id, payload, extra = '') => {
      ids.push(id);
      docs.push(`- type: ${type}\n  id: ${id}\n${extra}  payload: |\n${payload.replace(/^/gm, '    ')}`);
    };
    if (p === 0) {
      entry(
        'CALENDAR',
        'bench_calendar',
        `calendar:\n  id: bench_calendar\n  is_active: true\n  display_name: Bench holidays\n`,
        '  on_conflict: SKIP\n',
      );
      for (let e = 0; e < eventsPack + (resources - eventsPack - perPack * (packs - 1)) - 1; e++) {
        const day = new Date(Date.UTC(2020, 0, 1) + e * 86_400_000).toISOString().slice(0, 10);
        entry(
          'CALENDAR_EVENT',
          `bench_event_${e}`,
          `calendar_event:\n  id: bench_event_${e}\n  calendar_id: "&{bench_calendar}"\n  name: Holiday ${e}\n  is_active: true\n  start_timestamp: "${day}T00:00:00+00:00"\n  end_timestamp: "${day}T23:59:59+00:00"\n`,
        );
      }
    } else {
      const tag = `p${p}`;
      const params = ['denomination', 'interest_rate', 'flags', 'accounts'];
      writeFileSync(
        join(root, 'contracts', 'product_a.py'),
        contractCode(`Product A ${p}`, params, codeSize),
      );
      writeFileSync(
        join(root, 'contracts', 'product_b.py'),
        contractCode(`Product B ${p}`, params, codeSize),
      );
      writeFileSync(
        join(root, 'contracts', 'internal.py'),
        contractCode(`Internal ${p}`, ['denomination'], 4_000),
      );
      const nFlags = 20;
      const nAccounts = 60;
      for (let f = 0; f < nFlags; f++) {
        entry(
          'FLAG_DEFINITION',
          `${tag}_FLAG_${f}`,
          `flag_definition:\n  id: ${tag}_FLAG_${f}\n  name: Flag ${f}\n  description: bench flag\n  required_flag_level: FLAG_LEVEL_ACCOUNT\n  flag_visibility: FLAG_VISIBILITY_CONTRACT\n`,
        );
      }
      for (let t = 0; t < 10; t++) {
        entry(
          'ACCOUNT_SCHEDULE_TAG',
          `${tag}_TAG_${t}`,
          `account_schedule_tag:\n  id: ${tag}_TAG_${t}\n  description: bench tag\n  sends_scheduled_operation_reports: true\n  schedule_status_override: ACCOUNT_SCHEDULE_TAG_SCHEDULE_STATUS_OVERRIDE_NO_OVERRIDE\n  test_pause_at_timestamp: null\n`,
        );
      }
      entry(
        'SMART_CONTRACT_VERSION',
        `${tag}_internal`,
        `product_version:\n  product_id: ${tag}_internal\n  display_name: Internal ${p}\n  code: "@{contracts/internal.py}"\n  params:\n    - name: denomination\n      value: GBP\nmigration_strategy: PRODUCT_VERSION_MIGRATION_STRATEGY_ADD_VERSION_UPGRADE_INTERNAL_ACCOUNTS\nis_internal: true\n`,
      );
      for (let a = 0; a < nAccounts; a++) {
        entry(
          'INTERNAL_ACCOUNT',
          `${tag}_ACC_${a}`,
          `internal_account:\n  id: ${tag}_ACC_${a}\n  product_id: "&{${tag}_internal:product_id}"\n  accounting:\n    tside: TSIDE_LIABILITY\n  permitted_denominations:\n    - GBP\n`,
        );
      }
      const fixed = nFlags + 10 + 1 + nAccounts;
      for (let v = 0; v < perPack - fixed; v++) {
        const code = v % 2 === 0 ? 'product_a.py' : 'product_b.py';
        const flags = JSON.stringify([`&{${tag}_FLAG_${v % nFlags}}`, `&{${tag}_FLAG_${(v + 1) % nFlags}}`]);
        entry(
          'SMART_CONTRACT_VERSION',
          `${tag}_product_${v}`,
          `product_version:\n  product_id: ${tag}_product_${v}\n  display_name: Product ${v}\n  code: "@{contracts/${code}}"\n  params:\n    - name: denomination\n      value: GBP\n    - name: interest_rate\n      value: "0.0${v % 10}"\n    - name: flags\n      value: '${flags}'\n    - name: accounts\n      value: '{"interest_paid": "&{${tag}_ACC_${v % nAccounts}}"}'\n  tags:\n    - bench\nmigration_strategy: PRODUCT_VERSION_MIGRATION_STRATEGY_ADD_VERSION\n`,
        );
      }
    }
    writeFileSync(join(root, 'bench.resources.yaml'), `# generated\n---\nresources:\n${docs.join('\n')}\n`);
    writeFileSync(
      join(root, 'manifest.yaml'),
      `pack_version: "1.0.0"\npack_name: bench_${p}\nresource_ids:\n${ids.map((i) => `  - ${i}`).join('\n')}\n`,
    );
    total += ids.length;
  }
  return total;
}
