/** Renders bench/RESULTS.md from the suites' results. Nothing here is measured. */

import type { Environment, MmapIoProbe } from './env.js';
import type { Comparison, Measurement, OverviewRow, SuiteResult } from './types.js';

export interface ReportInput {
  env: Environment;
  mmapIo: MmapIoProbe;
  suites: SuiteResult[];
  seconds: number;
  loadAverages: { when: string; load: number[] }[];
}

/** NaN survives JSON as null: treat both as "no figure". */
const has = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x);

function thousands(x: number, digits = 0): string {
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function formatRate(m: Measurement): string {
  if (m.failed) return '—';
  if (has(m.mbPerSec)) return `${thousands(m.mbPerSec)} MB/s`;
  const ops = m.opsPerSec;
  if (!has(ops)) return '—';
  if (ops >= 1e6) return `${(ops / 1e6).toFixed(ops >= 1e8 ? 0 : 2)} M ops/s`;
  if (ops >= 1e3) return `${(ops / 1e3).toFixed(1)} k ops/s`;
  return `${ops.toFixed(1)} ops/s`;
}

function formatNs(m: Measurement): string {
  if (m.failed || !has(m.nsPerOp)) return '—';
  const ns = m.nsPerOp;
  return ns < 10 ? ns.toFixed(2) : ns < 1000 ? ns.toFixed(1) : thousands(ns);
}

function formatRatio(c: Comparison): string {
  if (!has(c.ratio)) return '—';
  const r = c.ratio;
  return `${r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(r < 0.1 ? 3 : 2)}×`;
}

function name(m: Measurement): string {
  const text = `\`${m.name}\``;
  return m.failed ? `${text} — **failed: ${m.failed.replace(/\|/g, '\\|')}**` : text;
}

function met(c: Comparison): string {
  if (!c.target) return '';
  return c.target.met ? 'met' : '**not met**';
}

function table(suite: SuiteResult): string[] {
  const rows = [
    '| Benchmark | mmvec | ops/s or MB/s | ns/op | Baseline | ops/s or MB/s | ns/op | Ratio | Target | Met? |',
    '|---|---|--:|--:|---|--:|--:|--:|---|---|',
  ];
  let lastGroup = '';
  for (const c of suite.comparisons) {
    const group = c.group === lastGroup ? '〃' : c.group;
    lastGroup = c.group;
    rows.push(
      `| ${group} | ${name(c.subject)} | ${formatRate(c.subject)} | ${formatNs(c.subject)} | ${name(c.baseline)} | ${formatRate(c.baseline)} | ${formatNs(c.baseline)} | ${formatRatio(c)} | ${c.target?.text ?? ''} | ${met(c)} |`,
    );
  }
  return rows;
}

/** Every contender as a ratio to the built-in, as the Redis issue's table has them. */
function overviewTable(rows: OverviewRow[]): string[] {
  const ratio = (m: Measurement, builtin: Measurement) =>
    m.failed || builtin.failed ? '—' : `${(m.opsPerSec / builtin.opsPerSec).toFixed(2)}×`;
  const cell = (m: Measurement | undefined, builtin: Measurement) => (m ? `\`${m.name}\` ${ratio(m, builtin)}` : '–');
  const out = [
    'Each contender as a ratio to the built-in command, all measured in this run on one server:',
    '',
    "| Work | Built-in | Plain C module (`ceiling.so`) | Seed's module | mmvec | Target | Met? |",
    '|---|---|---|---|---|---|---|',
  ];
  for (const row of rows) {
    const ceiling = row.ceiling.length ? row.ceiling.map((m) => cell(m, row.builtin)).join('; ') : '–';
    const builtin = `\`${row.builtin.name}\` ${formatRate(row.builtin)}`;
    const met = row.target ? (row.target.met ? 'met' : '**not met**') : '';
    out.push(
      `| ${row.work} | ${builtin} | ${ceiling} | ${cell(row.seed, row.builtin)} | ${cell(row.mmvec, row.builtin)} | ${row.target?.text ?? ''} | ${met} |`,
    );
  }
  const profile =
    'Instructions per command, counted by callgrind, and what they say bounds the targets not met: [PROFILE.md](PROFILE.md) (`npm run bench:profile`).';
  return [...out, '', profile, ''];
}

/** 475.1 M, 12.3 k, 950: for the runs table. */
function compact(x: number): string {
  if (x >= 1e6) return `${(x / 1e6).toFixed(x >= 1e8 ? 0 : 2)} M`;
  if (x >= 1e4) return `${(x / 1e3).toFixed(1)} k`;
  return thousands(x, x < 100 ? 1 : 0);
}

function runsTable(suite: SuiteResult, reported: string): string[] {
  const seen = new Set<string>();
  const measured = suite.comparisons
    .flatMap((c) => [c.subject, c.baseline])
    .filter((m) => m.runs?.length && !seen.has(m.name) && seen.add(m.name));
  if (!measured.length) return [];
  const rows = [`| Measurement | Runs, in order | ${reported} | Setting |`, '|---|---|--:|---|'];
  for (const m of measured) {
    const unit = has(m.mbPerSec) ? 'MB/s' : 'ops/s';
    const runs = m.runs!.map(compact).join(' · ');
    rows.push(
      `| \`${m.name}\` | ${runs} ${unit} | ${compact(has(m.mbPerSec) ? m.mbPerSec : m.opsPerSec)} ${unit} | ${m.note ?? ''} |`,
    );
  }
  return ['', 'Individual runs:', '', ...rows];
}

export function renderReport(input: ReportInput): string {
  const { env, mmapIo, suites } = input;
  const versions = Object.entries(env.versions)
    .map(([k, v]) => `${k} ${v}`)
    .join(' · ');
  const out: string[] = [
    '# mmvec benchmark results',
    '',
    `- **Machine:** ${env.cpu} · ${env.cores} cores · ${env.memoryGiB.toFixed(1)} GiB RAM · ${env.platform}, kernel ${env.kernel}`,
    `- **Date:** ${env.date}`,
    `- **Versions:** ${versions} · git ${env.git}`,
    '- **Command:** `npm run bench` (runs `npm run build`, compiles `bench/` with `tsconfig.bench.json` into `.bench-build/`, runs the suites, and rewrites this file)',
    '',
    `Generated from the run by \`bench/report.ts\`; do not edit by hand. Probe and suites took ${input.seconds.toFixed(0)} s (${suites
      .map((s) => `${s.title.split(' — ')[0]}: ${s.seconds.toFixed(0)} s`)
      .join(', ')}; the build before them is not counted). Load average (1/5/15 min): ${input.loadAverages
      .map((l) => `${l.when} ${l.load.map((x) => x.toFixed(2)).join('/')}`)
      .join(', ')}.`,
    '',
    '**Ratio** = mmvec speed ÷ baseline speed (ops/s, or MB/s for byte streams): above 1 means mmvec is faster. Targets are from DESIGN.md "Performance targets"; "> 1× (ahead)" is DESIGN.md\'s "all ahead of mmap-io, lmdb and fs.readSync doing the same work".',
    '',
    '## Targets',
    '',
    '| Suite | Benchmark | Subject vs baseline | Figure | Target | Met? |',
    '|---|---|---|--:|---|---|',
  ];
  for (const suite of suites) {
    for (const c of suite.comparisons) {
      if (!c.target) continue;
      const absolute = c.target.text.includes('ns/op') || c.target.text.includes('MB/s');
      const figure = c.subject.failed
        ? 'failed'
        : absolute
          ? c.target.text.includes('ns/op')
            ? `${formatNs(c.subject)} ns/op`
            : formatRate(c.subject)
          : formatRatio(c);
      out.push(
        `| ${suite.title.split(' — ')[0]} | ${c.group} | \`${c.subject.name}\` vs \`${c.baseline.name}\` | ${figure} | ${c.target.text} | ${met(c)} |`,
      );
    }
  }
  for (const suite of suites) {
    out.push(
      '',
      `## ${suite.title}`,
      '',
      ...(suite.overview ? overviewTable(suite.overview) : []),
      ...(suite.comparisons.length > 0 ? table(suite) : []),
      ...(suite.lines ?? []),
      ...runsTable(suite, suite.suite === 'redis' ? 'Median' : 'Best'),
      '',
      'Notes:',
      '',
      ...suite.notes.map((n) => `- ${n}`),
    );
  }
  out.push('', '## mmap-io', '');
  if (mmapIo.ok) {
    out.push(
      `\`npm install --no-save mmap-io\` in a temp dir installed ${mmapIo.tried} on node ${env.versions.node} (${mmapIo.seconds.toFixed(0)} s). It is not benchmarked here.`,
    );
  } else {
    out.push(
      `\`npm install --no-save mmap-io\` in a temp dir (${mmapIo.tried}, node ${env.versions.node}) **failed** (exit ${mmapIo.exitCode ?? 'none'}, ${mmapIo.seconds.toFixed(0)} s), so it has no row above. First error line:`,
      '',
      '```',
      mmapIo.firstError ?? '',
      '```',
    );
    if (mmapIo.hint) out.push('', `Cause, from the same output: ${mmapIo.hint}.`);
  }
  out.push(
    '',
    '## Caveats',
    '',
    `- ${env.cores} cores: redis-benchmark and redis-server share them (the Node client too, for blobs), and in-process figures can be disturbed by anything else running (see the load averages above; other builds may run on this machine). Absolute figures move between runs; ratios from the same run are the comparison that matters.`,
    '- In-process figures are tinybench samples of batched loops (thousands of operations per sample for the fast ones). A round measures the mean time per operation over the whole round, so amortized costs (file growth, GC of returned arrays) are included; subject and baselines alternate round by round, and each figure is the best round, since other load only ever adds time (all rounds are in the "Individual runs" table). Redis figures are medians of runs.',
    '- Sub-nanosecond differences between `view()[i]` and `Float64Array[i]` are within noise: both compile to the same typed-array load.',
    '- The in-process loops run synchronously (tinybench runSync), so native finalizers that Node defers to the next event-loop turn (those of the ArrayBuffers `getMany` returns) run after the timed region; the memory note under Suite 1 shows how much such copies hold meanwhile.',
    '- fs.readSync / fs.writeSync / lmdb read and write the page cache; nothing measured here reaches the disk except what the kernel (and, in Redis, mmvec.fsync everysec) writes back in the background.',
  );
  return `${out.join('\n')}\n`;
}
