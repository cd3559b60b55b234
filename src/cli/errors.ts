/**
 * Failures of the command line: a `CliError` carries a finished message (exit code 1);
 * library and system errors are turned into one by their `code`.
 */

import { getSystemErrorMap } from 'node:util';
import type { CodedError } from '../errors.js';
import { typeOf } from './types.js';

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

/** Each system error code's description (ENOENT: 'no such file or directory'), as Node's libuv has it. */
const SYSTEM = new Map(Array.from(getSystemErrorMap().values(), ([name, description]) => [name, description]));

/**
 * The message for an error met while working on `file` (the path as the user gave it):
 * system error codes get their description, mmvec's codes a short text, anything else its own message.
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
        `its size, ${size} bytes, is not a whole number of ${dtype} elements (${typeOf(dtype).itemsize} bytes each); is --dtype right?`,
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
      if (code !== undefined && SYSTEM.has(code)) return at(SYSTEM.get(code)!);
      return where !== undefined && code !== undefined ? at(error.message) : error.message;
  }
}
