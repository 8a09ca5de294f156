// The report page's inline stylesheet and script. Hand-written, no framework: the page must
// work offline, attached to a ticket. Every piece of trail data is put into the DOM with
// textContent or setAttribute (never innerHTML): argv is attacker-controlled.
#include "cli/report_html.hpp"

namespace jobtrail::cli {

const char* const report_css = R"CSS(
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1b1f24;background:#fafafa}
header{background:#24292f;color:#fff;padding:12px 20px}
header h1{margin:0;font-size:20px}
#subtitle{opacity:.8;font-size:13px}
nav{padding:6px 20px;background:#eaeef2;position:sticky;top:0;z-index:2}
nav a{margin-right:12px;color:#0550ae;text-decoration:none}
main{padding:0 20px 40px}
section{margin-top:18px}
h2{font-size:17px;border-bottom:1px solid #d0d7de;padding-bottom:3px}
table{border-collapse:collapse;font-size:13px}
td,th{border:1px solid #d0d7de;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f0f3f6}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.banner{margin-top:6px;padding:4px 8px;border-radius:4px;background:#bf8700;color:#fff}
.banner.bad{background:#cf222e}
.sev-critical,.sev-high{color:#cf222e;font-weight:bold}
.sev-medium{color:#bf8700;font-weight:bold}
.tree{list-style:none;padding-left:0;font-family:ui-monospace,monospace;font-size:12.5px}
.tree ul{list-style:none;padding-left:18px;margin:0}
.tree li.collapsed>ul{display:none}
.tree li.hidden{display:none}
.toggle{display:inline-block;width:16px;cursor:pointer;border:0;background:none;padding:0;font:inherit}
.row.hit{background:#fff8c5}
.bin{font-weight:bold}
.step{display:inline-block;margin-right:6px;padding:0 4px;border-radius:3px;background:#ddf4ff;color:#0550ae;font-size:11px}
.exit-bad{color:#cf222e}
.muted{color:#57606a}
.tl{position:relative;border-left:1px solid #d0d7de;border-right:1px solid #d0d7de;background:#fff}
.tl-row{position:relative;height:16px;border-bottom:1px solid #f0f3f6}
.tl-label{position:absolute;left:0;width:200px;overflow:hidden;white-space:nowrap;font-size:11px;font-family:ui-monospace,monospace}
.tl-area{position:absolute;left:205px;right:0;top:0;bottom:0}
.tl-bar{position:absolute;top:3px;height:10px;min-width:2px;background:#54aeff;border-radius:2px}
.tl-bar.bad{background:#ff8182}
.tl-net{position:absolute;top:2px;width:3px;height:12px;background:#8250df}
.controls{margin-bottom:6px}
#glance{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:14px}
.glance-col{background:#fff;border:1px solid #d0d7de;border-radius:6px;padding:0 10px 8px;min-width:0}
.glance-col h2{margin:8px 0 6px}
.glance-list{list-style:none;padding:0;margin:0;font-size:12.5px}
.glance-list li{padding:2px 0;border-bottom:1px solid #f0f3f6;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.glance-ran li{font-family:ui-monospace,monospace;cursor:pointer;display:flex}
.glance-ran li>span{flex:none}
.glance-ran li>span.args{flex:0 1 auto;min-width:0;overflow:hidden;text-overflow:ellipsis;white-space:pre}
.glance-ran li>span.gl-exit{margin-left:auto;padding-left:8px}
.glance-ran li.failed{background:#ffebe9}
.glance-more{font-size:12px}
a.jump{margin-left:6px;color:#0550ae;cursor:pointer;font-size:12px}
.evidence{outline:2px solid #cf222e;background:#ffebe9}
.tl-net.evidence{background:#cf222e}
#tree-search{width:320px}
)CSS";

const char* const report_js = R"JS(
'use strict';
(function () {
  const data = JSON.parse(document.getElementById('jobtrail-data').textContent);
  const S = data.summary || {}, M = data.model || {};
  const procs = M.processes || [], conns = M.connections || [];
  const $ = (id) => document.getElementById(id);
  // Trail text in the escaped form of the terminal outputs (trail/text/terminal_text.hpp):
  // textContent keeps markup out, but control characters and bidi overrides in argv or a path
  // would still hide or reorder what the reader sees.
  const hidden = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\\]/g;
  const named = {'\\': '\\\\', '\u001b': '\\e', '\t': '\\t', '\n': '\\n', '\r': '\\r'};
  function visible(s) {
    return String(s).replace(hidden, (c) => {
      if (named[c]) return named[c];
      const n = c.charCodeAt(0);
      if (n < 0x20 || n === 0x7f) return '\\x' + n.toString(16).padStart(2, '0');
      return '\\u{' + n.toString(16).padStart(4, '0') + '}';
    });
  }
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = visible(text);
    return e;
  }
  function table(parent, headers, rows, numeric) {
    if (!rows.length) { parent.appendChild(el('p', 'muted', 'none')); return; }
    const t = el('table'), hr = el('tr');
    headers.forEach((h) => hr.appendChild(el('th', null, h)));
    t.appendChild(hr);
    rows.forEach((r) => {
      const tr = el('tr');
      r.forEach((c, i) => tr.appendChild(el('td', numeric && numeric[i] ? 'num' : null, c)));
      t.appendChild(tr);
    });
    parent.appendChild(t);
  }
  const str = (v) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));
  const ns = (t) => { const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(t || ''); if (!m) return NaN;
    return Date.parse(m[1] + 'Z') * 1e6 + Number(((m[2] || '') + '000000000').slice(0, 9)); };

  // Header and banners.
  const id = S.identity || {};
  const repo = id.repository || id.GITHUB_REPOSITORY || '';
  const run = id.run_id || id.GITHUB_RUN_ID || '', job = id.job || id.GITHUB_JOB || '';
  $('title').textContent = visible('jobtrail report' + (repo ? ': ' + repo : '') + (run ? ' run ' + run : '') + (job ? ' job ' + job : ''));
  $('subtitle').textContent = visible(data.source + ' \u00b7 ' + (S.start || '?') + ' \u2192 ' + (S.end || '?') + ' \u00b7 ' + data.generator);
  const banners = $('banners');
  const arch = S.archive || {};
  if (!arch.complete) banners.appendChild(el('div', 'banner bad', 'INCOMPLETE archive: ' + (arch.incomplete_reason || 'no manifest')));
  if (S.lost_total) banners.appendChild(el('div', 'banner', S.lost_total + ' events were lost by the tracer (see Losses)'));
  if ((M.elided || {}).processes || (M.elided || {}).connections)
    banners.appendChild(el('div', 'banner', 'Large archive: the report shows the first ' + procs.length + ' processes and ' +
      conns.length + ' connections; ' + (M.elided.processes || 0) + ' processes and ' + (M.elided.connections || 0) +
      ' connections were left out (jobtrail show has them all)'));
  (M.problems || []).forEach((p) => banners.appendChild(el('div', 'banner bad', 'Damaged archive: ' + p)));

  // Summary.
  const sb = $('summary-body');
  const idRows = Object.keys(id).map((k) => [k, str(id[k])]);
  const pod = (S.pod || {}).pod || {};
  if (pod.name) idRows.push(['pod', (pod.namespace || '') + '/' + pod.name]);
  idRows.push(['duration', (S.duration_s || 0).toFixed(3) + ' s'], ['events', str(S.events)],
    ['execs', str((S.processes || {}).execs)], ['failed processes', str((S.processes || {}).failed)],
    ['findings', str(S.findings_total)], ['lost events', str(S.lost_total)]);
  table(sb, ['field', 'value'], idRows);
  sb.appendChild(el('h3', null, 'Events by type'));
  table(sb, ['type', 'count'], Object.keys(S.counts || {}).map((k) => [k, S.counts[k]]), [false, true]);
  sb.appendChild(el('h3', null, 'Top binaries'));
  table(sb, ['binary', 'execs'], (S.top_binaries || []).map((b) => [b.binary, b.execs]), [false, true]);

  // Findings (their evidence links are added once the tree and the timeline exist).
  const findingRows = [];
  const fb = $('findings-body');
  if (!(S.findings || []).length) fb.appendChild(el('p', 'muted', 'no findings'));
  else {
    const t = el('table'), hr = el('tr');
    ['severity', 'id', 'title', 'time', 'binary', 'exec ids', 'evidence (seq)'].forEach((h) => hr.appendChild(el('th', null, h)));
    t.appendChild(hr);
    S.findings.forEach((f) => {
      const tr = el('tr');
      tr.appendChild(el('td', 'sev-' + String(f.severity).replace(/[^a-z]/g, ''), f.severity));
      [f.id, f.title, f.time, f.binary, (f.exec_ids || []).join(', '), str(f.evidence)].forEach((c) => tr.appendChild(el('td', null, c)));
      findingRows.push([tr.lastChild, f]);
      t.appendChild(tr);
    });
    fb.appendChild(t);
  }

  // Process tree: children lists, collapsed below the roots; search shows matches and their ancestors.
  const kids = procs.map(() => []), roots = [];
  procs.forEach((p, i) => (p.parent >= 0 && p.parent < procs.length ? kids[p.parent].push(i) : roots.push(i)));
  const text = procs.map((p) => [p.binary, (p.args || []).join(' '), 'pid ' + p.pid, 'exec ' + p.exec_id].join(' ').toLowerCase());
  const items = new Array(procs.length);
  function label(p) {
    const row = el('span', 'row');
    if (p.step) row.appendChild(el('span', 'step', 'step ' + p.step));
    row.appendChild(el('span', 'bin', p.binary || '?'));
    const args = (p.args || []).slice(1).join(' ');
    if (args) row.appendChild(el('span', null, ' ' + args + (p.args_truncated ? ' \u2026(truncated)' : '')));
    const exit = p.signal ? 'killed SIG' + p.signal : p.exit_code === null || p.exit_code === undefined ? 'no exit seen' : 'exit ' + p.exit_code;
    row.appendChild(el('span', p.signal || p.exit_code ? 'exit-bad' : 'muted', '  [pid ' + p.pid + '] ' + exit));
    row.setAttribute('title', visible('exec ' + p.exec_id + ' \u00b7 cwd ' + (p.cwd || '?') + ' \u00b7 ' + (p.start || '') + ' \u2192 ' + (p.end || '')));
    return row;
  }
  function build(i, parentUl) {
    const li = el('li', kids[i].length ? 'collapsed' : null);
    const btn = el('button', 'toggle', kids[i].length ? '\u25b8' : '\u00b7');
    btn.setAttribute('data-node', String(i));
    if (kids[i].length) btn.addEventListener('click', () => setOpen(li, li.classList.contains('collapsed')));
    li.appendChild(btn);
    li.appendChild(label(procs[i]));
    items[i] = li;
    parentUl.appendChild(li);
    return li;
  }
  function setOpen(li, open) {
    li.classList.toggle('collapsed', !open);
    const b = li.firstChild;
    if (b.textContent !== '\u00b7') b.textContent = open ? '\u25be' : '\u25b8';
  }
  // Built iteratively: process trees can be deeper than the JS stack.
  const stack = roots.slice().reverse().map((i) => [i, $('tree-root')]);
  while (stack.length) {
    const [i, ul] = stack.pop();
    const li = build(i, ul);
    if (kids[i].length) {
      const sub = el('ul');
      li.appendChild(sub);
      for (let k = kids[i].length - 1; k >= 0; k--) stack.push([kids[i][k], sub]);
    }
  }
  const visibleRows = () => Array.from(document.querySelectorAll('#tree-root li')).filter((li) => li.offsetParent !== null).length;
  $('tree-count').textContent = procs.length + ' processes';
  $('expand-all').addEventListener('click', () => items.forEach((li) => li && setOpen(li, true)));
  $('collapse-all').addEventListener('click', () => items.forEach((li) => li && setOpen(li, false)));
  function search(q) {
    q = q.trim().toLowerCase();
    let hits = 0;
    const keep = new Uint8Array(procs.length);
    procs.forEach((p, i) => {
      const hit = q !== '' && text[i].includes(q);
      items[i].firstChild.nextSibling.classList.toggle('hit', hit);
      if (hit) { hits++; for (let j = i; j >= 0 && !keep[j]; j = procs[j].parent) keep[j] = 1; }
    });
    procs.forEach((p, i) => {
      items[i].classList.toggle('hidden', q !== '' && !keep[i]);
      if (q !== '' && keep[i] && kids[i].length) setOpen(items[i], true);
    });
    $('tree-count').textContent = q === '' ? procs.length + ' processes' : hits + ' of ' + procs.length + ' processes match';
    return hits;
  }
  $('tree-search').addEventListener('input', (e) => search(e.target.value));

  // Timeline: one row per process (first 400 by start) and one row of connection ticks.
  const tb = $('timeline-body');
  // The span of the events themselves (the manifest's times are the sidecar's life).
  let t0 = NaN, t1 = NaN;
  const widen = (t) => { if (isNaN(t)) return; if (isNaN(t0) || t < t0) t0 = t; if (isNaN(t1) || t > t1) t1 = t; };
  procs.forEach((p) => { widen(ns(p.start)); widen(ns(p.end)); });
  conns.forEach((c) => widen(ns(c.time)));
  if (isNaN(t0)) { t0 = ns(S.start); t1 = ns(S.end); }
  const span = Math.max(1, t1 - t0);
  const pct = (t) => (isNaN(t) ? 0 : Math.min(100, Math.max(0, ((t - t0) / span) * 100)));
  const tl = el('div', 'tl');
  const netRow = el('div', 'tl-row');
  netRow.appendChild(el('div', 'tl-label', 'connections (' + conns.length + ')'));
  const netArea = el('div', 'tl-area');
  const ticks = new Map();  // seq -> connection tick
  conns.forEach((c) => {
    const m = el('div', 'tl-net');
    if (c.seq !== null && c.seq !== undefined) ticks.set(String(c.seq), m);
    m.style.left = pct(ns(c.time)) + '%';
    m.setAttribute('title', visible(c.type + ' ' + c.address + ':' + c.port + (c.name ? ' (' + c.name + ')' : '') + ' by ' + c.binary + (c.step ? ' in step ' + c.step : '') + ' at ' + c.time));
    netArea.appendChild(m);
  });
  netRow.appendChild(netArea);
  tl.appendChild(netRow);
  const order = procs.map((p, i) => i).sort((a, b) => ns(procs[a].start) - ns(procs[b].start));
  const shown = order.slice(0, 400);
  const tlRows = new Map();  // exec id -> timeline row, for the evidence links
  shown.forEach((i) => {
    const p = procs[i], row = el('div', 'tl-row');
    tlRows.set(String(p.exec_id), row);
    row.appendChild(el('div', 'tl-label', (p.step ? 's' + p.step + ' ' : '') + (p.binary || '?').split('/').pop() + ' ' + p.pid));
    const area = el('div', 'tl-area'), bar = el('div', 'tl-bar' + (p.signal || p.exit_code ? ' bad' : ''));
    const a = pct(ns(p.start)), b = p.end ? pct(ns(p.end)) : 100;
    bar.style.left = a + '%';
    bar.style.width = Math.max(0, b - a) + '%';
    bar.setAttribute('title', visible(p.binary + ' [pid ' + p.pid + '] ' + p.start + ' \u2192 ' + (p.end || 'no exit seen')));
    area.appendChild(bar);
    row.appendChild(area);
    tl.appendChild(row);
  });
  const iso = (t) => (isNaN(t) ? '?' : new Date(t / 1e6).toISOString());
  tb.appendChild(el('p', 'muted', 'From ' + iso(t0) + ' to ' + iso(t1) + ' (' + ((t1 - t0) / 1e9).toFixed(3) + ' s). ' +
    (order.length > shown.length ? 'The first ' + shown.length + ' of ' + order.length + ' processes by start time.' : '')));
  tb.appendChild(tl);

  // At a glance, the first screen: what ran, where it connected, what looked wrong. Each line
  // leads to its evidence in the tree and the timeline.
  const byExec = new Map();
  procs.forEach((p, i) => byExec.set(String(p.exec_id), i));
  const failed = (p) => Boolean(p.signal) || (p.exit_code !== null && p.exit_code !== undefined && p.exit_code !== 0);
  const exitText = (p) => (p.signal ? 'SIG' + p.signal : p.exit_code === null || p.exit_code === undefined ? 'running?' : 'exit ' + p.exit_code);
  function clearEvidence() { document.querySelectorAll('.evidence').forEach((e) => e.classList.remove('evidence')); }
  function revealInTree(i) {
    for (let j = procs[i].parent; j >= 0 && j < procs.length; j = procs[j].parent) setOpen(items[j], true);
    const row = items[i].firstChild.nextSibling;
    row.classList.add('evidence');
    return row;
  }
  // execIds and seqs of one finding (or one process): marks them all, scrolls to the first.
  function showEvidence(execIds, seqs, where) {
    clearEvidence();
    let first = null;
    execIds.forEach((x) => {
      const i = byExec.get(String(x));
      if (i === undefined) return;
      const row = revealInTree(i), tl = tlRows.get(String(x));
      if (tl) tl.classList.add('evidence');
      if (!first) first = where === 'timeline' ? tl || row : row;
    });
    seqs.forEach((q) => { const t = ticks.get(String(q)); if (t) { t.classList.add('evidence'); if (!first && where === 'timeline') first = t; } });
    if (first) first.scrollIntoView({block: 'center'});
    return first;
  }
  function jump(parent, text, execIds, seqs, where) {
    const a = el('a', 'jump', text);
    a.setAttribute('href', '#' + where);
    a.addEventListener('click', (e) => { e.preventDefault(); showEvidence(execIds, seqs, where); });
    parent.appendChild(a);
    return a;
  }

  // What ran: the roots, where each step starts, every failed process and the way down to it.
  const ranMax = 22, pick = new Uint8Array(procs.length);
  const want = (i) => { for (let j = i; j >= 0 && j < procs.length && !pick[j]; j = procs[j].parent) pick[j] = 1; };
  procs.forEach((p, i) => { if (failed(p)) want(i); });
  roots.forEach((i) => { pick[i] = 1; });
  procs.forEach((p, i) => { const par = procs[p.parent]; if (p.step && (!par || par.step !== p.step)) want(i); });
  procs.forEach((p, i) => { if (procs.length <= ranMax) pick[i] = 1; });
  const ranOrder = [];
  const walk = roots.slice().reverse().map((i) => [i, 0]);
  while (walk.length) {
    const [i, d] = walk.pop();
    if (pick[i]) ranOrder.push([i, d]);
    for (let k = kids[i].length - 1; k >= 0; k--) walk.push([kids[i][k], pick[i] ? d + 1 : d]);
  }
  const many = (n, word) => n + ' ' + word + (n === 1 ? '' : 's');
  const nFailed = procs.filter(failed).length;
  const gr = $('glance-ran');
  gr.appendChild(el('p', nFailed ? 'exit-bad' : 'muted', procs.length + ' processes, ' + nFailed + ' failed' +
    ((M.steps || 0) ? ', ' + many(M.steps, 'step') : '')));
  const ranList = el('ul', 'glance-list glance-ran');
  ranOrder.slice(0, ranMax).forEach(([i, d]) => {
    const p = procs[i], li = el('li', failed(p) ? 'failed' : null);
    li.style.paddingLeft = Math.min(d, 12) * 12 + 'px';
    const par = procs[p.parent];
    if (p.step && (!par || par.step !== p.step)) li.appendChild(el('span', 'step', 'step ' + p.step));
    li.appendChild(el('span', 'bin', (p.binary || '?').split('/').pop()));
    const args = (p.args || []).slice(1).join(' ');
    if (args) li.appendChild(el('span', 'args', ' ' + args));
    li.appendChild(el('span', 'gl-exit ' + (failed(p) ? 'exit-bad' : 'muted'), '  ' + exitText(p)));
    li.setAttribute('title', visible((p.binary || '?') + ' ' + args + ' [pid ' + p.pid + '] ' + exitText(p)));
    li.addEventListener('click', () => showEvidence([p.exec_id], [], 'tree'));
    ranList.appendChild(li);
  });
  gr.appendChild(ranList);
  if (ranOrder.length > ranMax || ranOrder.length < procs.length)
    gr.appendChild(el('p', 'glance-more muted', 'showing ' + Math.min(ranMax, ranOrder.length) + ' of ' + procs.length +
      ' (roots, step starts, failures and their parents); the process tree has them all'));

  // Where it connected: destinations by bytes, with the names DNS gave them.
  const gn = $('glance-net'), dests = (S.network || []).slice();
  const bytes = (n) => (n >= 1048576 ? (n / 1048576).toFixed(1) + ' MiB' : n >= 1024 ? (n / 1024).toFixed(1) + ' KiB' : (n || 0) + ' B');
  dests.sort((a, b) => (b.bytes_sent + b.bytes_received) - (a.bytes_sent + a.bytes_received));
  gn.appendChild(el('p', 'muted', many(dests.length, 'destination') + ', ' + many(conns.length, 'connection')));
  const netList = el('ul', 'glance-list glance-net');
  dests.slice(0, 12).forEach((d) => {
    const li = el('li');
    const names = (d.names || []).join(', ');
    li.appendChild(el('span', 'bin', names || d.address));
    li.appendChild(el('span', null, (names ? ' ' + d.address : '') + ':' + d.port + '/' + (d.protocol || '?')));
    li.appendChild(el('span', 'muted', '  \u2191' + bytes(d.bytes_sent) + ' \u2193' + bytes(d.bytes_received) + ' \u00b7 ' +
      (d.binaries || []).map((b) => String(b).split('/').pop()).join(', ')));
    li.setAttribute('title', visible((names ? names + ' ' : '') + d.address + ':' + d.port + ' \u00b7 ' + d.connections +
      ' connections \u00b7 sent ' + d.bytes_sent + ' B, received ' + d.bytes_received + ' B'));
    netList.appendChild(li);
  });
  gn.appendChild(netList);
  if (dests.length > 12) gn.appendChild(el('p', 'glance-more muted', (dests.length - 12) + ' more in the network ledger'));

  // What looked wrong: findings, most severe first, each linked to its processes and events.
  const gw = $('glance-wrong'), rank = {critical: 0, high: 1, medium: 2, low: 3};
  const fs = (S.findings || []).slice().sort((a, b) => (rank[a.severity] ?? 4) - (rank[b.severity] ?? 4));
  gw.appendChild(el('p', fs.length ? 'exit-bad' : 'muted', many(S.findings_total || fs.length, 'finding') +
    (S.lost_total ? ' \u00b7 ' + S.lost_total + ' events lost' : '')));
  const wrongList = el('ul', 'glance-list glance-wrong');
  fs.slice(0, 12).forEach((f) => {
    const li = el('li');
    li.appendChild(el('span', 'sev-' + String(f.severity).replace(/[^a-z]/g, ''), f.severity));
    li.appendChild(el('span', null, ' ' + f.title));
    const ids = Array.isArray(f.exec_ids) ? f.exec_ids : [], seqs = Array.isArray(f.evidence) ? f.evidence : [];
    const i = byExec.get(String(ids[0]));
    if (i !== undefined && procs[i].step) li.appendChild(el('span', 'muted', ' (step ' + procs[i].step + ')'));
    jump(li, 'tree', ids, seqs, 'tree');
    jump(li, 'timeline', ids, seqs, 'timeline');
    li.setAttribute('title', visible(f.id + ': ' + f.title + ' \u00b7 ' + (f.binary || '') + ' \u00b7 exec ' + ids.join(', ') +
      ' \u00b7 evidence seq ' + seqs.join(', ')));
    wrongList.appendChild(li);
  });
  gw.appendChild(wrongList);
  findingRows.forEach(([td, f]) => {
    const ids = Array.isArray(f.exec_ids) ? f.exec_ids : [], seqs = Array.isArray(f.evidence) ? f.evidence : [];
    jump(td, 'tree', ids, seqs, 'tree');
    jump(td, 'timeline', ids, seqs, 'timeline');
  });
  if (fs.length > 12) gw.appendChild(el('p', 'glance-more muted', (fs.length - 12) + ' more in Findings'));

  // Network ledger, files, privilege, losses.
  table($('network-body'), ['address', 'port', 'protocol', 'DNS names', 'connections', 'sent', 'received', 'binaries'],
    (S.network || []).map((d) => [d.address, d.port, d.protocol, (d.names || []).join(', '), d.connections, d.bytes_sent,
      d.bytes_received, (d.binaries || []).join(', ')]), [false, true, false, false, true, true, true, false]);
  table($('files-body'), ['path', 'writes', 'binaries'],
    (S.files_written_outside_workspace || []).map((f) => [f.path, f.writes, (f.binaries || []).join(', ')]), [false, true, false]);
  table($('privilege-body'), ['time', 'type', 'binary', 'pid', 'exec id', 'detail'],
    (S.privilege || []).map((e) => [e.time, e.type, e.binary, e.pid, e.exec_id, str(e.detail)]));
  const lb = $('losses-body');
  table(lb, ['event type', 'lost'], Object.keys(S.lost || {}).map((k) => [k, S.lost[k]]), [false, true]);
  const trunc = Object.keys(S.truncated || {});
  if (trunc.length) {
    lb.appendChild(el('h3', null, 'Summary tables cut at their limit'));
    table(lb, ['table', 'entries left out'], trunc.map((k) => [k, S.truncated[k]]), [false, true]);
  }

  // Test hook (tests/browser): `report.html#selftest` expands the first root, searches, and
  // writes what it saw into the page for a headless browser's --dump-dom.
  if (location.hash === '#selftest') {
    const out = {roots: roots.length, processes: procs.length};
    // What the first screen (the viewport before any scrolling) shows.
    const inFirst = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.top >= 0 && r.bottom <= window.innerHeight; };
    const lines = (sel) => Array.from(document.querySelectorAll(sel)).filter(inFirst).map((e) => e.textContent);
    out.viewport = [window.innerWidth, window.innerHeight];
    out.glance_in_first_screen = inFirst($('glance'));
    out.first_screen = {ran: lines('.glance-ran li'), failed: lines('.glance-ran li.failed'),
      net: lines('.glance-net li'), wrong: lines('.glance-wrong li'), counts: lines('.glance-col p')};
    out.visible_before = visibleRows();
    const first = document.querySelector('#tree-root > li > button.toggle');
    if (first) first.click();
    out.visible_after_expand = visibleRows();
    out.search_term = (document.documentElement.getAttribute('data-selftest-search') || 'curl');
    out.search_hits = search(out.search_term);
    out.visible_after_search = visibleRows();
    search('');
    // A finding's "tree" link reveals its process in the collapsed tree and marks it, and the
    // timeline link marks its row and its connection ticks.
    $('collapse-all').click();
    const links = document.querySelectorAll('.glance-wrong a.jump');
    if (links.length >= 2) {
      links[0].click();
      out.evidence_tree = Array.from(document.querySelectorAll('#tree-root .evidence')).filter((e) => e.offsetParent !== null).map((e) => e.textContent);
      links[1].click();
      out.evidence_timeline = document.querySelectorAll('#timeline-body .evidence').length;
      clearEvidence();
    }
    out.scripts = document.scripts.length;
    const pre = el('pre');
    pre.textContent = JSON.stringify(out);  // JSON for the test, not for a reader: no escaping of its backslashes
    pre.id = 'selftest-result';
    document.body.appendChild(pre);
  }
})();
)JS";

}  // namespace jobtrail::cli
