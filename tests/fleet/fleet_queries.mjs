// Runs the DuckDB set-up and every worked query of docs/fleet.md, as the doc writes them, over a
// store that make_fleet wrote, and compares each answer with the one computed here from
// make_fleet's truth (what it planned, not what it archived). A query in the doc without an
// expectation here, or an expectation without its query, fails: the doc and the test cannot drift.
//   node fleet_queries.mjs docs/fleet.md STORE TRUTH.jsonl
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [docPath, store, truthPath] = process.argv.slice(2);
const doc = readFileSync(docPath, 'utf8');
const truth = readFileSync(truthPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

// <!-- fleet-test: setup | query NAME --> followed by a ```sql block.
const blocks = [...doc.matchAll(/<!-- fleet-test: (setup|query ([a-z_]+)) -->\n```sql\n([\s\S]*?)```/g)].map((m) => ({
  kind: m[1] === 'setup' ? 'setup' : 'query', name: m[2], sql: m[3].replaceAll('s3://BUCKET/PREFIX', store),
}));

// --- expectations from the truth ---------------------------------------------------------
const today = new Date().toISOString().slice(0, 10);
const daysAgo = (n) => new Date(Date.parse(today) - n * 86400e3).toISOString().slice(0, 10);
const cmp = (...keys) => (a, b) => {
  for (const [k, dir] of keys) {
    const x = a[k], y = b[k];
    if (x < y) return dir === 'desc' ? 1 : -1;
    if (x > y) return dir === 'desc' ? -1 : 1;
  }
  return 0;
};
const groupBy = (rows, keyOf, init, add) => {
  const m = new Map();
  for (const r of rows) {
    const k = keyOf(r);
    if (!m.has(k)) m.set(k, init(r));
    add(m.get(k), r);
  }
  return [...m.values()];
};
const verdict = (j) => (!j.complete ? 'incomplete' : j.lost_total > 0 ? 'lost_events' : 'ok');
const destRows = truth.flatMap((j) => j.destinations.map((d) => ({ ...j, d })));
const findingRows = truth.flatMap((j) => j.findings.map((f) => ({ ...j, f })));
const strip = (rows, keys) => rows.map((r) => Object.fromEntries(keys.map((k) => [k, r[k]])));

const expected = {
  destinations_by_repository: () => strip(groupBy(destRows.filter((r) => r.dt >= daysAgo(30)),
    (r) => r.repository + '|' + r.d.name,
    (r) => ({ repository: r.repository, destination: r.d.name, jobs: new Set(), bytes_sent: 0, bytes_received: 0 }),
    (g, r) => { g.jobs.add(r.archive_id); g.bytes_sent += r.d.bytes_sent; g.bytes_received += r.d.bytes_received; })
    .map((g) => ({ ...g, jobs: g.jobs.size }))
    .sort(cmp(['repository'], ['bytes_received', 'desc'], ['destination'])),
  ['repository', 'destination', 'jobs', 'bytes_sent', 'bytes_received']),

  curl_insecure_by_workflow: () => strip(groupBy(truth.filter((j) => j.curl_k > 0),
    (j) => j.repository + '|' + j.workflow,
    (j) => ({ repository: j.repository, workflow: j.workflow, insecure_curls: 0, jobs: 0 }),
    (g, j) => { g.insecure_curls += j.curl_k; g.jobs += 1; })
    .sort(cmp(['repository'], ['workflow'])), ['repository', 'workflow', 'insecure_curls', 'jobs']),

  new_egress_this_week: () => strip(groupBy(destRows.filter((r) => r.dt >= daysAgo(36)),
    (r) => r.repository + '|' + r.d.name,
    (r) => ({ repository: r.repository, destination: r.d.name, first_seen: r.dt, jobs: new Set() }),
    (g, r) => { g.jobs.add(r.archive_id); if (r.dt < g.first_seen) g.first_seen = r.dt; })
    .filter((g) => g.first_seen >= daysAgo(6))
    .map((g) => ({ ...g, jobs: g.jobs.size }))
    .sort(cmp(['repository'], ['destination'])), ['repository', 'destination', 'first_seen', 'jobs']),

  findings_per_severity_per_repository: () => strip(groupBy(findingRows,
    (r) => r.repository + '|' + r.f.severity,
    (r) => ({ repository: r.repository, severity: r.f.severity, findings: 0, jobs: new Set() }),
    (g, r) => { g.findings += r.f.count; g.jobs.add(r.archive_id); })
    .map((g) => ({ ...g, jobs: g.jobs.size }))
    .sort(cmp(['repository'], ['severity'])), ['repository', 'severity', 'findings', 'jobs']),

  longest_jobs: () => strip([...truth].sort(cmp(['duration_s', 'desc'])).slice(0, 10),
    ['repository', 'workflow', 'job', 'run_id', 'duration_s']),

  jobs_with_losses: () => strip(truth.filter((j) => j.lost_total > 0).map((j) => ({ ...j, verdict: verdict(j) }))
    .sort(cmp(['lost_total', 'desc'], ['run_id'])), ['repository', 'run_id', 'job', 'lost_total', 'verdict']),

  verdicts_per_repository: () => strip(groupBy(truth, (j) => j.repository + '|' + verdict(j),
    (j) => ({ repository: j.repository, verdict: verdict(j), jobs: 0 }), (g) => { g.jobs += 1; })
    .sort(cmp(['repository'], ['verdict'])), ['repository', 'verdict', 'jobs']),

  runs_that_contacted_pastebin: () => strip(groupBy(
    destRows.filter((r) => r.d.name === 'pastebin.com' && r.dt >= daysAgo(31)),
    (r) => [r.repository, r.workflow, r.run_id, r.job].join('|'), (r) => ({ ...r }), () => {})
    .sort(cmp(['repository'], ['run_id'])), ['repository', 'workflow', 'run_id', 'job']),

  top_rules_this_week: () => strip(groupBy(findingRows.filter((r) => r.dt >= daysAgo(6)),
    (r) => r.f.rule + '|' + r.f.severity,
    (r) => ({ rule: r.f.rule, severity: r.f.severity, findings: 0, repositories: new Set() }),
    (g, r) => { g.findings += r.f.count; g.repositories.add(r.repository); })
    .map((g) => ({ ...g, repositories: g.repositories.size }))
    .sort(cmp(['findings', 'desc'], ['rule'])), ['rule', 'severity', 'findings', 'repositories']),

  busiest_binaries_per_repository: () => strip(groupBy(
    truth.flatMap((j) => Object.entries(j.binaries).map(([binary, execs]) => ({ ...j, binary, execs }))),
    (r) => r.repository + '|' + r.binary,
    (r) => ({ repository: r.repository, binary: r.binary, execs: 0, jobs: 0 }),
    (g, r) => { g.execs += r.execs; g.jobs += 1; })
    .sort(cmp(['repository'], ['execs', 'desc'], ['binary'])), ['repository', 'binary', 'execs', 'jobs']),
};

// --- run and compare ---------------------------------------------------------------------
// DuckDB's JSON form gives big integers as strings; numbers compare with a small tolerance.
const same = (a, b) => {
  if (a === b) return true;
  const x = Number(a), y = Number(b);
  return a !== null && b !== null && a !== '' && !Number.isNaN(x) && !Number.isNaN(y) && Math.abs(x - y) < 1e-6;
};
const failures = [];
const db = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false' });
const con = await db.connect();
const setups = blocks.filter((b) => b.kind === 'setup');
if (setups.length !== 1) failures.push(`docs/fleet.md has ${setups.length} set-up blocks, want 1`);
for (const s of setups) await con.run(s.sql);
const queries = blocks.filter((b) => b.kind === 'query');
if (queries.length < 10) failures.push(`docs/fleet.md has ${queries.length} worked queries, want at least 10`);
for (const name of Object.keys(expected))
  if (!queries.some((q) => q.name === name)) failures.push(`${name}: expected here, not in docs/fleet.md`);
// FLEET_ONLY_JOBS=1: a store of summary rows only (the benchmark's): skip what reads the events.
const onlyJobs = process.env.FLEET_ONLY_JOBS === '1';
for (const q of queries) {
  if (!expected[q.name]) { failures.push(`${q.name}: in docs/fleet.md, no expectation in this test`); continue; }
  if (onlyJobs && /\bFROM events\b/.test(q.sql)) { console.log(`skip ${q.name}: reads the events table`); continue; }
  const want = expected[q.name]();
  const times = [];
  let got;
  for (let round = 0; round < (Number(process.env.FLEET_ROUNDS) || 1); ++round) {
    const t0 = performance.now();
    try {
      got = (await con.runAndReadAll(q.sql)).getRowObjectsJson();
    } catch (e) {
      got = [];
      console.log(`  ${q.name}: ${e.message}`);
    }
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  const keys = want.length ? Object.keys(want[0]) : [];
  let ok = got.length === want.length && want.length > 0;
  for (let i = 0; ok && i < want.length; ++i)
    for (const k of keys) if (!same(got[i][k], want[i][k])) { ok = false; break; }
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${q.name}: ${got.length} rows, ${median.toFixed(1)} ms` +
    (times.length > 1 ? ` (median of ${times.length})` : ''));
  if (!ok) {
    failures.push(q.name);
    console.log('  want (first 5):', JSON.stringify(want.slice(0, 5)));
    console.log('  got  (first 5):', JSON.stringify(got.slice(0, 5)));
  }
}
if (failures.length) {
  console.log(`\n${failures.length} check(s) failed:\n  ` + failures.join('\n  '));
  process.exit(1);
}
console.log(`all ${queries.length} queries of docs/fleet.md answered as planned over ${truth.length} jobs`);
