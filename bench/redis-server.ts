/** One redis-server with the mmvec module on a free loopback port, for the Redis suite:
 * the test harness's server, with the installed module and no AOF. */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { modulePath } from 'mmvec';
import {
  type ServerOptions,
  SERVER_BINARY,
  startServer as startHarnessServer,
  type TestServer,
} from '../test/helpers/redis';

export interface BenchServer extends TestServer {
  /** The command line, with the temp dir and port as placeholders and the module path relative to the cwd. */
  commandLine: string;
}

/** `options.module`: the installed module unless given (`false`: none). */
export async function startServer(options: ServerOptions = {}): Promise<BenchServer> {
  const server = await startHarnessServer({ module: modulePath(), ...options, args: ['--appendonly', 'no'] });
  const { port, dir, args } = server;
  const shown = (a: string) =>
    a === ''
      ? "''"
      : a === String(port)
        ? '<free port>'
        : a.startsWith(dir)
          ? a.replace(dir, '<temp dir>')
          : a.startsWith('/')
            ? path.relative(process.cwd(), a)
            : a;
  return {
    ...server,
    commandLine: [shown(options.binary ?? SERVER_BINARY), ...args.map(shown)].join(' '),
    async stop() {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
