/** `npm run docs`: regenerates docs/builtins.md from the builtin declarations. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderBuiltinDocs } from '../dsl/builtins/docs.js';

const target = fileURLToPath(new URL('../../docs/builtins.md', import.meta.url));
writeFileSync(target, renderBuiltinDocs());
console.log(`wrote ${target}`);
