/**
 * Seed aliases on every server, and the `@mmvec` ACL category where the server has one.
 *
 * Redis 8 has its own `VADD` (vector sets). There the module serves the seed's
 * `VADD key number …` through a command filter that rewrites it to `MMVEC.ADD`, and only
 * calls the built-in would reject: the argument after the key is not `REDUCE`, `FP32` or
 * `VALUES`. Every other `VADD` reaches vector sets untouched. `ALIASES no` turns it off.
 * On servers without a `VADD` of their own, the alias is registered as a command.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, features, startServer, testedServer, type TestServer } from '../helpers/redis';

const FILTER_LOG =
  "mmvec: VADD is the server's own command; the seed's calls of it (VADD key value …, the value not REDUCE, FP32 or VALUES) are served through a command filter as MMVEC.ADD, every other call reaches the server's VADD";
const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';

describe(`seed aliases on ${testedServer().label}`, () => {
  let server: TestServer;
  const call = (...args: (string | Buffer)[]): Promise<unknown> => server.redis.call(String(args[0]), ...args.slice(1));

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server.stop();
    fs.rmSync(server.dir, { recursive: true, force: true });
  });

  it('the seed walkthrough opening: MMAP db file.mmap, then VADD db 0.0', async () => {
    expect(await call('MMAP', 'db', 'file.mmap')).toBe(0);
    expect(await call('VADD', 'db', '0.0')).toBe(1);
    expect(await call('vadd', 'db', '0.5', '1.5')).toBe(2);
    expect(await call('VCOUNT', 'db')).toBe(3);
    expect(await call('VGET', 'db', '2')).toBe('1.5');
    expect(fs.statSync(path.join(server.dir, 'file.mmap')).size).toBe(24);
  });

  it.runIf(features.vectorSets)('the load log says VADD goes through the command filter', () => {
    expect(server.log()).toContain(FILTER_LOG);
    expect(server.log()).not.toContain('alias VADD skipped');
  });

  it.runIf(!features.vectorSets)('VADD is a command of the module: no filter is registered', async () => {
    const [[name, , flags]] = (await call('COMMAND', 'INFO', 'VADD')) as unknown[][];
    expect(name).toBe('vadd');
    expect(flags).toContain('module');
    expect(server.log()).not.toContain('command filter');
  });

  it.runIf(features.vectorSets)('vector-set VADD calls reach vector sets untouched, in any case', async () => {
    expect(await call('VADD', 'vs', 'VALUES', '3', '0.1', '0.2', '0.3', 'elem')).toBe(1);
    expect(await call('vadd', 'vs', 'values', '3', '0.4', '0.5', '0.6', 'other')).toBe(1);
    expect(await call('VADD', 'vs', 'FP32', Buffer.from(new Float32Array([1, 2, 3]).buffer), 'third')).toBe(1);
    expect(await call('VADD', 'reduced', 'REDUCE', '2', 'VALUES', '3', '1', '2', '3', 'e')).toBe(1);
    expect(await call('VCARD', 'vs')).toBe(3);
    expect(await call('VDIM', 'vs')).toBe(3);
    // A vector-set call on a vector key is the vector sets' to refuse, not ours.
    expect(await errorOf(call('VADD', 'db', 'VALUES', '1', '0.1', 'e'))).toBe(WRONGTYPE);
    expect(await call('VCOUNT', 'db')).toBe(3);
  });

  it.runIf(features.vectorSets)(
    'a routed VADD on a vector set is a WRONGTYPE from MMVEC.ADD; the set is untouched',
    async () => {
      expect(await errorOf(call('VADD', 'vs', '1.5'))).toBe(WRONGTYPE);
      expect(await call('VCARD', 'vs')).toBe(3);
    },
  );

  it.runIf(features.vectorSets)(
    'a routed VADD is MMVEC.ADD in every way: errors, replication effect, keyspace event',
    async () => {
      expect(await errorOf(call('VADD', 'db', 'abc'))).toBe("ERR value 'abc' is not valid for float64: not a number");
      expect(await errorOf(call('VADD', 'missing', '1'))).toBe('ERR no such key');
      expect(await call('EXISTS', 'missing')).toBe(0);
      const subscriber = server.connect();
      await call('CONFIG', 'SET', 'notify-keyspace-events', 'Ed');
      const events: string[] = [];
      await subscriber.psubscribe('__keyevent@0__:*');
      subscriber.on('pmessage', (_pattern, channel: string, key: string) =>
        events.push(`${channel.split(':')[1]} ${key}`),
      );
      expect(await call('VADD', 'db', '2.5')).toBe(1);
      await expect.poll(() => events).toEqual(['mmvec.add db']);
      expect(await call('MMVEC.RANGE', 'db', '0', '-1')).toEqual(['0', '0.5', '1.5', '2.5']);
    },
  );
});

describe(`an alias name taken by something other than vector sets, on ${testedServer().label}`, () => {
  let server: TestServer;

  // ECHO renamed takes the name, as another module's command would (the bench's seed module
  // takes VADD so). VADD has a clash rule, for vector sets' VADD only; where vector sets own
  // VADD, VCOUNT stands in.
  const taken = features.vectorSets ? 'VCOUNT' : 'VADD';

  beforeAll(async () => {
    server = await startServer({ args: ['--rename-command', 'ECHO', taken] });
  });
  afterAll(async () => {
    await server.stop();
    fs.rmSync(server.dir, { recursive: true, force: true });
  });

  it("is skipped and logged, never filtered: the name stays the other command's", async () => {
    expect(server.log()).toContain(`mmvec: alias ${taken} skipped: the name is taken`);
    expect(server.log()).not.toContain(`mmvec: ${taken} is the server's own command`);
    expect(await server.redis.call(taken, 'hello')).toBe('hello');
    expect(await server.redis.call('MMVEC.OPEN', 'db', 'file.mmap')).toBe(0);
    expect(await server.redis.call('MMVEC.COUNT', 'db')).toBe(0);
  });
});

describe.runIf(features.vectorSets)(`ALIASES no on ${testedServer().label}`, () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({ moduleArgs: ['ALIASES', 'no'] });
  });
  afterAll(async () => {
    await server.stop();
    fs.rmSync(server.dir, { recursive: true, force: true });
  });

  it('turns the filter off: the seed VADD reaches vector sets, which refuse it', async () => {
    expect(await server.redis.call('MMVEC.OPEN', 'db', 'file.mmap')).toBe(0);
    const refused = await errorOf(server.redis.call('VADD', 'db', '0.0'));
    expect(refused).toBeDefined();
    expect(refused).not.toBe(WRONGTYPE);
    expect(await server.redis.call('MMVEC.COUNT', 'db')).toBe(0);
    expect(server.log()).not.toContain('command filter');
  });
});

describe(`the @mmvec ACL category on ${testedServer().label}`, () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer();
    await server.redis.call('MMVEC.OPEN', 'v', 'v.bin');
    await server.redis.call('MMVEC.ADD', 'v', '1', '2');
    await server.redis.set('s', 'x');
  });
  afterAll(async () => {
    await server.stop();
    fs.rmSync(server.dir, { recursive: true, force: true });
  });

  it.runIf(features.moduleAclCategory)('holds every command of the module, aliases included', async () => {
    const listed = ((await server.redis.call('ACL', 'CAT', 'mmvec')) as string[]).sort();
    const commands = ((await server.redis.call('COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'mmvec')) as string[]).sort();
    expect(listed).toEqual(commands);
    expect(listed).toEqual(expect.arrayContaining(['mmvec.get', 'mmvec.add', 'mmvec.bind', 'mmap', 'vget', 'vall']));
  });

  it.runIf(features.moduleAclCategory)(
    '-@mmvec denies every command of the module, the routed VADD too, and nothing else',
    async () => {
      await server.redis.call('ACL', 'SETUSER', 'nommvec', 'on', '>pw', '~*', '+@all', '-@mmvec');
      const user = server.connect();
      expect(await user.call('AUTH', 'nommvec', 'pw')).toBe('OK');
      for (const command of [
        ['MMVEC.GET', 'v', '0'],
        ['VGET', 'v', '0'],
        ['MMVEC.ADD', 'v', '3'],
        ['VADD', 'v', '3'],
        ['MMAP', 'w', 'w.bin'],
        ['MMVEC.INFO', 'v'],
      ]) {
        expect(await errorOf(user.call(command[0]!, ...command.slice(1))), command.join(' ')).toMatch(/^NOPERM /);
      }
      expect(await user.get('s')).toBe('x');
      if (features.vectorSets) expect(await user.call('VADD', 'vs', 'VALUES', '2', '1', '2', 'e')).toBe(1);
      expect(await server.redis.call('MMVEC.COUNT', 'v')).toBe(2);
      expect(fs.existsSync(path.join(server.dir, 'w.bin'))).toBe(false);
    },
  );

  it.runIf(features.vectorSets)(
    "ACL rules see a routed VADD as MMVEC.ADD: +vadd grants only the vector sets' VADD",
    async () => {
      await server.redis.call('ACL', 'SETUSER', 'vaddonly', 'on', '>pw', '~*', '+vadd', '+vcard');
      const user = server.connect();
      expect(await user.call('AUTH', 'vaddonly', 'pw')).toBe('OK');
      expect(await errorOf(user.call('VADD', 'v', '3'))).toBe(
        "NOPERM User vaddonly has no permissions to run the 'mmvec.add' command",
      );
      expect(await user.call('VADD', 'vs2', 'VALUES', '2', '1', '2', 'e')).toBe(1);
      expect(await server.redis.call('MMVEC.COUNT', 'v')).toBe(2);
    },
  );

  it.runIf(features.moduleAclCategory)('commands keep @read/@write and @fast/@slow beside @mmvec', async () => {
    const categories = async (name: string) => {
      const [entry] = (await server.redis.call('COMMAND', 'INFO', name)) as unknown[][];
      return (entry![6] as string[]).sort();
    };
    expect(await categories('mmvec.get')).toEqual(['@fast', '@mmvec', '@read']);
    expect(await categories('mmvec.add')).toEqual(['@fast', '@mmvec', '@write']);
    expect(await categories('mmvec.range')).toEqual(['@mmvec', '@read', '@slow']);
    expect(await categories('mmvec.clear')).toEqual(['@mmvec', '@slow', '@write']);
  });

  it.runIf(!features.moduleAclCategory)(
    'is unknown where the server cannot add categories (deny by name instead)',
    async () => {
      expect(await errorOf(server.redis.call('ACL', 'CAT', 'mmvec'))).toBe("ERR Unknown category 'mmvec'");
      expect(await errorOf(server.redis.call('ACL', 'SETUSER', 'nommvec', 'on', '-@mmvec'))).toBe(
        "ERR Error in ACL SETUSER modifier '-@mmvec': Unknown command or category name in ACL",
      );
    },
  );
});
