#!/usr/bin/env node
/**
 * The `mmvec` command line: `serve` starts redis-server with the module loaded,
 * `module-path` prints the module's path for `loadmodule`, `info`, `import` and
 * `export` inspect and convert vector files (their code is in src/cli/).
 * Exit codes: 0 success, 1 failure, 2 usage error. Errors print "mmvec: <message>".
 */

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError, parseArgsMessage } from './cli/args.js';
import { CliError, describeError } from './cli/errors.js';
import { exportCommand } from './cli/export.js';
import { importCommand } from './cli/import.js';
import { info } from './cli/info.js';
import { modulePath } from './module-path.js';

const USAGE = `Usage: mmvec <command> [options]

Commands:
  serve [--port N] [--dir D] [--bind ADDR] [--config FILE] [-- redis-server args...]
        Start redis-server with the mmvec module loaded. Defaults: port 6379,
        bind 127.0.0.1, dir ./mmvec-data (created if missing; vector files live there).
  module-path
        Print the absolute path of the Redis module, for "loadmodule".
  info FILE [--dtype T]
        Print a vector file's count, size, min, max, mean and a sparkline.
  import SRC DEST [--dtype T] [--column N|NAME] [--delimiter C] [--header]
        Create a vector file from a CSV/TSV column, one number per line, or a .npy.
  export FILE DEST [--dtype T] [--format csv|npy]
        Write a vector file as text (one value per line) or as a .npy.

Options:
  -h, --help  Show this help; "mmvec <command> --help" for a command's.

dtypes: int8 uint8 int16 uint16 int32 uint32 int64 uint64 float32 float64 (default),
or an alias (i8 ... u64, f32, f64, float, double).
Exit codes: 0 success, 1 failure (bad data, missing file, I/O), 2 usage error.`;

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
    case 'info':
      return info(rest);
    case 'import':
      return importCommand(rest);
    case 'export':
      return exportCommand(rest);
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
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`mmvec: ${error.message}`);
      console.error(`Run "mmvec ${error.command ? `${error.command} ` : ''}--help" for usage.`);
      process.exitCode = 2;
      return;
    }
    console.error(`mmvec: ${describeError(error)}`);
    process.exitCode = error instanceof CliError ? error.exitCode : 1;
  },
);
