/**
 * `mmvec serve [--port N] [--dir D] [--bind ADDR] [--config FILE] [-- redis-server args...]`:
 * redis-server with the module loaded, in the foreground; signals pass through to it.
 */

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { modulePath } from '../module-path.js';
import { UsageError, parseArgsMessage } from './args.js';
import { USAGE } from './usage.js';

function findOnPath(program: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, program);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      continue;
    }
  }
  return undefined;
}

export function serve(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: '6379' },
        dir: { type: 'string', default: 'mmvec-data' },
        bind: { type: 'string', default: '127.0.0.1' },
        config: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(parseArgsMessage(error as Error & { code?: string }));
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return Promise.resolve(0);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port must be a port number, not '${values.port}'`);
  const server = findOnPath('redis-server');
  if (!server) {
    console.error('mmvec: redis-server was not found on PATH; install Redis 7 (e.g. apt-get install redis-server)');
    return Promise.resolve(1);
  }
  const dir = path.resolve(values.dir);
  fs.mkdirSync(dir, { recursive: true });
  const module = modulePath();
  const args = [
    ...(values.config ? [path.resolve(values.config)] : []),
    '--port',
    String(port),
    '--bind',
    values.bind,
    '--dir',
    dir,
    '--loadmodule',
    module,
    ...positionals,
  ];
  console.log(`mmvec: redis-server on ${values.bind}:${port}, vector files in ${dir}`);
  console.log(`mmvec: module ${module}`);
  const child = spawn(server, args, { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) => {
    child.on('error', (error) => {
      console.error(`mmvec: could not start redis-server: ${error.message}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 0 : 1)));
  });
}
