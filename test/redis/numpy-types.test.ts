/**
 * The wider dtypes between Redis and real numpy (and ml_dtypes for bfloat16), both ways:
 * files Redis writes, raw or `.npy`, numpy maps as `S8`, `float16` and `longdouble`; files
 * numpy writes (`tofile`, `np.save`) Redis serves, element by element; a bfloat16 file
 * written from its raw bits is what ml_dtypes reads, and what Redis reads. Redis's float80
 * text is exactly the value numpy holds, in as many digits as numpy's shortest repr.
 */

import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pythonWith, runPython } from '../helpers/python';
import { type TestServer, errorOf, startServer, testedServer } from '../helpers/redis';

const python = pythonWith('ml_dtypes');

describe.runIf(python)(`float16, bfloat16, float80 and bytes<N> with numpy on ${testedServer().label}`, () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server.stop('nosave');
    fs.rmSync(server.dir, { recursive: true, force: true });
  });

  const call = (command: string, ...args: (string | Buffer)[]): Promise<unknown> => server.redis.call(command, ...args);
  /** Runs Python (numpy as np, ml_dtypes, json imported) in the server's dir; its stdout parsed as JSON. */
  const py = (code: string): unknown =>
    JSON.parse(runPython(python!, `import json\nimport numpy as np\nimport ml_dtypes\n${code}`, server.dir));

  describe('files Redis writes, numpy reads', () => {
    it('a string 8 file is np.memmap(dtype="S8"), NULs stripped as numpy strips them', async () => {
      const added = ['a', 'ab', 'abc', 'abcd', 'abcd e', 'abcd e f', ''];
      expect(await call('MMAP', 'db', 'strings.mmap', 'string', '8', 'writable')).toBe(0);
      expect(await call('VADD', 'db', ...added)).toBe(added.length);
      expect(
        py(`a = np.memmap('strings.mmap', dtype='S8', mode='r')
print(json.dumps([str(a.dtype), [x.decode() for x in a.tolist()]]))`),
      ).toEqual(['|S8', added]);
    });

    it('a float16 file is np.float16, a bfloat16 file ml_dtypes.bfloat16: the values Redis replies', async () => {
      const texts = ['0.1', '-2.5', '65504', '6e-8', '-0', 'inf', '1e-3'];
      expect(await call('MMVEC.OPEN', 'h', 'h.f16', 'TYPE', 'float16')).toBe(0);
      expect(await call('VADD', 'h', ...texts)).toBe(texts.length);
      expect(await call('MMVEC.OPEN', 'b', 'b.bf16', 'TYPE', 'bfloat16')).toBe(0);
      expect(await call('VADD', 'b', ...texts)).toBe(texts.length);
      const replies = { h: (await call('VALL', 'h')) as string[], b: (await call('VALL', 'b')) as string[] };
      // Each reply, parsed by numpy into the same type, is the very element in the file.
      expect(
        py(`texts = ${JSON.stringify(texts)}
replies = ${JSON.stringify(replies)}
h = np.memmap('h.f16', dtype=np.float16, mode='r')
b = np.memmap('b.bf16', dtype=ml_dtypes.bfloat16, mode='r')
same = lambda a, t, xs: [a[i].tobytes() == np.array(float(x), dtype=np.float32).astype(t).tobytes() for i, x in enumerate(xs)]
print(json.dumps([h.tobytes() == np.array(texts, dtype=np.float16).tobytes(), same(h, np.float16, replies['h']),
  b.tobytes() == np.array(texts, dtype=np.float32).astype(ml_dtypes.bfloat16).tobytes(), same(b, ml_dtypes.bfloat16, replies['b'])]))`),
      ).toEqual([true, texts.map(() => true), true, texts.map(() => true)]);
    });

    it('a long_double file is np.longdouble; each reply is the value exactly, in the digits of numpy repr', async () => {
      const texts = ['0', '2', '4', '6', '8', '10', '0.1', '1.18973149535723176502e+4932', '-3.6e-4951', '1e-300'];
      expect(await call('MMAP', 'ld', 'ld.mmap', 'long_double', 'writable')).toBe(0);
      expect(await call('VADD', 'ld', ...texts)).toBe(texts.length);
      expect(await call('MMVEC.INCRBY', 'ld', '6', '0.2')).toBe('0.3');
      expect(await call('MMVEC.ADD', 'ld', String(1 / 3))).toBe(1);
      const replies = (await call('VALL', 'ld')) as string[];
      expect(replies.slice(0, 6)).toEqual(['0', '2', '4', '6', '8', '10']);
      const check = py(`from decimal import Decimal
replies = ${JSON.stringify(replies)}
a = np.memmap('ld.mmap', dtype=np.longdouble, mode='r')
def digits(text):
    return len(Decimal(text).normalize().as_tuple().digits)
out = []
for x, r in zip(a, replies):
    mine = np.longdouble(r)
    theirs = np.format_float_scientific(x, unique=True)
    out.append([bool(mine == x), bool(x == 0) or digits(r) == digits(theirs), theirs])
print(json.dumps([len(a), out, a.tobytes() == np.array([np.longdouble(t) for t in ${JSON.stringify(texts)}] + [np.longdouble(0)], dtype=np.longdouble).tobytes()]))`) as [
        number,
        [boolean, boolean, string][],
        boolean,
      ];
      expect(check[0]).toBe(texts.length + 1);
      for (const [i, [exact, shortest, theirs]] of check[1].entries()) {
        expect(exact, `${replies[i]} is the element numpy reads (${theirs})`).toBe(true);
        expect(shortest, `${replies[i]} has as many digits as numpy's ${theirs}`).toBe(true);
      }
    });

    it('.npy files Redis creates carry the descrs |S8, <f2 and <f16; bfloat16 has none and is refused', async () => {
      expect(await call('MMVEC.OPEN', 'ns', 'ns.npy', 'TYPE', 'bytes8')).toBe(0);
      expect(await call('VADD', 'ns', 'x', 'abcd e f')).toBe(2);
      expect(await call('MMVEC.OPEN', 'nh', 'nh.npy', 'TYPE', 'float16')).toBe(0);
      expect(await call('VADD', 'nh', '0.5', '-1')).toBe(2);
      expect(await call('MMVEC.OPEN', 'nl', 'nl.npy', 'TYPE', 'float80')).toBe(0);
      expect(await call('VADD', 'nl', '0.1', '-2')).toBe(2);
      expect(
        py(`out = []
for f in ['ns.npy', 'nh.npy', 'nl.npy']:
    a = np.load(f, mmap_mode='r')
    out.append([a.dtype.str, a.shape[0], [x.decode() if isinstance(x, bytes) else str(x) for x in a.tolist()]])
print(json.dumps(out))`),
      ).toEqual([
        ['|S8', 2, ['x', 'abcd e f']],
        ['<f2', 2, ['0.5', '-1.0']],
        ['<f16', 2, ['0.1', '-2.0']],
      ]);
      expect(await errorOf(call('MMVEC.OPEN', 'nb', 'nb.npy', 'TYPE', 'bfloat16'))).toBe(
        'ERR bfloat16 has no .npy descr: store it in a raw file',
      );
      expect(fs.existsSync(`${server.dir}/nb.npy`)).toBe(false);
    });
  });

  describe('files numpy writes, Redis reads', () => {
    it('a file of 200 NUL-padded strings written by Python is read back element by element', async () => {
      const expected = py(`a = np.array([('s%d' % i) * (i % 4) for i in range(200)], dtype='S8')
a.tofile('py-strings.bin')
print(json.dumps([x.decode() for x in a.tolist()]))`) as string[];
      expect(expected).toHaveLength(200);
      expect(await call('MMAP', 'py', 'py-strings.bin', 'string', '8')).toBe(200);
      for (let i = 0; i < 200; i++) expect(await call('VGET', 'py', String(i)), `element ${i}`).toBe(expected[i]);
      expect(await call('VALL', 'py')).toEqual(expected);
    });

    it('np.save of S8, float16 and longdouble arrays: Redis takes the header dtype and reads the values', async () => {
      py(`np.save('py-s.npy', np.array([b'one', b'', b'eight ch'], dtype='S8'))
np.save('py-h.npy', np.array([0.1, 65504, -np.inf], dtype=np.float16))
np.save('py-l.npy', np.array([np.longdouble('0.1'), np.longdouble(1) / 3, np.finfo(np.longdouble).max]))
print('null')`);
      expect(await call('MMVEC.OPEN', 'ps', 'py-s.npy')).toBe(3);
      expect(await call('VALL', 'ps')).toEqual(['one', '', 'eight ch']);
      expect(await call('VTYPE', 'ps')).toBe('string');
      expect(await call('VSIZE', 'ps')).toBe(8);
      expect(await call('MMVEC.OPEN', 'ph', 'py-h.npy')).toBe(3);
      expect(await call('VALL', 'ph')).toEqual(['0.1', '65500', '-inf']);
      expect(await call('MMVEC.OPEN', 'pl', 'py-l.npy')).toBe(3);
      expect(await call('VALL', 'pl')).toEqual(['0.1', '0.33333333333333333334', '1.189731495357231765e4932']);
      expect(await call('VTYPE', 'pl')).toBe('long_double');
      // Appending keeps numpy's file a .npy numpy reads.
      expect(await call('VADD', 'pl', '2')).toBe(1);
      expect(py(`print(json.dumps(str(np.load('py-l.npy')[-1])))`)).toBe('2.0');
    });

    it('a raw longdouble file numpy wrote (its padding bytes not zero) reads as its values', async () => {
      py(`np.array([np.longdouble('0.1'), -np.longdouble(2) ** 16000], dtype=np.longdouble).tofile('py.f80')
print('null')`);
      expect(await call('MMVEC.OPEN', 'pf', 'py.f80', 'TYPE', 'longdouble', 'READONLY')).toBe(2);
      expect(await call('VALL', 'pf')).toEqual(['0.1', '-3.0194693372392275795e4816']);
    });

    it('a bfloat16 file written from its raw bits is what ml_dtypes reads, and what Redis reads', async () => {
      const bits = [0x3f80, 0xc020, 0x3dcd, 0x7f80, 0x0001, 0x7f7f];
      const fromMlDtypes = py(`np.array(${JSON.stringify(bits)}, dtype='<u2').tofile('raw.bf16')
a = np.fromfile('raw.bf16', dtype=ml_dtypes.bfloat16)
print(json.dumps([str(a.dtype), [str(float(x)) for x in a]]))`) as [string, string[]];
      expect(fromMlDtypes[0]).toBe('bfloat16');
      expect(await call('MMVEC.OPEN', 'rb', 'raw.bf16', 'TYPE', 'bfloat16')).toBe(bits.length);
      const replies = (await call('VALL', 'rb')) as string[];
      expect(replies).toEqual(['1', '-2.5', '0.1', 'inf', '9e-41', '3.39e38']);
      expect([fromMlDtypes[1][0], fromMlDtypes[1][1], fromMlDtypes[1][3]]).toEqual(['1.0', '-2.5', 'inf']);
      // The shortest texts read back through ml_dtypes as the very same bits.
      expect(
        py(
          `print(json.dumps([int(np.array(float(t), dtype=np.float32).astype(ml_dtypes.bfloat16).view('<u2')) for t in ${JSON.stringify(replies)}]))`,
        ),
      ).toEqual(bits);
    });
  });
});
