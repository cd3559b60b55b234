/**
 * A 3-primary Redis Cluster on loopback, each node with its own --dir and
 * `mmvec.snapshot data`: `MmvecClient` over an ioredis `Cluster` and over a node-redis
 * `createCluster` routes every command, and a reshard (`redis-cli --cluster reshard`,
 * which moves keys with MIGRATE) carries the vectors' elements to the node that now owns
 * their slot, where they stay writable. The whole suite runs once per client library.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MmvecClient } from '../..';
import { type Connected, LIBRARIES, connectCluster } from '../helpers/clients';
import { reshard, slotOwners, startCluster, stopCluster } from '../helpers/cluster';
import type { TestServer } from '../helpers/redis';
import { DTYPES, type DType, ITEMSIZE, keySlot, noise, restoreTemps } from './support';

interface Vector {
  key: string;
  file: string;
  dtype: DType;
  bytes: Buffer;
}
/**
 * Slot bands of the 30 keys, for a cluster created as 0-5460, 5461-10922, 10923-16383 and
 * a reshard of node 1's first 2000 slots to node 2: band 0 moves, band 1 stays on node 1,
 * bands 2 and 3 live on nodes 2 and 3. (The test checks ownership itself; the bands only
 * make sure every case has keys, multi-chunk vectors included.)
 */
const BANDS: [number, number][] = [
  [0, 2000],
  [2000, 5461],
  [5461, 10923],
  [10923, 16384],
];

function makeVectors(): Vector[] {
  return Array.from({ length: 30 }, (_, i) => {
    const dtype = DTYPES[i % DTYPES.length]!;
    const [low, high] = BANDS[i % BANDS.length]!;
    let key = `vec:${i}`;
    for (let j = 0; !(low <= keySlot(key) && keySlot(key) < high); j++) key = `vec:${i}.${j}`;
    // Every seventh spans several 1 MiB chunks; the others are small.
    const count = i % 7 === 0 ? (2.5 * 1024 * 1024) / ITEMSIZE[dtype] : 200 + 37 * i;
    return { key, file: `vec-${i}.${dtype}`, dtype, bytes: noise(count * ITEMSIZE[dtype], 1000 + i) };
  });
}

/** The element `add` appended, as its bytes in the owner's file. */
function fileTail(owner: TestServer, v: Vector): Buffer {
  const file = fs.readFileSync(path.join(owner.dir, v.file));
  return file.subarray(file.length - ITEMSIZE[v.dtype]);
}

