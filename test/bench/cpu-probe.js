// Loaded into an import process by the import bench (node --import): at exit, writes the process's
// CPU time to $STRATA_BENCH_CPU_FILE, in all and from its first outgoing connection on (the
// network phase: preflight, lists, writes, journal, output), in microseconds.
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';

const file = process.env.STRATA_BENCH_CPU_FILE;
let atFirstConnection;
const onSocket = () => {
  atFirstConnection ??= process.cpuUsage();
};
subscribe('net.client.socket', onSocket);
process.on('exit', () => {
  const end = process.cpuUsage();
  const total = end.user + end.system;
  const before = atFirstConnection ? atFirstConnection.user + atFirstConnection.system : total;
  if (file) writeFileSync(file, JSON.stringify({ total_us: total, network_us: total - before }));
});
