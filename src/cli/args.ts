/** Argument parsing for the subcommands: `parseArgs` with short, uniform usage errors. */

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DTYPES, DTYPE_FAMILIES, type DType, canonicalDtype } from '../dtypes.js';

/** A mistake on the command line: exit code 2, with a pointer to `--help`. */
export class UsageError extends Error {
  /** The subcommand whose `--help` to suggest, if any. */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/**
 * Parses `argv` for `command` (strict: unknown options are usage errors). Returns
 * `undefined` after printing `usage` when `-h`/`--help` is among the arguments.
 */
export function parseCommand(command: string, argv: string[], options: Options, usage: string): Parsed | undefined {
  if (argv.includes('-h') || argv.includes('--help')) {
    console.log(usage);
    return undefined;
  }
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: values as Parsed['values'], positionals };
  } catch (error) {
    throw new UsageError(parseArgsMessage(error as Error & { code?: string }), command);
  }
}

/** `parseArgs`'s messages, shortened: "unknown option '--x'", "option --x needs a value". */
export function parseArgsMessage(error: Error & { code?: string }): string {
  const option = /'(-[^' ,]*)/.exec(error.message)?.[1];
  const long = /(--[A-Za-z][\w-]*)/.exec(error.message)?.[1] ?? option;
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${option}'`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take an argument/.test(error.message)) return `option ${long} takes no value`;
      if (/ambiguous/.test(error.message))
        return `option ${long} needs a value (write ${long}=VALUE for a value starting with '-')`;
      return `option ${long} needs a value`;
    default:
      return error.message.charAt(0).toLowerCase() + error.message.slice(1);
  }
}

/** Exactly `names.length` positionals, or a usage error naming the first missing or extra one. */
export function positionals(command: string, given: string[], names: string[]): string[] {
  if (given.length < names.length) throw new UsageError(`missing ${names[given.length]} argument`, command);
  if (given.length > names.length) throw new UsageError(`unexpected argument '${given[names.length]}'`, command);
  return given;
}

/** numpy's short codes first (`i8`, `f64`), then the words (`float`, `double`), as the help lists them. */
const ALIASES = DTYPES.flatMap((info) => info.aliases).sort((a, b) => Number(/\d/.test(b)) - Number(/\d/.test(a)));

/** The parameterised families as the help names them: `bytes<N> (S<N>, N 1-65536)`. */
const FAMILIES = DTYPE_FAMILIES.map(
  (f) => `${f.prefix}<N> (${f.aliasPrefixes.map((p) => `${p}<N>`).join(', ')}; N ${f.minWidth}-${f.maxWidth})`,
);

/**
 * The dtypes for a help text, after `lead` (which starts at column `indent`): the names
 * and aliases from the core's table, wrapped at 88 columns, continued at `indent`.
 */
export function dtypeHelp(lead: string, indent: number): string {
  const names = [...DTYPES.map((info) => info.name), ...FAMILIES].join(' ');
  const words = `${lead}${names}, or an alias (${ALIASES.join(' ')})`.split(' ');
  const lines = [''];
  for (const word of words) {
    const line = lines[lines.length - 1];
    if (line !== '' && indent + line.length + 1 + word.length > 88) lines.push(word);
    else lines[lines.length - 1] = line === '' ? word : `${line} ${word}`;
  }
  return lines.join(`\n${' '.repeat(indent)}`);
}

/** The canonical dtype for a `--dtype` value (names and aliases as the library takes them). */
export function dtypeOption(command: string, value: string | boolean | undefined, fallback: DType): DType {
  if (value === undefined) return fallback;
  const text = String(value);
  try {
    return canonicalDtype(text);
  } catch (error) {
    // A family's name with a bad width: the core says which widths it takes.
    const family = DTYPE_FAMILIES.find((f) =>
      [f.prefix, ...f.aliasPrefixes].some((p) => new RegExp(`^${p}\\d+$`, 'i').test(text)),
    );
    if (family) throw new UsageError((error as Error).message, command);
    const names = [...DTYPES.map((info) => info.name), ...FAMILIES].join(', ');
    throw new UsageError(
      `unknown dtype '${text}' (expected one of ${names}, or an alias: ${ALIASES.join(', ')})`,
      command,
    );
  }
}
