// The load generator of `npm run bench:server`, run as its own process so that it does not share
// an event loop (or a core) with the bench's bookkeeping. Usage:
//   node load.js '{"url":..., "workload":"create-flag"|"create-version"|"batch-get", ...}'
// Runs autocannon and prints its result as one JSON line on stdout.
import { config, runLoad } from './run-load.js';

const { prefix } = config;

/** About 50 KB of valid contract code whose version line varies, so every upload is parsed. */
function codeBody() {
  const defs = [];
  let length = 0;
  for (let i = 0; length < 50_000; i++) {
    const def = `def helper_${i}(value, rate):\n    return value * rate + ${i}\n\n`;
    defs.push(def);
    length += def.length;
  }
  return defs.join('');
}

function createFlag() {
  let i = 0;
  return {
    method: 'POST',
    path: '/v1/flag-definitions',
    setupRequest: (req) => {
      i += 1;
      const id = `F_${prefix}_${i}`;
      return {
        ...req,
        body: JSON.stringify({ request_id: `b-${prefix}-${i}`, flag_definition: { id, name: id } }),
      };
    },
  };
}

function createVersion() {
  const code = codeBody();
  let v = 0;
  return {
    method: 'POST',
    path: '/v1/product-versions',
    setupRequest: (req) => {
      v += 1;
      return {
        ...req,
        body: JSON.stringify({
          request_id: `pv-${prefix}-${v}`,
          product_version: {
            product_id: `bench_${prefix}`,
            display_name: 'Bench',
            code: `api = "4.0.0"\nversion = "1.0.${v}"\n\n${code}`,
          },
          migration_strategy: 'PRODUCT_VERSION_MIGRATION_STRATEGY_ADD_VERSION',
        }),
      };
    },
  };
}

/** Reads 10 flag definitions created by an earlier `create-flag` run (`known` of them, surely acknowledged). */
function batchGet() {
  let k = 0;
  return {
    method: 'GET',
    setupRequest: (req) => {
      const ids = [];
      for (let j = 0; j < 10; j++)
        ids.push(`ids=F_${config.readPrefix}_${((k * 10 + j) % config.known) + 1}`);
      k += 1;
      return { ...req, path: `/v1/flag-definitions:batchGet?${ids.join('&')}` };
    },
  };
}

await runLoad({ 'create-flag': createFlag, 'create-version': createVersion, 'batch-get': batchGet });
