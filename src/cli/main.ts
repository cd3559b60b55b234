#!/usr/bin/env node
/**
 * The `mmvec` command line: `serve` starts redis-server with the module loaded,
 * `module-path` prints the module's path for `loadmodule`, `info`, `import` and
 * `export` inspect and convert vector files (one file each, beside this one).
 * Exit codes: 0 success, 1 failure, 2 usage error. Errors print "mmvec: <message>".
 */

import { modulePath } from '../module-path.js';
import { UsageError } from './args.js';
import { CliError, describeError } from './errors.js';
import { exportCommand } from './export.js';
import { importCommand } from './import.js';
import { info } from './info.js';
import { serve } from './serve.js';
import { USAGE } from './usage.js';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'module-path':
      if (rest.length > 0 && !rest.includes('--help') && !rest.includes('-h'))
        throw new UsageError('module-path takes no arguments');
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
