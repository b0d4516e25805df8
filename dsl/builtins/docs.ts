/** Renders the builtin reference (docs/builtins.md) from the declarations, so it cannot drift. */
import { BUILTIN_DECLS } from './decls.js';
import { typeText, type BuiltinDecl } from './types.js';

function signature(d: BuiltinDecl): string {
  if (d.infix && d.args.length === 2) return `${d.args[0]!.name} ${d.infix} ${d.args[1]!.name}`;
  return `${d.name}(${d.args.map(a => `${a.name}: ${typeText(a.type)}`).join(', ')}) → ${typeText(d.result)}`;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderBuiltinDocs(): string {
  const byCategory = new Map<string, BuiltinDecl[]>();
  for (const d of BUILTIN_DECLS) {
    const list = byCategory.get(d.category) ?? [];
    list.push(d);
    byCategory.set(d.category, list);
  }
  const cats = [...byCategory.keys()].sort();
  const out: string[] = [
    '# Builtin functions',
    '',
    'Generated from the declarations in `dsl/builtins/decls/` by `npm run docs`; do not edit by hand.',
    'Types follow OPA\'s notation: `any<a, b>` is either, `array[t]`, `set[t]`, `object[k: v]`.',
    'Functions marked *non-deterministic* are evaluated once per decision and make the decision uncacheable.',
    '',
    `${BUILTIN_DECLS.length} builtins in ${cats.length} groups: ${cats.map(c => `[${c}](#${c.replace(/[^a-z0-9-]/gi, '').toLowerCase()})`).join(', ')}.`,
    '',
  ];
  for (const c of cats) {
    out.push(`## ${c}`, '', '| builtin | description | example |', '|---|---|---|');
    for (const d of byCategory.get(c)!.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const notes = [d.nondeterministic ? '*non-deterministic*' : '', d.relation ? '*relation: iterates its results*' : '', d.capability ? `*needs the ${d.capability} capability (off by default)*` : ''].filter(Boolean).join(' ');
      out.push(`| \`${cell(signature(d))}\` | ${cell(d.description)}${notes ? ' ' + notes : ''} | ${d.example ? '`' + cell(d.example) + '`' : ''} |`);
    }
    out.push('');
  }
  return out.join('\n');
}
