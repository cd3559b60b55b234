/**
 * All-or-nothing output files: the work writes `DEST.partial`, which is renamed over
 * DEST only when the work succeeds and removed when it fails or is interrupted
 * (SIGINT, SIGTERM). DEST itself is never half-written.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliError, Interrupted, describeError } from './errors.js';

/** The file being written, for the work: set `owned` once it has been created (only
 * then is it removed on failure: it may be another run's). `check()` throws
 * `Interrupted` once a signal has arrived; call it between chunks. */
export interface PartialFile {
  readonly path: string;
  owned: boolean;
  check(): void;
}

/** Fails early, with DEST's name, when DEST cannot be created: no directory, or a directory. */
export function checkDestination(dest: string): void {
  const dir = path.dirname(path.resolve(dest));
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(dir);
  } catch {
    throw new CliError(`${dest}: cannot create it, directory ${path.dirname(dest)} does not exist`);
  }
  if (!stat.isDirectory()) throw new CliError(`${dest}: cannot create it, ${path.dirname(dest)} is not a directory`);
  try {
    if (fs.statSync(dest).isDirectory()) throw new CliError(`${dest}: is a directory`);
  } catch (error) {
    if (error instanceof CliError) throw error;
  }
}

/** Refuses to write over the input: DEST and SRC must not be the same file. */
export function checkDistinct(src: string, dest: string): void {
  try {
    const a = fs.statSync(src);
    const b = fs.statSync(dest);
    if (a.dev === b.dev && a.ino === b.ino)
      throw new CliError(`${dest}: is the same file as ${src}; choose another destination`);
  } catch (error) {
    if (error instanceof CliError) throw error;
  }
}

/** Runs `work` on `DEST.partial`, then renames it to `dest`; on failure removes it. */
export async function writeAtomically<T>(
  dest: string,
  work: (partial: PartialFile) => Promise<T>,
  beforeRename?: () => void,
): Promise<T> {
  let signal: string | undefined;
  const partial: PartialFile = {
    path: `${dest}.partial`,
    owned: false,
    check() {
      if (signal !== undefined) throw new Interrupted(signal);
    },
  };
  const onSignal = (name: string): void => {
    if (signal !== undefined) {
      // A second signal: the work did not stop in time; clean up and leave now.
      if (partial.owned) fs.rmSync(partial.path, { force: true });
      process.exit(new Interrupted(name).exitCode);
    }
    signal = name;
  };
  const onInt = (): void => onSignal('SIGINT');
  const onTerm = (): void => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    const result = await work(partial);
    partial.check();
    beforeRename?.();
    try {
      fs.renameSync(partial.path, dest);
    } catch (error) {
      throw new CliError(describeError(error, dest));
    }
    return result;
  } catch (error) {
    if (partial.owned) fs.rmSync(partial.path, { force: true });
    throw error;
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}
