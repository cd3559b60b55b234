/** Runs `redis-benchmark -P <pipeline> -q --csv` (50 clients, its default) for one command and reads its requests/s. */

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const PIPELINE = 16;
/** Seconds one measured run should take. */
export const TARGET_SECONDS = process.env.BENCH_QUICK === '1' ? 0.3 : 1.5;

export async function redisBenchmark(
  port: number,
  requests: number,
  command: string[],
  pipeline = PIPELINE,
): Promise<number> {
  const args = [
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '-P',
    String(pipeline),
    '-n',
    String(requests),
    '-q',
    '--csv',
    ...command,
  ];
  const { stdout, stderr } = await run('redis-benchmark', args, { maxBuffer: 1 << 20 });
  // --csv prints a header row and then `"<command>","<rps>",...`; an error from the
  // server ("Error from server: ...") ends the run without that row.
  const row = stdout
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line.startsWith('"') && !line.startsWith('"test"'));
  const rps = row ? Number(JSON.parse(`[${row}]`)[1]) : Number.NaN;
  if (!Number.isFinite(rps) || rps <= 0 || /error/i.test(stdout + stderr)) {
    throw new Error(`redis-benchmark ${command.join(' ')} failed:\n${stdout}${stderr}`);
  }
  return rps;
}

/**
 * Requests for one run of about TARGET_SECONDS: a short probe run (a larger second one
 * if the first was too short to time), scaled.
 */
export async function calibrate(
  port: number,
  command: string[],
  reset?: () => Promise<void>,
  pipeline = PIPELINE,
): Promise<number> {
  let probe = 5_000;
  let rps = 0;
  for (let attempt = 0; attempt < 2; attempt++) {
    await reset?.();
    rps = await redisBenchmark(port, probe, command, pipeline);
    if (probe / rps >= 0.2) break;
    probe = Math.round(rps * 0.3);
  }
  const n = Math.round((rps * TARGET_SECONDS) / 1000) * 1000;
  return Math.min(20_000_000, Math.max(5_000, n));
}
