/**
 * Starts a real redis-server with the built module on a free loopback port and a
 * temporary --dir, and stops it. No mocks: every Redis test talks to one of these.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import Redis from 'ioredis';
import { type ServerVersion, versionOf } from './servers';

export const MODULE_PATH = path.resolve(__dirname, '../../target/release/libmmvec_redis.so');

/** The server binary every suite starts: `MMVEC_REDIS_SERVER` (vitest.config.ts sets it per
 * project), else `redis-server` on PATH. */
export const SERVER_BINARY = process.env.MMVEC_REDIS_SERVER || 'redis-server';

let serverVersion: ServerVersion | undefined;

/** What `SERVER_BINARY --version` reports. */
export function testedServer(): ServerVersion {
  serverVersion ??= versionOf(SERVER_BINARY);
  if (!serverVersion) throw new Error(`${SERVER_BINARY} --version did not name a Redis or Valkey server`);
  return serverVersion;
}

export interface ServerOptions {
  /** The server binary (default `SERVER_BINARY`). */
  binary?: string;
  /** Extra `redis-server` arguments, e.g. `['--appendonly', 'yes']`. */
  args?: string[];
  /** Modules loaded before mmvec's, so their command names win (the bench's peers). */
  preload?: string[];
  /** Module arguments after the module path, e.g. `['ALIASES', 'no']`. */
  moduleArgs?: string[];
  /** Load this module file instead of the repository's release build; `false`: no module. */
  module?: string | false;
  /** Reuse this directory (and port) instead of fresh ones. */
  dir?: string;
  port?: number;
}

export interface TestServer {
  port: number;
  dir: string;
  /** The redis-server arguments it was started with. */
  args: string[];
  redis: Redis;
  /** A new connection (e.g. for WATCH or SUBSCRIBE). */
  connect(): Redis;
  /** `SHUTDOWN` (saving as configured) and start again on the same dir and port. */
  restart(extraArgs?: string[]): Promise<TestServer>;
  stop(mode?: 'save' | 'nosave'): Promise<void>;
  log(): string;
}

export async function freePort(): Promise<number> {
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

export function tempDir(prefix = 'mmvec-redis-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function startServer(options: ServerOptions = {}): Promise<TestServer> {
  const dir = options.dir ?? tempDir();
  const port = options.port ?? (await freePort());
  const logFile = path.join(dir, 'redis.log');
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--logfile',
    logFile,
    '--save',
    '',
    '--enable-debug-command',
    'yes',
    ...(options.preload ?? []).flatMap((module) => ['--loadmodule', module]),
    ...(options.module === false ? [] : ['--loadmodule', options.module ?? MODULE_PATH, ...(options.moduleArgs ?? [])]),
    ...(options.args ?? []),
  ];
  const child = spawn(options.binary ?? SERVER_BINARY, args, { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const redis = await connectWhenReady(port, child, logFile);
  const connections: Redis[] = [redis];
  const server: TestServer = {
    port,
    dir,
    args,
    redis,
    connect() {
      const connection = new Redis({ port, host: '127.0.0.1', lazyConnect: false, maxRetriesPerRequest: 1 });
      connections.push(connection);
      return connection;
    },
    async restart(extraArgs = []) {
      await server.stop('save');
      return startServer({ ...options, dir, port, args: [...(options.args ?? []), ...extraArgs] });
    },
    async stop(mode = 'nosave') {
      if (child.exitCode === null && child.signalCode === null) {
        await redis.call('SHUTDOWN', mode === 'save' ? 'SAVE' : 'NOSAVE').catch(() => undefined);
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      connections.forEach((c) => c.disconnect());
    },
    log: () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : ''),
  };
  return server;
}

async function connectWhenReady(port: number, child: ChildProcess, logFile: string): Promise<Redis> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) {
      const log = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
      throw new Error(`redis-server exited with ${child.exitCode}:\n${log}`);
    }
    const redis = new Redis({
      port,
      host: '127.0.0.1',
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      retryStrategy: () => null,
    });
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

/** The error a command fails with, as text (`undefined` if it succeeds). */
export async function errorOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Whether the server is `product` at `version` (e.g. `'7.2'`) or later. */
export function serverAtLeast(product: ServerVersion['product'], version: string): boolean {
  const { product: actual, version: installed } = testedServer();
  if (actual !== product) return false;
  const wanted = version.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const [have, want] = [installed[i] ?? 0, wanted[i] ?? 0];
    if (have !== want) return have > want;
  }
  return true;
}

/** What the server's module API offers, keyed on its reported version. */
export const features = {
  /** Redis 8's vector sets own `VADD`, `VCARD`, … */
  get vectorSets(): boolean {
    return serverAtLeast('redis', '8.0');
  },
  /** `RedisModule_SetCommandACLCategories`: Redis 7.2+, every Valkey. */
  get commandAclCategories(): boolean {
    return serverAtLeast('redis', '7.2') || serverAtLeast('valkey', '7.2');
  },
  /** RESP3 doubles in their shortest round-trip text (`,1.1`); Redis 7.0 prints 17 digits
   * (`,1.1000000000000001`). Both are the same double. */
  get shortestResp3Doubles(): boolean {
    return serverAtLeast('redis', '7.2') || serverAtLeast('valkey', '7.2');
  },
  /** `RedisModule_AddACLCategory` (the `@mmvec` category): Redis 7.4+, Valkey 8+. */
  get moduleAclCategory(): boolean {
    return serverAtLeast('redis', '7.4') || serverAtLeast('valkey', '8.0');
  },
};

/** Polls `check` every 20 ms until it holds; throws naming `what` after `ms`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** One field of an `INFO` reply (`undefined` if absent). */
export function infoField(info: string, field: string): string | undefined {
  const line = info.split('\r\n').find((l) => l.startsWith(`${field}:`));
  return line?.slice(field.length + 1);
}
