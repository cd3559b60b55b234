/** What the SIGKILL suites (crash.redis.test.ts, crash.addon.test.ts) share: child writers,
 * their acknowledgements, and the check of a file that must hold 1, 2, 3, …. */

import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'vitest';
import { Rng } from './fuzz-run';

export const packageRoot = path.resolve(__dirname, '../..');
export const seed = process.env.MMVEC_CRASH_SEED ? Number(process.env.MMVEC_CRASH_SEED) : Date.now() >>> 0;
export const rng = new Rng(seed);
const children = new Set<ChildProcess>();
export const dirs: string[] = [];

/** Kills the children and removes the dirs a test file made; call from its `afterAll`. */
export function cleanUp(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
}

export interface Child {
  child: ChildProcess;
  /** Resolves with the first stdout line that starts with `ready`. */
  ready: Promise<string>;
  /** Resolves when the child exits: everything it printed, and how it ended. */
  done: Promise<{ stdout: string; stderr: string; code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnNode(script: string, env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['-e', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  let resolveReady: (line: string) => void = () => undefined;
  let rejectReady: (e: Error) => void = () => undefined;
  const ready = new Promise<string>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    const line = /^ready.*$/m.exec(stdout);
    if (line) resolveReady(line[0]);
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ stdout: string; stderr: string; code: number | null; signal: NodeJS.Signals | null }>(
    (resolve) =>
      child.once('exit', (code, signal) => {
        children.delete(child);
        rejectReady(new Error(`child exited (${code ?? signal}) before it was ready:\n${stderr}`));
        // Let the pipes drain before reporting.
        setImmediate(() => resolve({ stdout, stderr, code, signal }));
      }),
  );
  return { child, ready, done };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The last acknowledged value printed as `ack N` lines (0 if none). */
export function lastAck(stdout: string): bigint {
  const acks = stdout.split('\n').filter((l) => /^ack \d+$/.test(l));
  return acks.length > 0 ? BigInt(acks[acks.length - 1]!.slice(4)) : 0n;
}

/** Checks a file of int64 that must hold 1, 2, 3, … with at least `acked` elements. */
export function checkSequence(file: string, acked: bigint): bigint {
  const bytes = fs.readFileSync(file);
  expect(bytes.length % 8, `${file} is ${bytes.length} bytes, not whole int64 elements`).toBe(0);
  const values = new BigInt64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8);
  expect(BigInt(values.length) >= acked, `${values.length} elements survived, ${acked} were acknowledged`).toBe(true);
  for (let i = 0; i < values.length; i++) {
    if (values[i] !== BigInt(i + 1)) {
      const what = values[i] === 0n ? 'a zero' : `${values[i]}`;
      expect.fail(
        `element ${i} is ${what}, expected ${i + 1} (acknowledged up to ${acked}, ${values.length} elements)`,
      );
    }
  }
  return BigInt(values.length);
}
