// Runs `dojo bench` compiled to wasm32 (wasm32-wasip1) inside Chromium, the engine trainees run,
// with a WASI shim of the few calls the benchmark makes (its arguments, the clock, its output).
// `bench-wasm.mjs` runs the same module under Node's older V8; this one measures the browser's.
// Usage: cargo build --release -p engine --bin dojo --target wasm32-wasip1
//        node scripts/bench-browser.mjs [--hours H] [--runs N]
// DOJO_WASM=path/to/dojo.wasm measures another build.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { launchBrowser } from '../tests/e2e/harness.mjs';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 1;
if (!Number.isInteger(runs) || runs <= 0) {
  console.error('--runs needs a positive whole number');
  process.exit(2);
}
const wasmPath = process.env.DOJO_WASM ?? resolve(import.meta.dirname, '../target/wasm32-wasip1/release/dojo.wasm');
const bytes = (await readFile(wasmPath)).toString('base64');

const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  await page.goto('about:blank');
  const walls = [];
  for (let run = 0; run < runs; run += 1) {
    const output = await page.evaluate(runInPage, { base64: bytes, argv: ['dojo', 'bench', ...args] });
    process.stdout.write(output);
    // Each result line: "2184h 1.234s …"; the first run also pays for compiling the module.
    walls.push(...[...output.matchAll(/^\s*\d+h\s+([\d.]+)s/gm)].map((match) => Number(match[1])));
  }
  const sorted = [...walls].sort((a, b) => a - b);
  if (sorted.length > 1) {
    console.log(
      `Chromium ${browser.version()}, ${sorted.length} runs: fastest ${sorted[0].toFixed(3)} s, median ${sorted[Math.floor(sorted.length / 2)].toFixed(3)} s`,
    );
  }
} finally {
  await browser.close();
}

// Runs in the page: instantiates the module with the shim and returns what it printed.
async function runInPage({ base64, argv }) {
  const module = await WebAssembly.compile(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const encodedArgs = argv.map((arg) => encoder.encode(`${arg}\0`));
  let memory;
  let printed = '';
  const view = () => new DataView(memory.buffer);
  const EBADF = 8;
  const ENOSYS = 52;
  class Exit extends Error {}
  const wasi = {
    args_sizes_get(countPtr, sizePtr) {
      view().setUint32(countPtr, encodedArgs.length, true);
      view().setUint32(sizePtr, encodedArgs.reduce((sum, arg) => sum + arg.length, 0), true);
      return 0;
    },
    args_get(argvPtr, bufferPtr) {
      let at = bufferPtr;
      encodedArgs.forEach((arg, index) => {
        view().setUint32(argvPtr + index * 4, at, true);
        new Uint8Array(memory.buffer, at, arg.length).set(arg);
        at += arg.length;
      });
      return 0;
    },
    environ_sizes_get(countPtr, sizePtr) {
      view().setUint32(countPtr, 0, true);
      view().setUint32(sizePtr, 0, true);
      return 0;
    },
    environ_get: () => 0,
    clock_time_get(_id, _precision, timePtr) {
      const nanoseconds = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
      view().setBigUint64(timePtr, nanoseconds, true);
      return 0;
    },
    random_get(pointer, length) {
      crypto.getRandomValues(new Uint8Array(memory.buffer, pointer, length));
      return 0;
    },
    fd_write(fd, iovsPtr, iovsLength, writtenPtr) {
      if (fd !== 1 && fd !== 2) return EBADF;
      let written = 0;
      for (let index = 0; index < iovsLength; index += 1) {
        const pointer = view().getUint32(iovsPtr + index * 8, true);
        const length = view().getUint32(iovsPtr + index * 8 + 4, true);
        printed += decoder.decode(new Uint8Array(memory.buffer, pointer, length));
        written += length;
      }
      view().setUint32(writtenPtr, written, true);
      return 0;
    },
    fd_prestat_get: () => EBADF,
    proc_exit(code) {
      throw new Exit(`exit ${code}`);
    },
  };
  const imports = {};
  for (const { module: name, name: field } of WebAssembly.Module.imports(module)) {
    imports[name] ??= {};
    imports[name][field] = wasi[field] ?? (() => ENOSYS);
  }
  const instance = await WebAssembly.instantiate(module, imports);
  memory = instance.exports.memory;
  try {
    instance.exports._start();
  } catch (error) {
    if (!(error instanceof Exit)) throw error;
  }
  return printed;
}
