/**
 * The command filter's cost. On a server with its own `VADD` (Redis 8's vector sets) the
 * module registers a filter that runs before every command on the server, its own or not.
 * Measured as `GET` on two servers of that binary, one without the module and one with it,
 * runs alternating; the ratio is the throughput kept with the module loaded.
 */

import { discoverServers } from '../test/helpers/servers';
import { calibrate, redisBenchmark } from './redis-benchmark.js';
import { type BenchServer, startServer } from './redis-server.js';
import { type Comparison, type Measurement, compare, median } from './types.js';

export interface FilterCost {
  comparisons: Comparison[];
  note: string;
}

/** Runs each: the three servers alternate, in a rotating order, so no server always goes first. */
const RUNS_FACTOR = 2;

export async function measureFilterCost(runs: number): Promise<FilterCost> {
  const server = discoverServers().found.find((s) => s.product === 'redis' && s.version[0] >= 8);
  if (!server)
    return {
      comparisons: [],
      note: 'Command filter: not measured, no Redis 8 found (`bash .ci/servers.sh` unpacks one).',
    };
  const started: BenchServer[] = [];
  try {
    const start = async (options: Parameters<typeof startServer>[0]) => {
      const s = await startServer({ binary: server.binary, ...options });
      started.push(s);
      return s;
    };
    const bare = await start({ module: false });
    const unfiltered = await start({ moduleArgs: ['ALIASES', 'no'] });
    const filtered = await start({});
    if (!filtered.log().includes('served through a command filter'))
      throw new Error(`${server.label}: the module registered no command filter`);
    if (unfiltered.log().includes('command filter')) throw new Error(`${server.label}: ALIASES no registered a filter`);
    const command = ['GET', 'k'];
    const servers = [filtered, bare, unfiltered];
    for (const s of servers) await s.redis.set('k', 'abc');
    const n = await calibrate(bare.port, command);
    const rps = servers.map((): number[] => []);
    for (let r = 0; r < runs * RUNS_FACTOR; r++) {
      for (let k = 0; k < servers.length; k++) {
        const i = (r + k) % servers.length;
        rps[i]!.push(await redisBenchmark(servers[i]!.port, n, command));
      }
    }
    const measure = (name: string, runsOf: number[]): Measurement => {
      const opsPerSec = median(runsOf);
      return { name, opsPerSec, nsPerOp: 1e9 / opsPerSec, runs: runsOf, note: `-n ${n}` };
    };
    const [withFilter, noModule, moduleNoFilter] = [
      measure('GET k, module loaded (filter on)', rps[0]!),
      measure('GET k, no module', rps[1]!),
      measure('GET k, module loaded with ALIASES no (no filter)', rps[2]!),
    ];
    const target = (ratio: number) => ({ text: '≥ 0.98× (cost < 2%)', met: ratio >= 0.98 });
    const group = `command filter: GET on ${server.label}`;
    return {
      comparisons: [compare(group, withFilter, noModule, target), compare(group, withFilter, moduleNoFilter)],
      note: `Command filter: three ${server.label} servers, \`${bare.commandLine}\`, the same with the module and \`ALIASES no\` (no filter), and with the module (the filter on); GET k on each in turn, the order rotating every round, ${runs * RUNS_FACTOR} runs each, the same -n.`,
    };
  } finally {
    for (const s of started.reverse()) await s.stop();
  }
}
