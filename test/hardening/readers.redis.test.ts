/**
 * Concurrent readers: this process writes a float64 vector through Redis (appends and
 * overwrites, as text and as raw blobs) while a child Node process maps the same file
 * read-only with MmapVector and reads it continuously (get, full view scans, slices, and
 * reopening to see growth).
 *
 * Every element is self-checking: its 8 bytes are (lo, hi) with hi = 0x400 << 20 | gen
 * (a double in [2, 4)) and lo = hash(gen, index), so a torn 8-byte read (halves of two
 * different writes) or a value at the wrong index is detected. The reader must never see
 * one, and must never crash. Then, while the reader holds the file, MMVEC.POP / VPOP and
 * MMVEC.CLEAR / VCLEAR are refused with the exact "mapped by a reader" error and the server
 * carries on; once the reader has closed, they work.
 *
 * A second test runs larger in-place MMVEC.SETBLOBs (2-8 KiB): those were once copied
 * with one memcpy, which tore elements under a concurrent reader; the module now stores
 * one aligned element at a time.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { errorOf, startServer, type TestServer } from '../helpers/redis';
import { Rng } from './fuzz-run';

const packageRoot = path.resolve(__dirname, '../..');
const seed = process.env.MMVEC_READERS_SEED ? Number(process.env.MMVEC_READERS_SEED) : Date.now() >>> 0;
const READ_MS = 3000;

/** The low word of element `index` written in generation `gen` (the child gets its source). */
const lo32 = (gen: number, index: number): number =>
  (Math.imul(gen ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
const HASH_SOURCE = lo32.toString();

function element(gen: number, index: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeUInt32LE(lo32(gen, index), 0);
  out.writeUInt32LE((0x400 << 20) | gen, 4);
  return out;
}

const elements = (gen: number, start: number, n: number): Buffer =>
  Buffer.concat(Array.from({ length: n }, (_, k) => element(gen, start + k)));
const text = (gen: number, index: number): string => String(element(gen, index).readDoubleLE(0));

/** The index of the first element of `bytes` that is not a whole, valid pattern value. */
function firstBad(bytes: Buffer): number | undefined {
  if (bytes.length % 8 !== 0) return Math.floor(bytes.length / 8);
  for (let i = 0; i < bytes.length / 8; i++) {
    const lo = bytes.readUInt32LE(i * 8);
    const hi = bytes.readUInt32LE(i * 8 + 4);
    if (hi >>> 20 !== 0x400 || lo !== lo32(hi & 0xfffff, i)) return i;
  }
  return undefined;
}

const READER = `
const { MmapVector } = require(process.env.MMVEC_ROOT);
const file = process.env.FILE;
const lo32 = ${HASH_SOURCE};
const scratch = new Float64Array(1);
const words = new Uint32Array(scratch.buffer);
let state = Number(process.env.SEED) >>> 0;
const random = () => { state = (state * 1664525 + 1013904223) >>> 0; return state / 4294967296; };
const stats = { gets: 0, scans: 0, slices: 0, reopens: 0, elementsChecked: 0, firstLength: 0, maxLength: 0 };
function check(x, i, how) {
  scratch[0] = x; // one 8-byte load already happened; this only splits it into words
  const lo = words[0], hi = words[1];
  stats.elementsChecked++;
  if ((hi >>> 20) !== 0x400 || lo !== lo32(hi & 0xfffff, i)) {
    process.stdout.write('TORN ' + JSON.stringify({ how, index: i, hi: hi.toString(16), lo: lo.toString(16), stats }) + '\\n');
    process.exit(3);
  }
}
let v = MmapVector.open(file, { dtype: 'float64', mode: 'r' });
stats.firstLength = stats.maxLength = v.length;
process.stdout.write('ready ' + v.length + '\\n');
const deadline = Date.now() + Number(process.env.READ_MS);
while (Date.now() < deadline) {
  const r = random();
  const n = v.length;
  if (r < 0.35) {
    for (let k = 0; k < 2000; k++) { const i = Math.floor(random() * n); check(v.get(i), i, 'get'); }
    stats.gets += 2000;
  } else if (r < 0.6) {
    const a = v.view();
    for (let i = 0; i < a.length; i++) check(a[i], i, 'view');
    stats.scans++;
  } else if (r < 0.75) {
    const start = Math.floor(random() * n);
    const s = v.slice(start, start + 4096);
    for (let i = 0; i < s.length; i++) check(s[i], start + i, 'slice');
    stats.slices++;
  } else {
    v.close();
    v = MmapVector.open(file, { dtype: 'float64', mode: 'r' });
    stats.reopens++;
    stats.maxLength = Math.max(stats.maxLength, v.length);
  }
}
process.stdout.write('holding ' + JSON.stringify(stats) + '\\n');
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  if (d.includes('close')) {
    v.close();
    process.stdout.write('closed\\n');
    process.exit(0);
  }
});
`;

let server: TestServer | undefined;
let reader: ChildProcess | undefined;

afterAll(async () => {
  if (reader && reader.exitCode === null && reader.signalCode === null) reader.kill('SIGKILL');
  await server?.stop();
  if (server) fs.rmSync(server.dir, { recursive: true, force: true });
});

function waitFor(child: ChildProcess, output: { text: string }, pattern: RegExp, ms: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${pattern}; output so far:\n${output.text}`)),
      ms,
    );
    const poll = (): void => {
      const m = pattern.exec(output.text);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off('data', poll);
        child.off('exit', poll);
        resolve(m);
      } else if (child.exitCode !== null || child.signalCode !== null) {
        clearTimeout(timer);
        reject(new Error(`reader exited (${child.exitCode ?? child.signalCode}) before ${pattern}:\n${output.text}`));
      }
    };
    child.stdout!.on('data', poll);
    child.on('exit', poll);
    poll();
  });
}

describe('a Node reader mapping a file that Redis writes', () => {
  it('never sees a torn or misplaced value and never crashes; shrinks are refused while it reads', async () => {
    const rng = new Rng(seed);
    server = await startServer();
    const redis = server.redis;
    const file = path.join(fs.realpathSync(server.dir), 'shared.f64');
    const hasReaders = `ERR ${file} is mapped by a reader: shrinking it now would crash that reader`;

    expect(await redis.call('MMVEC.OPEN', 'w', 'shared.f64')).toBe(0);
    let count = 0;
    for (let chunk = 0; chunk < 10; chunk++) {
      expect(await redis.call('MMVEC.ADDBLOB', 'w', elements(1, count, 1000))).toBe(1000);
      count += 1000;
    }

    const output = { text: '', stderr: '' };
    reader = spawn(process.execPath, ['-e', READER], {
      env: { ...process.env, MMVEC_ROOT: packageRoot, FILE: file, SEED: String(seed), READ_MS: String(READ_MS) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    reader.stdout!.on('data', (d: Buffer) => (output.text += d.toString()));
    reader.stderr!.on('data', (d: Buffer) => (output.stderr += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      reader!.once('exit', (code, signal) => resolve({ code, signal })),
    );
    await waitFor(reader, output, /^ready \d+$/m, 10_000);

    // Write while the reader reads: appends and overwrites, text and raw, pipelined.
    const MAX = 300_000;
    let writes = 0;
    while (!/^(holding|TORN)/m.test(output.text) && reader.exitCode === null) {
      const pipeline = redis.pipeline();
      for (let k = 0; k < 16; k++) {
        const gen = 1 + rng.int(0xfffff);
        const r = rng.next();
        if (r < 0.3 && count < MAX) {
          const n = 1 + rng.int(512);
          pipeline.call('MMVEC.ADDBLOB', 'w', elements(gen, count, n));
          count += n;
        } else if (r < 0.45 && count < MAX) {
          const n = 1 + rng.int(8);
          pipeline.call('MMVEC.ADD', 'w', ...Array.from({ length: n }, (_, j) => text(gen, count + j)));
          count += n;
        } else if (r < 0.75) {
          // At most 1 KiB here; the test below covers larger in-place blobs.
          const start = rng.int(count + 1);
          const n = 1 + rng.int(128);
          pipeline.call('MMVEC.SETBLOB', 'w', String(start), elements(gen, start, n));
          count = Math.max(count, start + n);
        } else if (r < 0.8) {
          pipeline.call('MMVEC.INCRBY', 'w', String(rng.int(count)), '0');
        } else {
          const args: string[] = [];
          for (let j = 1 + rng.int(6); j > 0; j--) {
            const i = rng.int(count);
            args.push(String(i), text(gen, i));
          }
          pipeline.call('MMVEC.SET', 'w', ...args);
        }
      }
      const results = (await pipeline.exec()) ?? [];
      for (const [error] of results) expect(error).toBeNull();
      writes += results.length;
    }
    const torn = /^TORN .*$/m.exec(output.text);
    expect(torn?.[0], `seed ${seed}`).toBeUndefined();
    const holding = await waitFor(reader, output, /^holding (.*)$/m, 10_000);
    const stats = JSON.parse(holding[1]!) as {
      reopens: number;
      maxLength: number;
      firstLength: number;
      elementsChecked: number;
    };
    expect(stats.maxLength, 'the reader saw the vector grow').toBeGreaterThan(stats.firstLength);
    expect(stats.elementsChecked).toBeGreaterThan(10_000);
    expect(writes).toBeGreaterThan(100);

    // The file as a whole is consistent, and Redis agrees with it.
    const bytes = fs.readFileSync(file);
    expect(bytes.length).toBe(count * 8);
    expect(firstBad(bytes)).toBeUndefined();
    expect(await redis.call('MMVEC.COUNT', 'w')).toBe(count);

    // While the reader holds the file: shrinks are refused, exactly, and change nothing.
    for (const command of ['MMVEC.POP', 'VPOP', 'MMVEC.CLEAR', 'VCLEAR']) {
      expect(await errorOf(redis.call(command, 'w'))).toBe(hasReaders);
    }
    expect(await redis.ping()).toBe('PONG');
    expect(await redis.call('MMVEC.COUNT', 'w')).toBe(count);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    // Appends and overwrites are not blocked.
    expect(await redis.call('MMVEC.ADDBLOB', 'w', elements(7, count, 2))).toBe(2);
    expect(await redis.call('MMVEC.SET', 'w', '0', text(8, 0))).toBe(1);
    count += 2;

    reader.stdin!.write('close\n');
    await waitFor(reader, output, /^closed$/m, 10_000);
    const { code, signal } = await exited;
    expect({ code, signal, stderr: output.stderr }).toEqual({ code: 0, signal: null, stderr: '' });

    // Now the shrinks work.
    const last = element(7, count - 1).readDoubleLE(0);
    expect(Number(await redis.call('MMVEC.POP', 'w'))).toBe(last);
    expect(await redis.call('VCLEAR', 'w')).toBe(count - 1);
    expect(fs.statSync(file).size).toBe(0);
    expect(await redis.call('MMVEC.COUNT', 'w')).toBe(0);
  });
});

const BULK_READER = `
const { MmapVector } = require(process.env.MMVEC_ROOT);
const lo32 = ${HASH_SOURCE};
const scratch = new Float64Array(1);
const words = new Uint32Array(scratch.buffer);
const v = MmapVector.open(process.env.FILE, { dtype: 'float64', mode: 'r' });
const a = v.view();
const started = Date.now();
let scans = 0;
process.stdout.write('ready\\n');
for (;;) {
  for (let i = 0; i < a.length; i++) {
    scratch[0] = a[i];
    if ((words[1] >>> 20) !== 0x400 || words[0] !== lo32(words[1] & 0xfffff, i)) {
      process.stdout.write('TORN ' + JSON.stringify({ index: i, hi: words[1].toString(16), lo: words[0].toString(16), ms: Date.now() - started, scans }) + '\\n');
      process.exit(0);
    }
  }
  scans++;
  if (Date.now() - started > Number(process.env.READ_MS)) { process.stdout.write('clean ' + scans + '\\n'); process.exit(0); }
}
`;

describe('a Node reader while Redis overwrites in bulk', () => {
  // FINDING: fails on x86-64 glibc (rep movsb above ~2 KiB); see the header. Reproduce:
  // a float64 key with 2048 elements, a reader scanning view() of the same file in mode
  // 'r', and MMVEC.SETBLOB key <random start> <random 1..1024 elements> in a loop; the
  // reader sees an element whose low bytes are old and high bytes new within a second.
  it('never sees an element half old, half new while MMVEC.SETBLOB overwrites 2-8 KiB in place', async () => {
    const rng = new Rng(seed);
    server ??= await startServer();
    const redis = server.redis;
    const file = path.join(fs.realpathSync(server.dir), 'bulk.f64');
    const N = 1024;
    expect(await redis.call('MMVEC.OPEN', 'bulk', 'bulk.f64')).toBe(0);
    expect(await redis.call('MMVEC.ADDBLOB', 'bulk', elements(1, 0, 2 * N))).toBe(2 * N);
    const output = { text: '' };
    const child = spawn(process.execPath, ['-e', BULK_READER], {
      env: { ...process.env, MMVEC_ROOT: packageRoot, FILE: file, READ_MS: '10000' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    reader = child;
    child.stdout!.on('data', (d: Buffer) => (output.text += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    await waitFor(child, output, /^ready$/m, 10_000);
    let gen = 2;
    while (child.exitCode === null) {
      const pipeline = redis.pipeline();
      for (let k = 0; k < 8; k++) {
        const start = rng.int(N);
        const n = 1 + rng.int(N);
        pipeline.call('MMVEC.SETBLOB', 'bulk', String(start), elements(gen++ & 0xfffff || 1, start, n));
      }
      await pipeline.exec();
    }
    expect(await exited).toBe(0);
    expect(firstBad(fs.readFileSync(file)), 'the file itself is always whole').toBeUndefined();
    expect(/^TORN .*$/m.exec(output.text)?.[0], `seed ${seed}`).toBeUndefined();
  }, 30_000);
});
