// The size budgets of a release build, checked by `scripts/test` after `node scripts/build.mjs`:
// the first load (index.html and what it pulls in before the lab library shows: its scripts,
// styles and the first wasm module, not the simulator's chunk) and the whole app, both as brotli at quality 11, the
// bytes a visitor's browser fetches from a host that serves the build's .br copies.
//
// It prints the sizes and fails when either is over its budget in size-budget.json. Raise a
// budget only on purpose, in the same commit as the growth, and say why in its message.
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { compressed } from './precompress.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const dir = process.argv[2] ?? join(ROOT, 'dist');
const budget = JSON.parse(await readFile(join(ROOT, 'size-budget.json'), 'utf8'));

const names = (await readdir(dir)).filter((name) => !/\.(br|gz)$/.test(name)).sort();
const sizes = new Map();
for (const name of names) {
  const bytes = await readFile(join(dir, name));
  const { brotli, gzip } = compressed(bytes);
  sizes.set(name, { raw: bytes.length, gzip: gzip.length, brotli: brotli.length });
}

// The first load: index.html, what it links (the stylesheet, the script, the preloaded wasm) and
// what those scripts import statically. A chunk the loader fetches after the first paint
// (`fetch(new URL("./chunk.wasm", import.meta.url))`) is not in it.
const referenced = new Set(['index.html']);
const queue = ['index.html'];
const PATH = `["'](?:\\.?\\/)?([^"'?#]+)["']`;
while (queue.length > 0) {
  const name = queue.pop();
  const text = await readFile(join(dir, name), 'utf8');
  const patterns = name.endsWith('.html')
    ? [new RegExp(`(?:href|src)=${PATH}`, 'g'), new RegExp(`from\\s*${PATH}`, 'g'), new RegExp(`module_or_path:\\s*${PATH}`, 'g')]
    : [new RegExp(`(?:import|from)\\s*${PATH}`, 'g')];
  for (const pattern of patterns) {
    for (const [, file] of text.matchAll(pattern)) {
      if (!sizes.has(file) || referenced.has(file)) continue;
      referenced.add(file);
      if (file.endsWith('.js')) queue.push(file);
    }
  }
}

const total = (files, kind) => files.reduce((sum, name) => sum + sizes.get(name)[kind], 0);
const first = [...referenced];
const all = [...sizes.keys()];
const report = (label, files) =>
  `${label}: ${total(files, 'raw')} raw, ${total(files, 'gzip')} gzip, ${total(files, 'brotli')} brotli bytes (${files.length} files)`;
console.log(report('first load', first));
console.log(report('whole app', all));

const problems = [];
if (total(first, 'brotli') > budget.firstLoadBrotliBytes) {
  problems.push(`the first load is ${total(first, 'brotli')} brotli bytes, over its budget of ${budget.firstLoadBrotliBytes}`);
}
if (total(all, 'brotli') > budget.wholeAppBrotliBytes) {
  problems.push(`the whole app is ${total(all, 'brotli')} brotli bytes, over its budget of ${budget.wholeAppBrotliBytes}`);
}
for (const problem of problems) console.error(`size budget: ${problem} (size-budget.json)`);
process.exit(problems.length ? 1 : 0);
