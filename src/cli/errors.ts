/**
 * Failures of the command line: a `CliError` carries a finished message (exit code 1);
 * library and system errors are turned into one by their `code`.
 */

import type { CodedError } from '../errors.js';
import { TYPES } from './types.js';

/** A failure whose message is ready to print after "mmvec: " (exit code 1). */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** SIGINT or SIGTERM arrived while an output file was being written (exit code 130). */
export class Interrupted extends CliError {
  constructor(signal: string) {
    super(`interrupted (${signal})`, signal === 'SIGTERM' ? 143 : 130);
  }
}

type Coded = Partial<CodedError>;

const SYSTEM: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a component of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EFBIG: 'file too large',
  EIO: 'input/output error',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  ENOMEM: 'out of memory',
  ENXIO: 'no such device or address',
  EXDEV: 'cannot rename across file systems',
};

/**
 * The message for an error met while working on `file` (the path as the user gave it):
 * known codes get a short description, anything else its own message.
 */
export function describeError(error: unknown, file?: string): string {
  if (!(error instanceof Error)) return String(error);
  if (error instanceof CliError) return error.message;
  const { code, size, dtype } = error as Coded;
  const where = file ?? (error as Coded).path;
  const at = (text: string): string => (where !== undefined ? `${where}: ${text}` : text);
  switch (code) {
    case 'ERR_MMVEC_NOT_REGULAR_FILE':
      return at('not a regular file');
    case 'ERR_MMVEC_BAD_SIZE': {
      if (size === undefined || dtype === undefined) return at(`${error.message}; is --dtype right?`);
      return at(
        `its size, ${size} bytes, is not a whole number of ${dtype} elements (${TYPES[dtype].itemsize} bytes each); is --dtype right?`,
      );
    }
    case 'ERR_MMVEC_LOCKED':
      return at('locked by another writer (a process has it open read-write)');
    case 'ERR_MMVEC_HAS_READERS':
      return at('cannot be truncated while a reader has it mapped');
    case 'ERR_MMVEC_BAD_PATH':
      return at('bad path (it contains a NUL byte)');
    case 'ERR_MMVEC_BAD_DTYPE':
    case 'ERR_MMVEC_BAD_VALUE':
    case 'ERR_MMVEC_BAD_LENGTH':
      return at(error.message);
    case 'ERR_BUFFER_TOO_LARGE':
      return at('too large to map into one buffer');
    default:
      if (code !== undefined && SYSTEM[code] !== undefined) return at(SYSTEM[code]);
      return where !== undefined && code !== undefined ? at(error.message) : error.message;
  }
}
