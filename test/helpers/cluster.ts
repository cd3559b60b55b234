/**
 * A 3-primary Redis Cluster on loopback, each node a `startServer` with its own --dir and
 * `mmvec.snapshot data`, created by `redis-cli --cluster create` with slots
 * 0-5460, 5461-10922 and 10923-16383.
 */

import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { type TestServer, freePort, infoField, startServer, waitFor } from './redis';

const run = promisify(execFile);

export async function redisCli(...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', args, { timeout: 45_000, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** Starts three nodes and makes them one cluster with every slot covered. */
export async function startCluster(): Promise<TestServer[]> {
  const nodes: TestServer[] = [];
  for (let i = 0; i < 3; i++) {
    const port = await freeClusterPort();
    nodes.push(
      await startServer({
        port,
        args: [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          'nodes.conf',
          '--cluster-node-timeout',
          '5000',
          '--appendonly',
          'no',
          '--mmvec.snapshot',
          'data',
        ],
      }),
    );
  }
  const out = await redisCli(
    '--cluster',
    'create',
    ...nodes.map((n) => `127.0.0.1:${n.port}`),
    '--cluster-replicas',
    '0',
    '--cluster-yes',
  );
  expect(out).toContain('[OK] All 16384 slots covered');
  await clusterSettled(nodes);
  return nodes;
}

export async function stopCluster(nodes: readonly TestServer[]): Promise<void> {
  for (const node of nodes) {
    await node.stop('nosave');
    fs.rmSync(node.dir, { recursive: true, force: true });
  }
}

/** Moves `slots` hash slots from `from` to `to` with `redis-cli --cluster reshard`, and
 * waits until every node of `nodes` agrees on the new owners. */
export async function reshard(
  nodes: readonly TestServer[],
  from: TestServer,
  to: TestServer,
  slots: number,
): Promise<void> {
  const fromId = (await from.redis.call('CLUSTER', 'MYID')) as string;
  const toId = (await to.redis.call('CLUSTER', 'MYID')) as string;
  await redisCli(
    '--cluster',
    'reshard',
    `127.0.0.1:${from.port}`,
    '--cluster-from',
    fromId,
    '--cluster-to',
    toId,
    '--cluster-slots',
    String(slots),
    '--cluster-yes',
  );
  await clusterSettled(nodes);
}

/** Every node says cluster_state:ok and the slot map is the same everywhere. */
export async function clusterSettled(nodes: readonly TestServer[]): Promise<void> {
  await waitFor(
    'cluster_state:ok on every node',
    async () => {
      for (const node of nodes) {
        const info = (await node.redis.call('CLUSTER', 'INFO')) as string;
        if (infoField(info, 'cluster_state') !== 'ok' || infoField(info, 'cluster_slots_ok') !== '16384') return false;
      }
      const maps = await Promise.all(nodes.map(async (node) => JSON.stringify(await slotOwners(node))));
      return maps.every((m) => m === maps[0]);
    },
    30_000,
  );
}

/** [start, end, port] of each slot range, as `node` sees the cluster. */
export async function slotOwners(node: TestServer): Promise<[number, number, number][]> {
  const slots = (await node.redis.call('CLUSTER', 'SLOTS')) as [number, number, [string, number, string]][];
  return slots
    .map(([start, end, [, port]]) => [start, end, port] as [number, number, number])
    .sort((x, y) => x[0] - y[0]);
}

/** A free loopback port whose cluster bus port (port + 10000) is free too. */
export async function freeClusterPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port + 10000 <= 65535 && (await canListen(port + 10000))) return port;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The node that owns `key`'s slot, as the first node sees the cluster. */
export async function ownerOf(nodes: readonly TestServer[], key: string): Promise<TestServer> {
  const slot = (await nodes[0]!.redis.call('CLUSTER', 'KEYSLOT', key)) as number;
  const range = (await slotOwners(nodes[0]!)).find(([start, end]) => start <= slot && slot <= end);
  const node = nodes.find((n) => n.port === range?.[2]);
  if (!node) throw new Error(`no owner for ${key} (slot ${slot})`);
  return node;
}
