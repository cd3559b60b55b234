/**
 * Files and security (DESIGN.md): a Redis client cannot read, create or truncate files
 * outside the directory the operator chose with the module argument `DIR` (default: the
 * server's `dir`). A relative path resolves under it; an absolute path must lie inside it
 * after resolving `..` and symlinks; anything else is refused, and nothing is created.
 *
 * Layout, under a fresh temporary `base` (the server's --dir):
 *   base/root/          DIR (given to the module as the relative path `root`)
 *   base/root/sub/
 *   base/outside/       must never be touched
 *   base/rootx/         a sibling whose name starts with "root"
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, startServer, tempDir, type TestServer } from '../helpers/redis';

const le = (view: ArrayBufferView): Buffer => Buffer.from(view.buffer, view.byteOffset, view.byteLength);
const outsideMessage = (given: string): string => `ERR path ${given} is outside the allowed directory`;

describe('module argument DIR confines every path', () => {
  let server: TestServer;
  let base: string;
  let root: string;
  let outside: string;
  let realRoot: string;
  const secret = le(Float64Array.from([42, 43]));

  const call = (command: string, ...args: (string | Buffer)[]): Promise<unknown> => server.redis.call(command, ...args);
  const err = (command: string, ...args: (string | Buffer)[]): Promise<string | undefined> =>
    errorOf(call(command, ...args));
  const inRoot = (...parts: string[]): string => path.join(root, ...parts);

  /** `path` is refused as outside for read-write, read-only and seed-form opens; no key appears. */
  async function refusedEverywhere(given: string, message = outsideMessage(given)): Promise<void> {
    expect(await err('MMAP', 'k', given), `MMAP ${given}`).toBe(message);
    expect(await err('MMVEC.OPEN', 'k', given, 'READONLY'), `READONLY ${given}`).toBe(message);
    expect(await err('MMVEC.OPEN', 'k', given, 'TYPE', 'uint8', 'READONLY'), `uint8 ${given}`).toBe(message);
    expect(await err('MMAP', 'k', given, 'int8', 'writable'), `seed ${given}`).toBe(message);
    expect(await err('MMAP', 'k', given, 'int8'), `seed ro ${given}`).toBe(message);
    expect(await call('EXISTS', 'k')).toBe(0);
  }

  beforeAll(async () => {
    base = tempDir('mmvec-security-');
    root = path.join(base, 'root');
    outside = path.join(base, 'outside');
    fs.mkdirSync(path.join(root, 'sub'), { recursive: true });
    fs.mkdirSync(outside);
    fs.mkdirSync(path.join(base, 'rootx'));
    fs.writeFileSync(path.join(outside, 'secret.bin'), secret);
    // DIR relative to the server's --dir, which Redis has chdir()ed to before loading modules.
    server = await startServer({ dir: base, moduleArgs: ['DIR', 'root'] });
    realRoot = fs.realpathSync(root);
  });
  afterEach(async () => {
    expect(await server.redis.ping()).toBe('PONG');
  });
  afterAll(async () => {
    await server.stop();
    fs.rmSync(base, { recursive: true, force: true });
  });

  it('logs the directory it confines files to', () => {
    expect(server.log()).toContain(`mmvec: files are confined to ${realRoot}`);
  });

  it('resolves relative paths under DIR, not under the server dir', async () => {
    expect(await call('MMAP', 'a', 'a.bin')).toBe(0);
    expect(await call('VADD', 'a', '1')).toBe(1);
    expect(fs.statSync(inRoot('a.bin')).size).toBe(8);
    expect(fs.existsSync(path.join(base, 'a.bin'))).toBe(false);
    expect(await call('MMVEC.OPEN', 'b', 'sub/b.bin', 'TYPE', 'int8')).toBe(0);
    expect(fs.existsSync(inRoot('sub', 'b.bin'))).toBe(true);
    expect(await call('MMVEC.OPEN', 'm', 'sub/./m.bin')).toBe(0);
    expect(await call('MMVEC.OPEN', 'n', 'sub/../n.bin')).toBe(0);
    expect(fs.existsSync(inRoot('sub', 'm.bin'))).toBe(true);
    expect(fs.existsSync(inRoot('n.bin'))).toBe(true);
    const info = (await call('MMVEC.INFO', 'b')) as unknown[];
    expect(info.slice(0, 4)).toEqual(['path', 'sub/b.bin', 'file', path.join(realRoot, 'sub', 'b.bin')]);
  });

  it('accepts absolute paths inside DIR, also through .. that stays inside', async () => {
    expect(await call('MMAP', 'c', inRoot('sub', 'c.bin'))).toBe(0);
    expect(fs.existsSync(inRoot('sub', 'c.bin'))).toBe(true);
    expect(await call('MMAP', 'd', `${root}/sub/../d.bin`)).toBe(0);
    expect(fs.existsSync(inRoot('d.bin'))).toBe(true);
    expect(await call('MMAP', 'e', `${realRoot}/e.bin`)).toBe(0);
    expect(fs.existsSync(inRoot('e.bin'))).toBe(true);
  });

  it('refuses /etc/passwd, for reading as well as writing, and leaves it alone', async () => {
    const before = fs.statSync('/etc/passwd');
    await refusedEverywhere('/etc/passwd');
    const after = fs.statSync('/etc/passwd');
    expect([after.size, after.mtimeMs]).toEqual([before.size, before.mtimeMs]);
  });

  it('refuses device and proc files', async () => {
    await refusedEverywhere('/dev/null');
    await refusedEverywhere('/proc/self/environ');
  });

  it('refuses ../x, sub/../../x and absolute paths outside, creating nothing', async () => {
    await refusedEverywhere('../x.bin');
    await refusedEverywhere('sub/../../x.bin');
    await refusedEverywhere('sub/../../outside/x.bin');
    await refusedEverywhere('../outside/secret.bin');
    await refusedEverywhere(path.join(outside, 'g.bin'));
    await refusedEverywhere(path.join(outside, 'secret.bin'));
    await refusedEverywhere(`${root}/../outside/l.bin`);
    await refusedEverywhere(`${root}/sub/../../x.bin`);
    expect(fs.existsSync(path.join(base, 'x.bin'))).toBe(false);
    expect(fs.readdirSync(outside)).toEqual(['secret.bin']);
  });

  it('refuses a sibling directory whose name merely starts with the DIR name', async () => {
    await refusedEverywhere(path.join(base, 'rootx', 'n.bin'));
    await refusedEverywhere('../rootx/n.bin');
    expect(fs.readdirSync(path.join(base, 'rootx'))).toEqual([]);
  });

  it('refuses a symlink inside DIR that points to a file outside', async () => {
    fs.symlinkSync(path.join(outside, 'secret.bin'), inRoot('link-out'));
    fs.symlinkSync('../../outside/secret.bin', inRoot('sub', 'rel-link-out'));
    await refusedEverywhere('link-out');
    await refusedEverywhere(inRoot('link-out'));
    await refusedEverywhere('sub/rel-link-out');
    // A chain of links ending outside.
    fs.symlinkSync('link-out', inRoot('chain'));
    await refusedEverywhere('chain');
    expect(fs.readFileSync(path.join(outside, 'secret.bin'))).toEqual(secret);
  });

  it('refuses a symlink to a missing file outside, and does not create it', async () => {
    fs.symlinkSync(path.join(outside, 'created.bin'), inRoot('dangling-out'));
    for (const form of [['dangling-out'], ['dangling-out', 'TYPE', 'int8'], ['dangling-out', 'int8', 'writable']]) {
      expect(await err('MMAP', 'k', ...form)).toMatch(/^ERR /);
    }
    expect(await call('EXISTS', 'k')).toBe(0);
    expect(fs.existsSync(path.join(outside, 'created.bin'))).toBe(false);
  });

  it('says a symlink to a missing file outside is outside (not "no such file")', async () => {
    if (!fs.existsSync(inRoot('dangling-out2')))
      fs.symlinkSync(path.join(outside, 'created2.bin'), inRoot('dangling-out2'));
    expect(await err('MMAP', 'k', 'dangling-out2')).toBe(outsideMessage('dangling-out2'));
  });

  it('refuses a symlinked directory that points outside', async () => {
    fs.symlinkSync(outside, inRoot('link-dir'));
    fs.symlinkSync('..', inRoot('up'));
    fs.symlinkSync('/etc', inRoot('etc'));
    await refusedEverywhere('link-dir/i.bin');
    await refusedEverywhere('link-dir/secret.bin');
    await refusedEverywhere(inRoot('link-dir', 'secret.bin'));
    await refusedEverywhere('up/up.bin');
    await refusedEverywhere('up/outside/secret.bin');
    await refusedEverywhere('etc/passwd');
    // The directory link itself is not a file either.
    await refusedEverywhere('link-dir');
    expect(fs.readdirSync(outside)).toEqual(['secret.bin']);
  });

  it('allows symlinks inside DIR that point inside DIR, and writes through to the target', async () => {
    fs.writeFileSync(inRoot('sub', 'in.bin'), le(Float64Array.from([7])));
    fs.symlinkSync('sub/in.bin', inRoot('link-in'));
    fs.symlinkSync(inRoot('sub'), inRoot('link-sub'));
    expect(await call('MMAP', 'li', 'link-in')).toBe(1);
    expect(await call('VADD', 'li', '8')).toBe(1);
    expect(fs.readFileSync(inRoot('sub', 'in.bin'))).toEqual(le(Float64Array.from([7, 8])));
    const info = (await call('MMVEC.INFO', 'li')) as unknown[];
    expect(info.slice(0, 4)).toEqual(['path', 'link-in', 'file', path.join(realRoot, 'sub', 'in.bin')]);
    expect(fs.lstatSync(inRoot('link-in')).isSymbolicLink()).toBe(true);

    expect(await call('MMAP', 'ls', 'link-sub/k.bin')).toBe(0);
    expect(fs.existsSync(inRoot('sub', 'k.bin'))).toBe(true);
    expect(await call('MMVEC.OPEN', 'lr', inRoot('link-sub', 'in.bin'), 'READONLY')).toBe(2);
    expect(await call('VALL', 'lr')).toEqual(['7', '8']);
  });

  it('MMAP through a symlink inside DIR to a missing file inside DIR creates the target', async () => {
    if (!fs.existsSync(inRoot('link-new'))) fs.symlinkSync('sub/new.bin', inRoot('link-new'));
    expect(await call('MMAP', 'lnew', 'link-new')).toBe(0);
    expect(fs.existsSync(inRoot('sub', 'new.bin'))).toBe(true);
  });

  it('refuses a path with a NUL byte and creates nothing', async () => {
    const nul = Buffer.from('nul\u0000.bin');
    await refusedEverywhere(nul.toString('latin1'), "ERR bad path 'nul\\0.bin': contains a NUL byte");
    expect(await err('MMAP', 'k', Buffer.from('../\u0000x'))).toBe("ERR bad path '../\\0x': contains a NUL byte");
    expect(fs.readdirSync(root).filter((name) => name.startsWith('nul'))).toEqual([]);
  });

  it('refuses paths that name no file: empty, DIR itself, /', async () => {
    await refusedEverywhere('', "ERR bad path '': empty path");
    await refusedEverywhere('/', "ERR bad path '/': does not name a file");
    await refusedEverywhere('sub/..', "ERR bad path 'sub/..': does not name a file");
    await refusedEverywhere('sub', `ERR not a regular file: ${path.join(realRoot, 'sub')}`);
    for (const dirItself of ['.', root, `${root}/`, './']) {
      expect(await err('MMAP', 'k', dirItself), dirItself).toMatch(/^ERR /);
    }
    expect(await call('EXISTS', 'k')).toBe(0);
  });

  it('says DIR itself is not a file (not that it is outside the allowed directory)', async () => {
    expect(await err('MMAP', 'k', '.')).toBe("ERR bad path '.': does not name a file");
  });

  it('a key bound inside cannot be re-bound to a path outside', async () => {
    expect(await call('MMAP', 'bound', 'bound.bin')).toBe(0);
    expect(await err('MMAP', 'bound', '../bound.bin')).toBe(outsideMessage('../bound.bin'));
    expect(await err('MMAP', 'bound', '/etc/passwd')).toBe(outsideMessage('/etc/passwd'));
    expect(await call('VFILEPATH', 'bound')).toBe('bound.bin');
  });

  it('created nothing outside DIR', () => {
    expect(fs.readdirSync(outside)).toEqual(['secret.bin']);
    expect(fs.readFileSync(path.join(outside, 'secret.bin'))).toEqual(secret);
    expect(fs.readdirSync(path.join(base, 'rootx'))).toEqual([]);
    expect(fs.readdirSync(base).sort()).toEqual(['outside', 'redis.log', 'root', 'rootx']);
  });
});