describe.each(LIBRARIES)('a 3-primary Redis Cluster over %s', (library) => {
  let nodes: TestServer[] = [];
  let connected: Connected | undefined;
  let client: MmvecClient;
  const vectors = makeVectors();

  async function ownerOf(key: string): Promise<TestServer> {
    const slot = (await nodes[0]!.redis.call('CLUSTER', 'KEYSLOT', key)) as number;
    expect(slot, `CLUSTER KEYSLOT ${key}`).toBe(keySlot(key));
    const range = (await slotOwners(nodes[0]!)).find(([start, end]) => start <= slot && slot <= end);
    const node = nodes.find((n) => n.port === range?.[2]);
    if (!node) throw new Error(`no owner for ${key} (slot ${slot})`);
    return node;
  }

  beforeAll(async () => {
    nodes = await startCluster();
    connected = await connectCluster(library, nodes[0]!.port);
    client = connected.client;
  });

  afterAll(async () => {
    await connected?.close();
    await stopCluster(nodes);
  });

  it(`routes every command: 30 vectors bound and written through ${library} land on all three nodes`, async () => {
    for (const v of vectors) {
      expect(await client.open(v.key, v.file, { dtype: v.dtype })).toBe(0);
      expect(await client.addBlob(v.key, v.bytes)).toBe(v.bytes.length / ITEMSIZE[v.dtype]);
    }
    for (const v of vectors) {
      const blob = await client.getBlob(v.key, v.dtype);
      expect(Buffer.from(blob!.buffer).equals(v.bytes), v.key).toBe(true);
      expect(await client.count(v.key)).toBe(v.bytes.length / ITEMSIZE[v.dtype]);
    }
    for (const node of nodes) {
      const held = vectors.filter((v) => fs.existsSync(path.join(node.dir, v.file)));
      expect(held.length, `node ${node.port} holds some of the vectors`).toBeGreaterThan(0);
      expect(await node.redis.dbsize()).toBe(held.length);
      for (const v of held) expect(await ownerOf(v.key), v.key).toBe(node);
    }
  });

  it('after a reshard of 2000 slots, every vector is intact on the node that now owns it, and writable', async () => {
    const [from, to] = [nodes[0]!, nodes[1]!];
    const before = new Map<string, TestServer>();
    for (const v of vectors) before.set(v.key, await ownerOf(v.key));
    await reshard(nodes, from, to, 2000);
    expect((await slotOwners(from)).reduce((n, [s, e, port]) => n + (port === from.port ? e - s + 1 : 0), 0)).toBe(
      5461 - 2000,
    );

    let movedCount = 0;
    for (const v of vectors) {
      const owner = await ownerOf(v.key);
      if (owner !== before.get(v.key)) {
        movedCount++;
        expect([before.get(v.key), owner], v.key).toEqual([from, to]);
        expect(
          await from.redis.call('EXISTS', v.key).catch((e: Error) => e.message),
          `${v.key} is gone from the old owner`,
        ).toMatch(/^MOVED /);
      }
      const count = v.bytes.length / ITEMSIZE[v.dtype];
      expect(await owner.redis.exists(v.key), `${v.key} on its owner`).toBe(1);
      expect(fs.readFileSync(path.join(owner.dir, v.file)).equals(v.bytes), `${v.key}: the owner's file`).toBe(true);
      const blob = await client.getBlob(v.key, v.dtype);
      expect(Buffer.from(blob!.buffer).equals(v.bytes), `${v.key}: values`).toBe(true);
      expect(await client.add(v.key, 7), v.key).toBe(1);
      expect(await client.range(v.key, -1, -1), v.key).toEqual([7]);
      expect(await client.count(v.key)).toBe(count + 1);
      expect(fs.statSync(path.join(owner.dir, v.file)).size).toBe((count + 1) * ITEMSIZE[v.dtype]);
      v.bytes = Buffer.concat([v.bytes, fileTail(owner, v)]);
    }
    expect(movedCount, 'the reshard moved the vectors of slots 0-1999').toBe(
      vectors.filter((v) => keySlot(v.key) < 2000).length,
    );
    expect(movedCount).toBeGreaterThanOrEqual(7);
    for (const node of nodes) expect(restoreTemps(node.dir), `temporary files on ${node.port}`).toEqual([]);
  });

  it("slots resharded back land on the node that still has the keys' old files: those are replaced by the current data", async () => {
    const [from, to] = [nodes[1]!, nodes[0]!];
    const back = vectors.filter((v) => keySlot(v.key) < 2000);
    // The old owner kept its files (DEL leaves files): one element short of the current data.
    for (const v of back)
      expect(fs.statSync(path.join(to.dir, v.file)).size, v.key).toBe(v.bytes.length - ITEMSIZE[v.dtype]);
    await reshard(nodes, from, to, 2000);
    for (const v of back) {
      expect(await ownerOf(v.key), v.key).toBe(to);
      expect(
        fs.readFileSync(path.join(to.dir, v.file)).equals(v.bytes),
        `${v.key}: the file now holds the current data`,
      ).toBe(true);
      const blob = await client.getBlob(v.key, v.dtype);
      expect(Buffer.from(blob!.buffer).equals(v.bytes), `${v.key}: values`).toBe(true);
      expect(await client.pop(v.key), v.key).toBe(7);
    }
    for (const node of nodes) expect(restoreTemps(node.dir), `temporary files on ${node.port}`).toEqual([]);
  });
});
