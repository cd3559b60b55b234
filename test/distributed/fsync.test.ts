/**
 * `mmvec.fsync always|everysec|no`, observed from outside: strace attached to a real
 * redis-server (all its threads) records msync/fdatasync/fsync with the file each one is
 * on (`-y`), and the reply written to the client socket, so the order is visible.
 *
 * strace is installed by .ci/run on a fresh machine; if it is missing and cannot be
 * installed, or may not attach to a process (ptrace refused), the file is skipped and
 * says why.
 */

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, infoField, startServer, waitFor } from '../helpers/redis';
import { caughtUp, linkUp } from './support';

/** Why strace cannot be used here, or `undefined` if it can. */
function straceProblem(): string | undefined {
  const has = () => spawnSync('sh', ['-c', 'command -v strace'], { encoding: 'utf8' }).status === 0;
  if (!has()) {
    const root = process.getuid?.() === 0;
    const apt = (...args: string[]) =>
      spawnSync(root ? 'apt-get' : 'sudo', root ? args : ['-n', 'apt-get', ...args], {
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
        stdio: 'ignore',
        timeout: 180_000,
      }).status === 0;
    if (!apt('install', '-y', '-qq', 'strace')) {
      apt('update', '-qq');
      apt('install', '-y', '-qq', 'strace');
    }
    if (!has()) return 'strace is not installed and `apt-get install -y strace` failed';
  }
  // Attach to a process that is not our child, as the tests do (ptrace may be refused in
  // a container): strace still running after 1 s means it attached.
  const probe = spawnSync(
    'sh',
    ['-c', 'sleep 5 & p=$!; timeout 1 strace -qq -e trace=none -o /dev/null -p $p; rc=$?; kill $p; exit $rc'],
    {
      encoding: 'utf8',
    },
  );
  if (probe.status !== 124)
    return `strace cannot attach to a process here (exit ${probe.status}): ${probe.stderr.trim()}`;
  return undefined;
}

const problem = straceProblem();
if (problem) console.warn(`test/distributed/fsync.test.ts is skipped: ${problem}`);

interface Call {
  tid: number;
  time: number;
  name: string;
  line: string;
}

/** strace attached to every thread of `pid`, writing one line per traced call. */
class Trace {
  readonly out: string;
  private readonly child: ChildProcess;
  private stderr = '';
  private readonly exited: Promise<void>;

