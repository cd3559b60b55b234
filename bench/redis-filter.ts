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
  comparison?: Comparison;
  note: string;
}

export async function measureFilterCost(runs: number): Promise<FilterCost> {
  const server = discoverServers().found.find((s) => s.product === 'redis' && s.version[0] >= 8);
  if (!server) return { note: 'Command filter: not measured, no Redis 8 found (`bash .ci/servers.sh` unpacks one).' };
  const bare = await startServer({ binary: server.binary, module: false });
  let loaded: BenchServer | undefined;
  try {
    loaded = await startServer({ binary: server.binary });
    if (!loaded.log().includes('served through a command filter'))
      throw new Error(`${server.label}: the module registered no command filter`);
    const command = ['GET', 'k'];
    for (const s of [bare, loaded]) await s.redis.set('k', 'abc');
    const n = await calibrate(bare.port, command);
    const rps: [number[], number[]] = [[], []];
    for (let r = 0; r < runs; r++) {
      rps[0].push(await redisBenchmark(loaded.port, n, command));
      rps[1].push(await redisBenchmark(bare.port, n, command));
    }
    const measure = (name: string, runsOf: number[]): Measurement => {
      const opsPerSec = median(runsOf);
      return { name, opsPerSec, nsPerOp: 1e9 / opsPerSec, runs: runsOf, note: `-n ${n}` };
    };
    const target = (ratio: number) => ({ text: '≥ 0.98× (cost < 2%)', met: ratio >= 0.98 });
    return {
      comparison: compare(
        `command filter: GET on ${server.label}`,
        measure('GET k, module loaded (filter on)', rps[0]),
        measure('GET k, no module', rps[1]),
        target,
      ),
      note: `Command filter: two ${server.label} servers, \`${bare.commandLine}\` and \`${loaded.commandLine}\`; GET k alternating between them, ${runs} runs each, the same -n.`,
    };
  } finally {
    await loaded?.stop();
    await bare.stop();
  }
}
