/**
 * A shrink held for a BGSAVE child is completed even when SHUTDOWN kills the child
 * (Redis fires no child-died event then): nothing popped comes back after a restart.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServer } from '../helpers/redis';

describe('SHUTDOWN during a BGSAVE', () => {
  it('completes held shrinks, so removed elements stay removed after a restart', async () => {
    const server = await startServer();
    const file = path.join(server.dir, 'temps.f64');
    expect(await server.redis.call('MMVEC.OPEN', 'temps', 'temps.f64')).toBe(0);
    expect(await server.redis.call('MMVEC.ADD', 'temps', '21', '22.25', '23', '24')).toBe(4);
    await server.redis.call('CONFIG', 'SET', 'rdb-key-save-delay', '5000000');
    expect(await server.redis.call('BGSAVE')).toBe('Background saving started');
    expect(await server.redis.call('MMVEC.CLEAR', 'temps')).toBe(4);
    expect(fs.statSync(file).size).toBe(32); // the child may still read these pages
    await server.redis.call('CONFIG', 'SET', 'rdb-key-save-delay', '0');
    const restarted = await server.restart();
    try {
      expect(fs.statSync(file).size).toBe(0);
      expect(await restarted.redis.call('MMVEC.COUNT', 'temps')).toBe(0);
    } finally {
      await restarted.stop();
    }
  });
});
