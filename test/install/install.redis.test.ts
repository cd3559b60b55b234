/**
 * The package as users get it: `npm pack` of the main package and of this platform's
 * package (addon + Redis module), installed offline into a fresh project with no `cargo`
 * on PATH. There `require('mmvec')` works, `mmvec module-path` names a module that
 * redis-server loads, `mmvec info` reads a vector and `mmvec import` a CSV (the
 * package's one dependency, csv-parse, is installed from a tarball packed here).
 */

import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../helpers/redis';

const ROOT = path.resolve(__dirname, '../..');
const PLATFORM = 'linux-x64-gnu';

describe.runIf(process.platform === 'linux' && process.arch === 'x64')('npm install from the packed tarballs', () => {
  let work: string;
  let app: string;
  let env: NodeJS.ProcessEnv;

  const run = (command: string, args: string[], cwd: string) =>
    spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 120_000 });

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'mmvec-install-'));
    // No cargo, rustc or rustup: users install without Rust.
    const rustless = (process.env.PATH ?? '')
      .split(path.delimiter)
      .filter((dir) => !['cargo', 'rustc', 'rustup'].some((tool) => fs.existsSync(path.join(dir, tool))));
    env = { ...process.env, PATH: rustless.join(path.delimiter), npm_config_cache: path.join(work, 'npm-cache') };

    const pack = (dir: string, options: string[] = []) => {
      const out = execFileSync('npm', ['pack', '--pack-destination', work, '--json', ...options], {
        cwd: dir,
        env,
        encoding: 'utf8',
      });
      return path.join(work, (JSON.parse(out) as { filename: string }[])[0]!.filename);
    };
    const main = pack(ROOT);
    const platformDir = path.join(work, 'platform');
    fs.cpSync(path.join(ROOT, 'npm', PLATFORM), platformDir, { recursive: true });
    fs.copyFileSync(
      path.join(ROOT, 'dist', 'native', `mmvec.${PLATFORM}.node`),
      path.join(platformDir, `mmvec.${PLATFORM}.node`),
    );
    fs.copyFileSync(
      path.join(ROOT, 'target', 'release', 'libmmvec_redis.so'),
      path.join(platformDir, 'libmmvec_redis.so'),
    );
    const platform = pack(platformDir);

    app = path.join(work, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }));
    // Offline, npm cannot fetch the package's one dependency (csv-parse, for the CLI):
    // it is packed from this repository's node_modules and installed beside it.
    const csvParse = pack(path.join(ROOT, 'node_modules', 'csv-parse'), ['--ignore-scripts']);
    const installed = run('npm', ['install', '--offline', '--no-audit', '--no-fund', main, platform, csvParse], app);
    expect(installed.status, installed.stderr).toBe(0);
  });

  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('installs without Rust, and the package ships no native binary of its own', () => {
    expect(run('sh', ['-c', 'command -v cargo'], app).status).not.toBe(0);
    const shipped = fs.readdirSync(path.join(app, 'node_modules', 'mmvec', 'dist', 'native'));
    expect(shipped.filter((f) => f.endsWith('.node'))).toEqual([]);
    expect(fs.existsSync(path.join(app, 'node_modules', `mmvec-${PLATFORM}`, 'libmmvec_redis.so'))).toBe(true);
  });

  it("require('mmvec') maps and reads a vector", () => {
    const script = `
      const { MmapVector } = require('mmvec');
      const v = MmapVector.open('x.f64');
      v.push(1.5, 2.5);
      console.log(v.get(1), v.length);
      v.close();
    `;
    const result = run(process.execPath, ['-e', script], app);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('2.5 2');
  });

  it('loads and typechecks with neither Redis client installed (both are optional peers)', () => {
    for (const peer of ['ioredis', 'redis'])
      expect(fs.existsSync(path.join(app, 'node_modules', peer)), peer).toBe(false);
    const loaded = run(process.execPath, ['-e', "console.log(typeof require('mmvec').MmvecClient)"], app);
    expect(loaded.stderr).toBe('');
    expect(loaded.stdout.trim()).toBe('function');

    // Every .d.ts of the package is checked (no skipLibCheck): none may name ioredis or redis.
    // Only @types/node comes from this repository; the app's node_modules has no client.
    fs.writeFileSync(
      path.join(app, 'use.ts'),
      [
        "import { MmvecClient, type RedisConnection } from 'mmvec';",
        'export function countOf(redis: RedisConnection): Promise<number> {',
        "  return new MmvecClient(redis).count('k');",
        '}',
      ].join('\n'),
    );
    fs.writeFileSync(
      path.join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          target: 'ES2022',
          module: 'commonjs',
          moduleResolution: 'node10',
          lib: ['ES2022', 'ESNext.Disposable'],
          types: ['node'],
          typeRoots: [path.join(ROOT, 'node_modules', '@types')],
        },
        files: ['use.ts'],
      }),
    );
    const checked = run(
      process.execPath,
      [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'],
      app,
    );
    expect(checked.stdout + checked.stderr).toBe('');
    expect(checked.status).toBe(0);
  });

  it('mmvec module-path names a module redis-server loads, and mmvec info reads a vector', async () => {
    const located = run('npx', ['--no-install', 'mmvec', 'module-path'], app);
    expect(located.status, located.stderr).toBe(0);
    const module = located.stdout.trim();
    expect(module).toBe(path.join(fs.realpathSync(app), 'node_modules', `mmvec-${PLATFORM}`, 'libmmvec_redis.so'));

    const dir = fs.mkdtempSync(path.join(work, 'redis-'));
    fs.copyFileSync(path.join(app, 'x.f64'), path.join(dir, 'x.f64'));
    const server = await startServer({ module, dir });
    try {
      expect(await server.redis.call('MMVEC.OPEN', 'x', 'x.f64')).toBe(2);
      expect(await server.redis.call('MMVEC.RANGE', 'x', '0', '-1')).toEqual(['1.5', '2.5']);
    } finally {
      await server.stop();
    }

    const info = run('npx', ['--no-install', 'mmvec', 'info', 'x.f64'], app);
    expect(info.status, info.stderr).toBe(0);
    expect(info.stdout).toContain('count: 2');
  });

  it('mmvec import reads a CSV with a multi-line quoted field (csv-parse resolves in the installed tree)', () => {
    fs.writeFileSync(path.join(app, 'w.csv'), 'note,value\r\n"two\r\nlines",1.5\r\nplain,2.5\r\n');
    const imported = run(
      'npx',
      ['--no-install', 'mmvec', 'import', 'w.csv', 'w.f64', '--dtype', 'f64', '--column', 'value'],
      app,
    );
    expect({ status: imported.status, stderr: imported.stderr, stdout: imported.stdout }).toEqual({
      status: 0,
      stderr: '',
      stdout: 'imported 2 float64 values from w.csv into w.f64\n',
    });
  });
});
