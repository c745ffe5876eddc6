// What the load generators (load.js, ledger-load.js) share: the configuration from argv, and one
// autocannon run of the chosen workload whose figures go to stdout as one JSON line.
import autocannon from 'autocannon';

/** The generator's configuration: the JSON of its first argument. */
export const config = JSON.parse(process.argv[2] ?? '{}');

/**
 * Runs `workloads[config.workload]()` (an autocannon request) for `config.duration` seconds at
 * `config.connections`, and prints {rps, p50, p99, total, non2xx, statusCodes, errors}.
 */
export async function runLoad(workloads) {
  const workload = workloads[config.workload];
  if (workload === undefined)
    throw new Error(
      `unknown workload ${config.workload}: expected one of ${Object.keys(workloads).join(', ')}`,
    );
  const { url, token, connections, duration } = config;
  const result = await autocannon({
    url,
    connections,
    duration,
    headers: { 'x-auth-token': token, 'content-type': 'application/json' },
    requests: [workload()],
  });
  process.stdout.write(
    `${JSON.stringify({
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      total: result.requests.total,
      non2xx: result.non2xx,
      statusCodes: Object.keys(result.statusCodeStats ?? {}),
      errors: result.errors + result.timeouts,
    })}\n`,
  );
}
