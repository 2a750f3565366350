// Serves a release build as a static host with precompressed files would: the `.br` (or `.gz`)
// copy beside a file when the browser accepts it, else the file itself.
//
//   node scripts/serve-dist.mjs [DIR] [PORT]     # dist/ on http://127.0.0.1:8080 unless told
//
// The browser tests and the load measurement use `serveDist` on an ephemeral port.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
};

/** Serves `dir` (dist/ by default) on 127.0.0.1:`port` (any free port by default); resolves to { url, close }. */
export async function serveDist(dir = join(ROOT, 'dist'), port = 0) {
  const root = resolve(dir);
  const server = createServer(async (request, response) => {
    const path = new URL(request.url, 'http://127.0.0.1').pathname;
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    if (!file.startsWith(root)) {
      response.writeHead(403).end();
      return;
    }
    const accepts = request.headers['accept-encoding'] ?? '';
    const headers = { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', vary: 'accept-encoding' };
    for (const [encoding, suffix] of [['br', '.br'], ['gzip', '.gz']]) {
      if (!accepts.includes(encoding)) continue;
      try {
        const body = await readFile(file + suffix);
        response.writeHead(200, { ...headers, 'content-encoding': encoding });
        response.end(body);
        return;
      } catch {
        // No precompressed copy: try the next, then the plain file.
      }
    }
    try {
      const body = await readFile(file);
      response.writeHead(200, headers);
      response.end(body);
    } catch {
      response.writeHead(404).end('not found');
    }
  });
  await new Promise((done) => server.listen(port, '127.0.0.1', done));
  const url = `http://127.0.0.1:${server.address().port}/`;
  return { url, close: () => new Promise((done) => server.close(done)) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { url } = await serveDist(process.argv[2], Number(process.argv[3] ?? 8080));
  console.log(`serving ${process.argv[2] ?? 'dist'} on ${url} (Ctrl-C stops)`);
}
