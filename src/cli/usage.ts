/** The top-level help of `mmvec`. */

import { dtypeHelp } from './args.js';

export const USAGE = `Usage: mmvec <command> [options]

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

${dtypeHelp('dtypes (default float64): ', 0)}.
Exit codes: 0 success, 1 failure (bad data, missing file, I/O), 2 usage error.`;
