// The release build: writes the app to dist/ as a small first module (the library and the
// briefings) and the simulator as a chunk fetched just after the first paint.
//
//   node scripts/build.mjs [--dist DIR] [--profiling]
//
// `--profiling` keeps function names in the wasm files (wasm-opt -g), for a profiler's flame chart.
//
// The steps, each a tool the setup script installs at a pinned version:
//   1. cargo builds the app with the `split` feature and `--emit-relocs`, which the splitter needs
//      to follow every call and pointer between functions;
//   2. wasm-split-cli (crate wasm_split_cli_support) moves what only the split point in
//      src/simulator_chunk.rs reaches into split_simulator.wasm, and writes __wasm_split.js,
//      the loader the first module imports;
//   3. wasm-bindgen writes the JavaScript glue of the first module;
//   4. wasm-opt -Oz shrinks each wasm file;
//   5. every file gets a content hash in its name, index.html is written from the repository's
//      index.html (its Trunk links replaced), and scripts/precompress.mjs writes .br and .gz copies.
//
// `trunk serve` remains the development loop: without the `split` feature the same code links
// into one module, and Trunk builds it from index.html as before.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const distFlag = process.argv.indexOf('--dist');
const DIST = resolve(distFlag > 0 ? process.argv[distFlag + 1] : join(ROOT, 'dist'));
const PROFILING = process.argv.includes('--profiling');
const TARGET_DIR = join(ROOT, 'target', 'split');
const STAGE = join(TARGET_DIR, 'stage');
const NAME = 'deploy-dojo';
// Features every browser Deploy Dojo supports has, and that rustc's wasm32 target emits.
const WASM_FEATURES = [
  '--enable-bulk-memory',
  '--enable-nontrapping-float-to-int',
  '--enable-sign-ext',
  '--enable-mutable-globals',
  '--enable-reference-types',
  '--enable-multivalue',
];

function run(command, args, env = {}) {
  console.log(`> ${command} ${args.join(' ')}`);
  execFileSync(command, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
}

function hashOf(...parts) {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest('hex').slice(0, 16);
}

/** Replaces every occurrence of `from` in `text`, failing loudly when there is none. */
function rewrite(text, from, to, where) {
  if (!text.includes(from)) throw new Error(`build: expected ${JSON.stringify(from)} in ${where}`);
  return text.split(from).join(to);
}

// 1. The app, with the split point active and relocations kept for the splitter. Its own target
// directory keeps these flags from invalidating the other builds' caches.
run(
  'cargo',
  ['build', '--profile', 'web', '--target', 'wasm32-unknown-unknown', '--bin', NAME,
    '--features', 'split', '--target-dir', TARGET_DIR],
  { RUSTFLAGS: '-C link-arg=--emit-relocs' },
);
const linked = join(TARGET_DIR, 'wasm32-unknown-unknown', 'web', `${NAME}.wasm`);

// 2. Split.
rmSync(STAGE, { recursive: true, force: true });
mkdirSync(STAGE, { recursive: true });
run('wasm-split-cli', [linked, STAGE, '--out-name', NAME]);
const chunks = readdirSync(STAGE).filter((name) => name.endsWith('.wasm') && name !== `${NAME}.wasm`);
if (chunks.length === 0) throw new Error('build: the splitter wrote no chunk; is the split point still called?');

// 3. The first module's JavaScript glue. The chunk imports the function table by the name the
// linker exported it under, which wasm-bindgen drops unless told to keep it.
const bound = join(STAGE, 'bound');
run('wasm-bindgen', ['--target', 'web', '--no-typescript', '--keep-lld-exports', ...(PROFILING ? ['--keep-debug'] : []), '--out-dir', bound, '--out-name', NAME, join(STAGE, `${NAME}.wasm`)]);

// 4. Shrink every wasm file.
const wasmFiles = [[join(bound, `${NAME}_bg.wasm`), `${NAME}_bg.wasm`], ...chunks.map((c) => [join(STAGE, c), c])];
for (const [path] of wasmFiles) {
  run('wasm-opt', ['-Oz', ...(PROFILING ? ['-g'] : []), ...WASM_FEATURES, path, '-o', path]);
}

// 5. Content hashes. A wasm file's name carries its own hash. The two scripts import each other,
// so they share one hash of everything the build wrote.
rmSync(DIST, { recursive: true, force: true });
mkdirSync(DIST, { recursive: true });
const renamed = new Map();
for (const [path, name] of wasmFiles) {
  const bytes = readFileSync(path);
  const hashed = name.replace(/(_bg)?\.wasm$/, (suffix) => `-${hashOf(bytes)}${suffix}`);
  renamed.set(name, hashed);
  writeFileSync(join(DIST, hashed), bytes);
}
let glue = readFileSync(join(bound, `${NAME}.js`), 'utf8');
let loader = readFileSync(join(STAGE, '__wasm_split.js'), 'utf8');
const buildHash = hashOf(glue, loader, ...renamed.values());
const glueName = `${NAME}-${buildHash}.js`;
const loaderName = `wasm-split-${buildHash}.js`;
glue = rewrite(glue, `from "./__wasm_split.js"`, `from "./${loaderName}"`, 'the glue');
glue = rewrite(glue, `'${NAME}_bg.wasm'`, `'${renamed.get(`${NAME}_bg.wasm`)}'`, 'the glue');
loader = rewrite(loader, `from "./${NAME}.js"`, `from "./${glueName}"`, 'the loader');
for (const chunk of chunks) loader = rewrite(loader, `"./${chunk}"`, `"./${renamed.get(chunk)}"`, 'the loader');
writeFileSync(join(DIST, glueName), glue);
writeFileSync(join(DIST, loaderName), loader);

const css = readFileSync(join(ROOT, 'static', 'app.css'));
const cssName = `app-${hashOf(css)}.css`;
copyFileSync(join(ROOT, 'static', 'app.css'), join(DIST, cssName));

// index.html: the repository's, with Trunk's two links replaced by the built files. The wasm is
// preloaded beside the script so that both download at once.
let index = readFileSync(join(ROOT, 'index.html'), 'utf8');
const mainWasm = renamed.get(`${NAME}_bg.wasm`);
index = index.replace(/\s*<link data-trunk rel="css"[^>]*>/, `\n    <link rel="stylesheet" href="./${cssName}" />`);
index = index.replace(
  /\s*<link data-trunk rel="rust"[^>]*>/,
  `\n    <link rel="modulepreload" href="./${glueName}" />` +
    `\n    <link rel="preload" href="./${mainWasm}" as="fetch" type="application/wasm" crossorigin />` +
    `\n    <script type="module">import init from "./${glueName}"; init({ module_or_path: "./${mainWasm}" });</script>`,
);
if (index.includes('data-trunk')) throw new Error('build: index.html has a Trunk link this script does not know');
writeFileSync(join(DIST, 'index.html'), index);

run('node', [join(ROOT, 'scripts', 'precompress.mjs'), DIST]);
console.log(`build: wrote ${DIST}`);
