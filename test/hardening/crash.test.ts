/**
 * Crash consistency under SIGKILL.
 *
 * (a) Redis: a child process appends increasing integers (1, 2, 3, …) to an int64 vector
 *     with pipelined MMVEC.ADD and prints every acknowledged value; redis-server is
 *     killed with SIGKILL at a random moment, restarted on the same dir (with the AOF on,
 *     and with it off, the binding then coming from an RDB saved before the writes), and
 *     the vector must hold every acknowledged value, in order, exactly, with a file size
 *     that is a whole number of elements, and nothing but the next integers after the
 *     last acknowledged one (an unacknowledged value may survive; a zero never appears).
 * (b) The Node addon: a child appends with push/pushArray and prints each new length;
 *     it is killed with SIGKILL at random moments; the file is reopened and checked the
 *     same way, and appending continues in the next round.
 *
 * Kill delays are random (a seed is printed; MMVEC_CRASH_SEED replays one).
 */

import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MmapVector } from '../..';
import { startServer, type TestServer, tempDir } from '../helpers/redis';
import { Rng } from './fuzz-run';

const packageRoot = path.resolve(__dirname, '../..');
const seed = process.env.MMVEC_CRASH_SEED ? Number(process.env.MMVEC_CRASH_SEED) : (Date.now() >>> 0);
const rng = new Rng(seed);
const children = new Set<ChildProcess>();
const dirs: string[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

interface Child {
  child: ChildProcess;
  /** Resolves with the first stdout line that starts with `ready`. */
  ready: Promise<string>;
  /** Resolves when the child exits: everything it printed, and how it ended. */
  done: Promise<{ stdout: string; stderr: string; code: number | null; signal: NodeJS.Signals | null }>;
}

function spawnNode(script: string, env: Record<string, string>): Child {
  const child = spawn(process.execPath, ['-e', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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
  const done = new Promise<{ stdout: string; stderr: string; code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      children.delete(child);
      rejectReady(new Error(`child exited (${code ?? signal}) before it was ready:\n${stderr}`));
      // Let the pipes drain before reporting.
      setImmediate(() => resolve({ stdout, stderr, code, signal }));
    }),
  );
  return { child, ready, done };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The last acknowledged value printed as `ack N` lines (0 if none). */
function lastAck(stdout: string): bigint {
  const acks = stdout.split('\n').filter((l) => /^ack \d+$/.test(l));
  return acks.length > 0 ? BigInt(acks[acks.length - 1]!.slice(4)) : 0n;
}

/** Checks a file of int64 that must hold 1, 2, 3, … with at least `acked` elements. */
function checkSequence(file: string, acked: bigint): bigint {
  const bytes = fs.readFileSync(file);
  expect(bytes.length % 8, `${file} is ${bytes.length} bytes, not whole int64 elements`).toBe(0);
  const values = new BigInt64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8);
  expect(BigInt(values.length) >= acked, `${values.length} elements survived, ${acked} were acknowledged`).toBe(true);
  for (let i = 0; i < values.length; i++) {
    if (values[i] !== BigInt(i + 1)) {
      const what = values[i] === 0n ? 'a zero' : `${values[i]}`;
      expect.fail(`element ${i} is ${what}, expected ${i + 1} (acknowledged up to ${acked}, ${values.length} elements)`);
    }
  }
  return BigInt(values.length);
}

const REDIS_WRITER = `
const Redis = require(process.env.IOREDIS);
const r = new Redis({ port: Number(process.env.PORT), host: '127.0.0.1', maxRetriesPerRequest: 0, retryStrategy: () => null });
r.on('error', () => {});
(async () => {
  let next = Number(await r.call('MMVEC.COUNT', 'seq')) + 1;
  process.stdout.write('ready ' + next + '\\n');
  for (;;) {
    const p = r.pipeline();
    const last = [];
    for (let i = 0; i < 32; i++) {
      const values = [];
      for (let k = 1 + (i % 3); k > 0; k--) values.push(String(next++));
      last.push(values[values.length - 1]);
      p.call('MMVEC.ADD', 'seq', ...values);
    }
    let results;
    try { results = await p.exec(); } catch { break; }
    let failed = false;
    for (let i = 0; i < results.length && !failed; i++) {
      if (results[i][0]) failed = true;
      else process.stdout.write('ack ' + last[i] + '\\n');
    }
    if (failed) break;
  }
  process.exit(0);
})();
`;

async function pidOf(server: TestServer): Promise<number> {
  const info = (await server.redis.info('server')) as string;
  return Number(/process_id:(\d+)/.exec(info)![1]);
}

describe('SIGKILL of redis-server while a client appends', () => {
  for (const aof of [true, false]) {
    it(`every acknowledged value survives, in order (${aof ? 'appendonly yes' : 'no AOF, binding from an RDB'})`, async () => {
      const dir = tempDir('mmvec-crash-redis-');
      dirs.push(dir);
      const args = aof ? ['--appendonly', 'yes'] : [];
      let server = await startServer({ dir, args });
      const file = path.join(fs.realpathSync(dir), 'seq.i64');
      expect(await server.redis.call('MMVEC.OPEN', 'seq', 'seq.i64', 'TYPE', 'int64')).toBe(0);
      if (!aof) expect(await server.redis.call('SAVE')).toBe('OK');
      let acked = 0n;
      try {
        for (let round = 0; round < 3; round++) {
          const delay = 80 + rng.int(500);
          const writer = spawnNode(REDIS_WRITER, { IOREDIS: require.resolve('ioredis'), PORT: String(server.port) });
          await writer.ready;
          await sleep(delay);
          process.kill(await pidOf(server), 'SIGKILL');
          await server.stop();
          const out = await writer.done;
          expect(out.code, out.stderr).toBe(0);
          const ack = lastAck(out.stdout);
          expect(ack > acked, `round ${round} (seed ${seed}, kill after ${delay} ms) acknowledged nothing new`).toBe(true);
          acked = ack;
          server = await startServer({ dir, args });
          const count = checkSequence(file, acked);
          expect(BigInt(String(await server.redis.call('MMVEC.COUNT', 'seq')))).toBe(count);
          const blob = (await server.redis.callBuffer('MMVEC.GETBLOB', 'seq', '0', String(count))) as Buffer;
          expect(blob.equals(fs.readFileSync(file))).toBe(true);
        }
      } finally {
        await server.stop();
      }
    });
  }
});

const ADDON_WRITER = `
const { MmapVector } = require(process.env.MMVEC_ROOT);
const v = MmapVector.open(process.env.FILE, { dtype: 'int64', mode: 'a' });
let state = Number(process.env.SEED) >>> 0;
const random = () => { state = (state * 1664525 + 1013904223) >>> 0; return state / 4294967296; };
let next = BigInt(v.length) + 1n;
process.stdout.write('ready ' + v.length + '\\n');
for (;;) {
  const r = random();
  if (r < 0.3) {
    v.push(next);
  } else if (r < 0.45) {
    const n = 1 + Math.floor(random() * 6);
    const values = [];
    for (let k = 0; k < n; k++) values.push(next + BigInt(k));
    v.push(...values);
  } else if (r < 0.9) {
    const n = 1 + Math.floor(random() * 128);
    const values = new BigInt64Array(n);
    for (let k = 0; k < n; k++) values[k] = next + BigInt(k);
    v.pushArray(values);
  } else {
    const n = 1 + Math.floor(random() * 64);
    v.pushArray(Array.from({ length: n }, (_, k) => next + BigInt(k)));
  }
  next = BigInt(v.length) + 1n;
  process.stdout.write('ack ' + v.length + '\\n');
}
`;

describe('SIGKILL of a Node process appending through the addon', () => {
  it('every acknowledged append survives; the size is whole elements; no zeros', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmvec-crash-addon-'));
    dirs.push(dir);
    const file = path.join(dir, 'seq.i64');
    let acked = 0n;
    for (let round = 0; round < 6; round++) {
      const delay = 30 + rng.int(400);
      const writer = spawnNode(ADDON_WRITER, { MMVEC_ROOT: packageRoot, FILE: file, SEED: String(seed + round) });
      await writer.ready;
      await sleep(delay);
      writer.child.kill('SIGKILL');
      const out = await writer.done;
      expect(out.signal, out.stderr).toBe('SIGKILL');
      const ack = lastAck(out.stdout);
      expect(ack > acked, `round ${round} (seed ${seed}, kill after ${delay} ms) acknowledged nothing new`).toBe(true);
      acked = ack;
      const count = checkSequence(file, acked);
      // Reopening agrees with the file, read-only and read-write (the writer's lock died with it).
      using reader = MmapVector.open(file, { dtype: 'int64', mode: 'r' });
      expect(reader.length).toBe(Number(count));
      using writer2 = MmapVector.open(file, { dtype: 'int64', mode: 'r+' });
      expect(writer2.length).toBe(Number(count));
      if (count > 0n) expect(writer2.get(Number(count) - 1)).toBe(count);
    }
  });
});
