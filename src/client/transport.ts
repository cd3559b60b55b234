/**
 * How `MmvecClient` sends one command over each client library it supports. The
 * connection types are the few methods the client calls, written out here rather than
 * imported, so neither library is needed to load or to typecheck this package; ioredis
 * `Redis`/`Cluster` and node-redis `createClient()`/`createCluster()` values fit them.
 */

import { type CodedError, invalidArgType } from '../errors.js';
import type { Arg } from './commands.js';

/** An ioredis `Redis` or `Cluster`. */
export interface IoredisConnection {
  call(command: string, ...args: Arg[]): Promise<unknown>;
  callBuffer(command: string, ...args: Arg[]): Promise<unknown>;
}

/** The options node-redis takes with a command: only `typeMapping` is used here. */
export interface NodeRedisCommandOptions {
  typeMapping?: Record<number, unknown>;
}

/** A node-redis client, from `createClient()` (connected). */
export interface NodeRedisClientConnection {
  sendCommand(args: readonly Arg[], options?: NodeRedisCommandOptions): Promise<unknown>;
}

/** A node-redis cluster, from `createCluster()` (connected). */
export interface NodeRedisClusterConnection {
  sendCommand(
    firstKey: Arg | undefined,
    isReadonly: boolean | undefined,
    args: readonly Arg[],
    options?: NodeRedisCommandOptions,
  ): Promise<unknown>;
  getSlotRandomNode(slot: number): unknown;
}

export type RedisConnection = IoredisConnection | NodeRedisClientConnection | NodeRedisClusterConnection;

export interface Transport {
  /** Sends `name key ...args`; a `binary` reply's bulk string comes back as a `Buffer`. */
  send(name: string, key: string, args: Arg[], flags: { readonly: boolean; binary: boolean }): Promise<unknown>;
}

/** node-redis returns a bulk string (RESP type byte `$`, 36) as a `Buffer` with this. */
const BUFFER_REPLIES: NodeRedisCommandOptions = { typeMapping: { 36: Buffer } };

function isIoredis(connection: RedisConnection): connection is IoredisConnection {
  return typeof (connection as Partial<IoredisConnection>).callBuffer === 'function';
}

function isNodeRedisCluster(connection: RedisConnection): connection is NodeRedisClusterConnection {
  return typeof (connection as Partial<NodeRedisClusterConnection>).getSlotRandomNode === 'function';
}

function isNodeRedisClient(connection: RedisConnection): connection is NodeRedisClientConnection {
  return typeof (connection as Partial<NodeRedisClientConnection>).sendCommand === 'function';
}

/** The transport for `connection`, told apart by the methods each library has (checked in this order). */
export function transportFor(connection: RedisConnection): Transport {
  if (connection === null || typeof connection !== 'object') throw invalidConnection(connection);
  if (isIoredis(connection)) {
    return {
      send: (name, key, args, { binary }) =>
        binary ? connection.callBuffer(name, key, ...args) : connection.call(name, key, ...args),
    };
  }
  if (isNodeRedisCluster(connection)) {
    // The cluster routes by the key it is given: every mmvec command names its key first.
    return {
      send: (name, key, args, { readonly, binary }) =>
        connection.sendCommand(key, readonly, [name, key, ...args], binary ? BUFFER_REPLIES : undefined),
    };
  }
  if (isNodeRedisClient(connection)) {
    return {
      send: (name, key, args, { binary }) =>
        connection.sendCommand([name, key, ...args], binary ? BUFFER_REPLIES : undefined),
    };
  }
  throw invalidConnection(connection);
}

function invalidConnection(connection: unknown): TypeError & CodedError {
  return invalidArgType('redis', 'an ioredis Redis or Cluster, or a node-redis client or cluster', connection);
}
