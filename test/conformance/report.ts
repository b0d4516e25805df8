/**
 * `npm run conformance`: pass rates per topic and tier over OPA's cases.
 * `--write-known` rewrites test/conformance/known-failures.txt from this run;
 * `--topic NAME` / `--id ID` narrow the run; `-v` prints each failure's reason.
 */
import { writeFileSync } from 'node:fs';
import { whyFailing } from './why.js';
import { casesDir, knownFailuresFile, loadCases, readKnownFailures, runCase, type Outcome } from './cases.js';

const args = process.argv.slice(2);
const opt = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const verbose = args.includes('-v');
const cases = loadCases();
if (!cases) {
  console.log(`conformance: no cases at ${casesDir()} (set POL_CONFORMANCE_DIR)`);
  process.exit(0);
}
const topic = opt('--topic'), id = opt('--id');
const selected = cases.filter(c => (!topic || c.topic === topic) && (!id || c.id === id));
const outcomes: Outcome[] = selected.map(runCase);

const byTopic = new Map<string, { tier: string; pass: number; total: number }>();
const byTier = new Map<string, { pass: number; total: number }>();
for (const o of outcomes) {
  const t = byTopic.get(o.topic) ?? { tier: o.tier, pass: 0, total: 0 };
  if (t.tier !== o.tier) t.tier = 'mixed';
  t.total++; if (o.pass) t.pass++;
  byTopic.set(o.topic, t);
  const r = byTier.get(o.tier) ?? { pass: 0, total: 0 };
  r.total++; if (o.pass) r.pass++;
  byTier.set(o.tier, r);
}
const pct = (p: number, t: number) => (t ? ((100 * p) / t).toFixed(1) : '0.0');
console.log('topic'.padEnd(40), 'tier'.padEnd(9), 'pass/total');
for (const [name, t] of [...byTopic.entries()].sort()) console.log(name.padEnd(40), t.tier.padEnd(9), `${t.pass}/${t.total}`);
console.log('');
for (const tier of ['core', 'extended', 'skip']) {
  const r = byTier.get(tier);
  if (r) console.log(`${tier.padEnd(9)} ${r.pass}/${r.total} (${pct(r.pass, r.total)}%)`);
}
const ce = ['core', 'extended'].map(t => byTier.get(t) ?? { pass: 0, total: 0 });
console.log(`core+extended ${ce[0]!.pass + ce[1]!.pass}/${ce[0]!.total + ce[1]!.total} (${pct(ce[0]!.pass + ce[1]!.pass, ce[0]!.total + ce[1]!.total)}%)`);
const withCode = outcomes.filter(o => o.codeMatched !== undefined), withText = outcomes.filter(o => o.textMatched !== undefined);
console.log(`error code matched ${withCode.filter(o => o.codeMatched).length}/${withCode.length}; error text matched ${withText.filter(o => o.textMatched).length}/${withText.length}`);
if (verbose) for (const o of outcomes) if (!o.pass) console.log(`FAIL ${o.id}: ${o.reason}`);
if (args.includes('--write-known')) {
  if (topic || id) { console.error('--write-known needs a full run'); process.exit(2); }
  const old = readKnownFailures();
  const unexplained: string[] = [];
  const lines = outcomes.filter(o => !o.pass).map(o => {
    const why = whyFailing(o.id);
    if (!why) unexplained.push(o.id);
    const detail = (o.reason ?? '').replace(/\s+/g, ' ').slice(0, 120);
    return `${o.id}  # ${why ?? `UNEXPLAINED (${old.get(o.id) || detail})`}`;
  });
  if (unexplained.length) console.error(`${unexplained.length} failing cases have no reason in test/conformance/why.ts: ${unexplained.slice(0, 10).join(', ')}`);
  writeFileSync(knownFailuresFile, `# OPA conformance cases pol does not pass yet: one id per line, with why.\n# The list may only shrink: test/conformance/conformance.test.ts fails when a listed case passes\n# (remove it) or an unlisted case fails (fix it). Regenerate with: npm run conformance -- --write-known\n${lines.join('\n')}\n`);
  console.log(`wrote ${lines.length} entries to ${knownFailuresFile}`);
}
