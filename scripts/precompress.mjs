// Writes a brotli (.br, quality 11) and a gzip (.gz, level 9) copy beside every file of a build,
// so that a static host that serves precompressed files (nginx `gzip_static`/`brotli_static`,
// Caddy `precompressed`, most CDNs) sends the smaller bytes without compressing on each request.
// A host that ignores them serves the plain files, which are still there.
//
// Trunk runs it after each build (Trunk.toml's post_build hook, on the staging directory);
// `node scripts/precompress.mjs DIR` runs it by hand. It prints each file's sizes.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR ?? 'dist';

/** The files to compress: everything but earlier compressed copies. */
async function files(root) {
  const entries = await readdir(root, { withFileTypes: true });
  const found = [];
  for (const entry of entries) {
    const path = join(root, entry.name);
    if (entry.isDirectory()) found.push(...(await files(path)));
    else if (!/\.(br|gz)$/.test(entry.name)) found.push(path);
  }
  return found.sort();
}

/** brotli at quality 11 and gzip at level 9, as a build would ship them. */
export function compressed(bytes) {
  const brotli = brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
  const gzip = gzipSync(bytes, { level: 9 });
  return { brotli, gzip };
}

async function main() {
  const rows = [];
  for (const path of await files(dir)) {
    const bytes = await readFile(path);
    const { brotli, gzip } = compressed(bytes);
    await writeFile(`${path}.br`, brotli);
    await writeFile(`${path}.gz`, gzip);
    rows.push([path.slice(dir.length + 1), bytes.length, gzip.length, brotli.length]);
  }
  const width = Math.max(...rows.map((r) => r[0].length));
  for (const [name, raw, gz, br] of rows) {
    console.log(`${name.padEnd(width)}  ${String(raw).padStart(9)} raw  ${String(gz).padStart(8)} gzip  ${String(br).padStart(8)} brotli`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
