#!/usr/bin/env node
/**
 * The `mmvec` command line: `serve` starts redis-server with the module loaded,
 * `module-path` prints the module's path for `loadmodule`.
 * Exit codes: 0 success, 1 failure, 2 usage error.
 */

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { modulePath } from './module-path.js';

const USAGE = `Usage: mmvec <command> [options]

Commands:
  serve [--port N] [--dir D] [--bind ADDR] [--config FILE] [-- redis-server args...]
        Start redis-server with the mmvec module loaded. Defaults: port 6379,
        bind 127.0.0.1, dir ./mmvec-data (created if missing; vector files live there).
  module-path
        Print the absolute path of the Redis module, for "loadmodule".

Options:
  -h, --help  Show this help.`;

class UsageError extends Error {}

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

function serve(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
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
  if (values.help) {
    console.log(USAGE);
    return Promise.resolve(0);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number, not '${values.port}'`);
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
    '--port', String(port),
    '--bind', values.bind,
    '--dir', dir,
    '--loadmodule', module,
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

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'module-path':
      if (rest.length > 0 && !rest.includes('--help') && !rest.includes('-h')) throw new UsageError('module-path takes no arguments');
      console.log(rest.length > 0 ? USAGE : modulePath());
      return 0;
    case undefined:
    case '-h':
    case '--help':
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error & { code?: string }) => {
    const usage = error instanceof UsageError || error.code?.startsWith('ERR_PARSE_ARGS');
    console.error(`mmvec: ${error.message}`);
    if (usage) console.error('Run "mmvec --help" for usage.');
    process.exitCode = usage ? 2 : 1;
  },
);