describe('the default DIR is the server dir', () => {
  let server: TestServer;
  let outsideDir: string;

  beforeAll(async () => {
    server = await startServer();
    outsideDir = tempDir('mmvec-security-outside-');
  });
  afterAll(async () => {
    await server.stop();
    fs.rmSync(outsideDir, { recursive: true, force: true });
    fs.rmSync(server.dir, { recursive: true, force: true });
  });

  it('resolves relative paths under --dir and refuses anything outside it', async () => {
    const realDir = fs.realpathSync(server.dir);
    expect(server.log()).toContain(`mmvec: files are confined to ${realDir}`);
    expect(await server.redis.call('MMAP', 'a', 'a.bin')).toBe(0);
    expect(fs.existsSync(path.join(server.dir, 'a.bin'))).toBe(true);
    expect(await server.redis.call('MMAP', 'abs', path.join(server.dir, 'abs.bin'))).toBe(0);
    for (const given of ['../a.bin', path.join(outsideDir, 'x.bin'), '/etc/passwd', '/tmp/x.bin']) {
      expect(await errorOf(server.redis.call('MMAP', 'k', given))).toBe(outsideMessage(given));
    }
    expect(fs.readdirSync(outsideDir)).toEqual([]);
    expect(fs.existsSync('/tmp/x.bin')).toBe(false);
  });
});

describe('a bad DIR or module argument stops the module from loading', () => {
  const bases: string[] = [];
  afterAll(() => bases.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  it.each([
    [
      ['DIR', '/nonexistent/mmvec-dir'],
      'mmvec: DIR /nonexistent/mmvec-dir: no such file or directory: /nonexistent/mmvec-dir',
    ],
    [['DIR', 'a-file'], "mmvec: DIR a-file: bad path 'a-file': not a directory"],
    [['DIR'], 'mmvec: module argument DIR needs a value'],
    [['ALIASES', 'maybe'], "mmvec: ALIASES must be yes or no, not 'maybe'"],
    [['FOO', 'bar'], "mmvec: unknown module argument 'FOO' (expected DIR or ALIASES)"],
  ])('%j', async (moduleArgs, logged) => {
    const dir = tempDir('mmvec-badarg-');
    bases.push(dir);
    fs.writeFileSync(path.join(dir, 'a-file'), '');
    const failure = await errorOf(startServer({ dir, moduleArgs }));
    expect(failure).toMatch(/^redis-server exited with 1/);
    expect(failure).toContain(logged);
  });
});
