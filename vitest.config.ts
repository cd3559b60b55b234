import { defineConfig } from 'vitest/config';
import { discoverServers } from './test/helpers/servers';

/** The suites that talk to a server: they run once per server found. */
const SERVER_SUITES = ['test/redis/**/*.test.ts', 'test/distributed/**/*.test.ts', 'test/**/*.redis.test.ts'];

const { found, missing } = discoverServers();
if (missing.length > 0) {
  // In CI every pinned server must run; locally an absent one is said once and left out.
  if (process.env.CI) throw new Error(`vitest.config.ts: ${missing.join('; ')}`);
  for (const line of missing) console.warn(`mmvec: not testing on it: ${line}`);
}

export default defineConfig({
  test: {
    // Native addons and file locks: one process per file, files run one at a time
    // so the Redis suites do not compete for the machine's two cores.
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'node', include: ['test/**/*.test.ts'], exclude: SERVER_SUITES } },
      ...found.map((server) => ({
        extends: true as const,
        test: { name: server.label, include: SERVER_SUITES, env: { MMVEC_REDIS_SERVER: server.binary } },
      })),
    ],
  },
});
