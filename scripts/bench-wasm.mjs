// Runs `dojo bench` compiled to wasm32 (wasm32-wasip1) under Node's WASI, so native and wasm32
// speed come from the same code, the same world and the same command.
// Usage: cargo build --release -p engine --bin dojo --target wasm32-wasip1
//        node scripts/bench-wasm.mjs [--hours H]
// DOJO_WASM=path/to/dojo.wasm measures another build, side by side.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import { resolve } from 'node:path';

const wasmPath = process.env.DOJO_WASM ?? resolve(import.meta.dirname, '../target/wasm32-wasip1/release/dojo.wasm');
const wasi = new WASI({ version: 'preview1', args: ['dojo', 'bench', ...process.argv.slice(2)], env: {}, returnOnExit: true });
const module = await WebAssembly.compile(await readFile(wasmPath));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
