/** One redis-server with the mmvec module on a free loopback port, for the Redis suite. */

import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import Redis from 'ioredis';
import { modulePath } from 'mmvec';

export interface BenchServer {
  port: number;
  dir: string;
  args: string[];
  /** The command line, with the temp dir and port as placeholders and the module path relative to the cwd. */
  commandLine: string;
  redis: Redis;
  connect(): Promise<Redis>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startServer(): Promise<BenchServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmvec-bench-redis-'));
  const port = await freePort();
  const logFile = path.join(dir, 'redis.log');
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--logfile', logFile, '--save', '', '--appendonly', 'no', '--loadmodule', modulePath()];
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const clients: Redis[] = [];
  const connect = async () => {
    const client = await connectWhenReady(port, child, logFile);
    clients.push(client);
    return client;
  };
  const redis = await connect();
  return {
    port,
    dir,
    args,
    commandLine: [
      'redis-server',
      ...args.map((a) => (a === '' ? "''" : a === String(port) ? '<free port>' : a.startsWith(dir) ? a.replace(dir, '<temp dir>') : a.startsWith('/') ? path.relative(process.cwd(), a) : a)),
    ].join(' '),
    redis,
    connect,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        await redis.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      clients.forEach((c) => c.disconnect());
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function connectWhenReady(port: number, child: ChildProcess, logFile: string): Promise<Redis> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) {
      const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
      throw new Error(`redis-server exited with ${child.exitCode}:\n${log}`);
    }
    const redis = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      await redis.ping();
      return redis;
    } catch {
      redis.disconnect();
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
