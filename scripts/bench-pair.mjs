// Compares two builds of `dojo bench` side by side: runs them in turn (before, after, before, …)
// so a noisy machine slows both alike, and prints each one's fastest and median wall time and the
// ratio. It also checks the state digests agree: a change made for speed must not change the run.
// A build is a native `dojo` binary or a `dojo.wasm` (wasm32-wasip1), run under Node's WASI; builds
// from commit df8c5b6 on print the digest (older ones show their last column instead, and differ).
// Usage: node scripts/bench-pair.mjs BEFORE AFTER [--runs N] [--hours H]
// For example, with the commit before a change built to /tmp/dojo-before:
//   cargo build --release -p engine --bin dojo
//   node scripts/bench-pair.mjs /tmp/dojo-before target/release/dojo --runs 7
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isInteger(value) || value <= 0) {
    console.error(`${name} needs a positive whole number, not "${args[at + 1]}"`);
    process.exit(2);
  }
  args.splice(at, 2);
  return value;
};
const runs = option('--runs', 5);
const hours = option('--hours', 2184);
if (args.length !== 2) {
  console.error('usage: node scripts/bench-pair.mjs BEFORE AFTER [--runs N] [--hours H]');
  process.exit(2);
}

const wasmRunner = resolve(import.meta.dirname, 'bench-wasm.mjs');
function benchOnce(build) {
  const output = build.endsWith('.wasm')
    ? execFileSync(process.execPath, ['--no-warnings', wasmRunner, '--hours', String(hours)], {
        env: { ...process.env, DOJO_WASM: build },
        encoding: 'utf8',
      })
    : execFileSync(build, ['bench', '--hours', String(hours)], { encoding: 'utf8' });
  // The last line: "2184h 1.234s  … 95.8%  0b61505314100dc9".
  const fields = output.trim().split('\n').at(-1).trim().split(/\s+/);
  return { wallS: Number.parseFloat(fields[1]), digest: fields.at(-1) };
}

const results = args.map(() => []);
for (let round = 0; round < runs; round += 1) {
  args.forEach((build, index) => results[index].push(benchOnce(build)));
}
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const summaries = results.map((runsOfBuild, index) => {
  const walls = runsOfBuild.map((run) => run.wallS);
  return { build: args[index], fastest: Math.min(...walls), median: median(walls), digests: new Set(runsOfBuild.map((run) => run.digest)) };
});
console.log(`${hours} simulated hours, ${runs} runs each, alternating`);
for (const { build, fastest, median: middle, digests } of summaries) {
  console.log(`${build}: fastest ${fastest.toFixed(3)} s, median ${middle.toFixed(3)} s, digest ${[...digests].join(' ')}`);
}
const [before, after] = summaries;
console.log(`after / before: fastest ${(after.fastest / before.fastest).toFixed(2)}, median ${(after.median / before.median).toFixed(2)}`);
const allDigests = new Set([...before.digests, ...after.digests]);
if (allDigests.size !== 1) {
  console.error(`the runs differ: digests ${[...allDigests].join(', ')}; a change made only for speed must leave the run as it was`);
  process.exitCode = 1;
}
