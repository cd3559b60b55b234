/**
 * `MmvecClient`s over each client library it supports, to a single server or to a
 * cluster, so one suite runs over all of them.
 */

import { Cluster, Redis } from 'ioredis';
import { RESP_TYPES, createClient, createCluster } from 'redis';
import { MmvecClient } from '../..';

/** node-redis speaks RESP3 unless told otherwise; RESP2 is its other protocol. */
export type Library = 'ioredis' | 'node-redis' | 'node-redis RESP2';
export const LIBRARIES: Library[] = ['ioredis', 'node-redis', 'node-redis RESP2'];

const protocolOf = (library: Library) => (library === 'node-redis RESP2' ? 2 : 3);

export interface Connected {
  client: MmvecClient;
  /** node-redis only: the same connection decoding text, numbers and doubles its own way. */
  remapped?: MmvecClient;
  close(): Promise<void>;
}

/** A user's mapping that changes every scalar reply type the mmvec commands return. */
const OWN_TYPE_MAPPING = {
  [RESP_TYPES.BLOB_STRING]: Buffer,
  [RESP_TYPES.SIMPLE_STRING]: Buffer,
  [RESP_TYPES.NUMBER]: String,
  [RESP_TYPES.DOUBLE]: String,
} as const;

/** A new connection of `library` to the server on `port`. */
export async function connectServer(library: Library, port: number): Promise<Connected> {
  if (library === 'ioredis') {
    const redis = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
    return { client: new MmvecClient(redis), close: async () => redis.disconnect() };
  }
  const redis = createClient({ socket: { port, host: '127.0.0.1' }, RESP: protocolOf(library) });
  await redis.connect();
  return {
    client: new MmvecClient(redis),
    remapped: new MmvecClient(redis.withTypeMapping(OWN_TYPE_MAPPING)),
    close: () => redis.close(),
  };
}

/** A new cluster connection of `library`, discovering the cluster from the node on `port`. */
export async function connectCluster(library: Library, port: number): Promise<Connected> {
  if (library === 'ioredis') {
    const cluster = new Cluster([{ host: '127.0.0.1', port }], {
      redisOptions: { maxRetriesPerRequest: 3 },
      slotsRefreshTimeout: 5000,
    });
    return { client: new MmvecClient(cluster), close: async () => cluster.disconnect() };
  }
  const cluster = createCluster({
    rootNodes: [{ socket: { port, host: '127.0.0.1' } }],
    RESP: protocolOf(library),
  });
  await cluster.connect();
  return {
    client: new MmvecClient(cluster),
    remapped: new MmvecClient(cluster.withTypeMapping(OWN_TYPE_MAPPING)),
    close: () => cluster.close(),
  };
}