  private constructor(
    readonly pid: number,
    dir: string,
  ) {
    this.out = path.join(dir, `strace-${pid}-${Date.now()}.txt`);
    this.child = spawn(
      'strace',
      [
        '-f',
        '-ttt',
        '-y',
        '-s',
        '64',
        '-e',
        'trace=msync,fdatasync,fsync,pwrite64,write',
        '-o',
        this.out,
        '-p',
        String(pid),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
  }

  static async attach(pid: number, dir: string): Promise<Trace> {
    const trace = new Trace(pid, dir);
    traces.push(trace);
    await waitFor(
      `strace to attach to ${pid}`,
      () => /attached/.test(trace.stderr) || trace.child.exitCode !== null,
      10_000,
    );
    if (!/attached/.test(trace.stderr)) throw new Error(`strace did not attach: ${trace.stderr}`);
    return trace;
  }

  calls(): Call[] {
    if (!fs.existsSync(this.out)) return [];
    return fs
      .readFileSync(this.out, 'utf8')
      .split('\n')
      .flatMap((line) => {
        const m = /^(\d+)\s+(\d+\.\d+)\s+(\w+)\(/.exec(line);
        return m ? [{ tid: Number(m[1]), time: Number(m[2]), name: m[3]!, line }] : [];
      });
  }

  async detach(): Promise<Call[]> {
    if (this.child.exitCode === null) this.child.kill('SIGINT');
    await this.exited;
    return this.calls();
  }
}

const traces: Trace[] = [];
const servers: TestServer[] = [];

/** Syncs (msync, fdatasync, fsync) that name `file` (fdatasync/fsync) or any msync. */
const syncsOf = (calls: Call[], file: string) =>
  calls.filter((c) => (c.name === 'fdatasync' || c.name === 'fsync') && c.line.includes(`<${file}>`));
const msyncs = (calls: Call[]) => calls.filter((c) => c.name === 'msync');
const reply = (calls: Call[], text: string) =>
  calls.findIndex((c) => c.name === 'write' && c.line.includes('<socket:') && c.line.includes(`"${text}"`));

async function pidOf(server: TestServer): Promise<number> {
  return Number(infoField(await server.redis.info('server'), 'process_id'));
}

function threadNamed(pid: number, name: string): number | undefined {
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    if (fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim() === name) return Number(tid);
  }
  return undefined;
}

describe.skipIf(problem !== undefined)('mmvec.fsync, observed with strace', () => {
  let server: TestServer;
  let pid: number;
  let file: string;
  let traceDir: string;

  beforeAll(async () => {
    server = await startServer();
    servers.push(server);
    pid = await pidOf(server);
    file = path.join(fs.realpathSync(server.dir), 'v.f64');
    traceDir = fs.mkdtempSync(path.join(path.dirname(server.dir), 'mmvec-strace-'));
  });

  afterAll(async () => {
    for (const trace of traces) await trace.detach();
    for (const s of servers) {
      await s.stop('nosave');
      fs.rmSync(s.dir, { recursive: true, force: true });
    }
    if (traceDir) fs.rmSync(traceDir, { recursive: true, force: true });
  });

  it('always: the write is msynced and fdatasynced on the main thread before the reply is written', async () => {
    expect(await server.redis.call('CONFIG', 'SET', 'mmvec.fsync', 'always')).toBe('OK');
    expect(await server.redis.call('MMVEC.OPEN', 'v', 'v.f64')).toBe(0);
    const trace = await Trace.attach(pid, traceDir);
    expect(await server.redis.call('VADD', 'v', '1', '2', '3', '4', '5', '6', '7')).toBe(7);
    const calls = await trace.detach();
    const write = calls.findIndex((c) => c.name === 'pwrite64' && c.line.includes(`<${file}>`));
    const sync = calls.findIndex((c) => c.name === 'fdatasync' && c.line.includes(`<${file}>`));
    const msync = calls.findIndex((c) => c.name === 'msync');
    const replied = reply(calls, ':7\\r\\n');
    expect(write, 'the append (pwrite64)').toBeGreaterThanOrEqual(0);
    expect(msync, 'msync after the append').toBeGreaterThan(write);
    expect(sync, 'fdatasync after the msync').toBeGreaterThan(msync);
    expect(replied, 'the reply after the fdatasync').toBeGreaterThan(sync);
    expect(calls[sync]!.tid, 'synced by the main thread').toBe(pid);
  });

  it('no: a write syncs nothing, not even from the background thread a second later; MMVEC.SYNC still does', async () => {
    expect(await server.redis.call('CONFIG', 'SET', 'mmvec.fsync', 'no')).toBe('OK');
    const trace = await Trace.attach(pid, traceDir);
    expect(await server.redis.call('VADD', 'v', '8')).toBe(1);
    expect(await server.redis.call('VSET', 'v', '0', '-1')).toBe(1);
    expect(await server.redis.call('MMVEC.INCRBY', 'v', '1', '1')).toBe('3');
    // The background syncer runs once a second: give it two chances (nothing to wait for).
    await new Promise((r) => setTimeout(r, 2_200));
    const during = trace.calls();
    expect(during.filter((c) => c.name === 'pwrite64').length, 'the append reached the file').toBe(1);
    expect(syncsOf(during, file), 'no fdatasync/fsync of the file').toEqual([]);
    expect(msyncs(during), 'no msync').toEqual([]);

    expect(await server.redis.call('MMVEC.SYNC', 'v')).toBe('OK');
    const calls = await trace.detach();
    expect(syncsOf(calls, file).length, 'MMVEC.SYNC syncs whatever the policy').toBe(1);
    expect(msyncs(calls).length).toBe(1);
  });

  it('everysec: the reply comes without a sync; the background thread fdatasyncs the file within about 2 s', async () => {
    expect(await server.redis.call('CONFIG', 'SET', 'mmvec.fsync', 'everysec')).toBe('OK');
    const syncer = threadNamed(pid, 'mmvec-fsync');
    expect(syncer, 'the mmvec-fsync thread').toBeDefined();
    const trace = await Trace.attach(pid, traceDir);
    expect(await server.redis.call('VADD', 'v', '9', '10')).toBe(2);
    const written = Date.now() / 1000;
    await waitFor('the background fdatasync', () => syncsOf(trace.calls(), file).length > 0, 3_000);
    const calls = await trace.detach();
    const replied = reply(calls, ':2\\r\\n');
    expect(replied).toBeGreaterThanOrEqual(0);
    const syncs = syncsOf(calls, file);
    expect(
      syncs.map((c) => c.tid),
      'only the background thread syncs',
    ).toEqual(syncs.map(() => syncer));
    expect(
      calls.slice(0, replied).filter((c) => c.name === 'fdatasync' || c.name === 'msync'),
      'nothing synced before the reply',
    ).toEqual([]);
    expect(syncs[0]!.time - written, 'seconds from the reply to the fdatasync').toBeLessThan(2);
  });

  it('group commit: under everysec pipelined appends share writes, the first before any reply; under always each has its own', async () => {
    const gfile = path.join(fs.realpathSync(server.dir), 'g.f64');
    expect(await server.redis.call('MMVEC.OPEN', 'g', 'g.f64')).toBe(0);
    const client = server.connect();
    const appends = async (n: number) => {
      const pipeline = client.pipeline();
      for (let i = 0; i < n; i++) pipeline.call('MMVEC.ADD', 'g', String(i));
      expect(((await pipeline.exec()) ?? []).map(([, count]) => count)).toEqual(Array(n).fill(1));
    };
    const writesOf = (calls: Call[]) => calls.filter((c) => c.name === 'pwrite64' && c.line.includes(`<${gfile}>`));

    expect(await server.redis.call('CONFIG', 'SET', 'mmvec.fsync', 'everysec')).toBe('OK');
    let trace = await Trace.attach(pid, traceDir);
    await appends(100);
    let calls = await trace.detach();
    const grouped = writesOf(calls);
    expect(grouped.length, 'writes of the file').toBeGreaterThan(0);
    expect(grouped.length, 'fewer writes than appends').toBeLessThan(100);
    const firstReply = calls.findIndex(
      (c) => c.name === 'write' && c.line.includes('<socket:') && c.line.includes('":1\\r\\n'),
    );
    expect(firstReply, 'the replies').toBeGreaterThanOrEqual(0);
    expect(calls.indexOf(grouped[0]!), 'the first write before the first reply').toBeLessThan(firstReply);

    expect(await server.redis.call('CONFIG', 'SET', 'mmvec.fsync', 'always')).toBe('OK');
    trace = await Trace.attach(pid, traceDir);
    await appends(20);
    calls = await trace.detach();
    expect(writesOf(calls).length, 'one write per append').toBe(20);
    expect(fs.statSync(gfile).size).toBe(120 * 8);
  });

  it('always on a replica: each effect from the primary is fdatasynced as the replica applies it', async () => {
    // The full sync carries the elements, so the replica has its own v.f64 to write.
    expect(await server.redis.call('CONFIG', 'SET', 'mmvec.snapshot', 'data')).toBe('OK');
    expect(await server.redis.call('CONFIG', 'SET', 'repl-diskless-sync-delay', '0')).toBe('OK');
    const replica = await startServer({ args: ['--replicaof', '127.0.0.1', String(server.port)] });
    servers.push(replica);
    await linkUp(replica);
    await caughtUp(server, replica);
    expect(await replica.redis.call('CONFIG', 'SET', 'mmvec.fsync', 'always')).toBe('OK');
    expect(await server.redis.call('CONFIG', 'SET', 'mmvec.fsync', 'no')).toBe('OK');
    const replicaFile = path.join(fs.realpathSync(replica.dir), 'v.f64');
    const trace = await Trace.attach(await pidOf(replica), traceDir);
    expect(await server.redis.call('VADD', 'v', '11')).toBe(1);
    await caughtUp(server, replica);
    const calls = await trace.detach();
    const write = calls.findIndex((c) => c.name === 'pwrite64' && c.line.includes(`<${replicaFile}>`));
    const sync = calls.findIndex((c) => c.name === 'fdatasync' && c.line.includes(`<${replicaFile}>`));
    expect(write, 'the replica applied the SPLICE').toBeGreaterThanOrEqual(0);
    expect(sync, 'and fdatasynced it').toBeGreaterThan(write);
    expect(fs.readFileSync(replicaFile).equals(fs.readFileSync(file))).toBe(true);
  });
});
