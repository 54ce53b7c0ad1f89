#!/usr/bin/env node
/**
 * Compile the WebAssembly text kept in src/engine/wasm/ into dist/engine/wasm/ (part of `npm run build`).
 *
 * The binary is never checked in: it is made here, from the source beside the TypeScript, by wabt's
 * WebAssembly build of the reference text-format compiler. The kernels use 128-bit SIMD and import a shared
 * memory, so the simd and threads features are enabled; nothing else is.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabt from 'wabt';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sourceDir = join(root, 'src/engine/wasm');
const outDir = join(root, 'dist/engine/wasm');
const FEATURES = { simd: true, threads: true };

const toolkit = await wabt();
await mkdir(outDir, { recursive: true });
const sources = (await readdir(sourceDir)).filter((name) => name.endsWith('.wat')).sort();
if (sources.length === 0) throw new Error(`no .wat sources in ${sourceDir}`);
for (const name of sources) {
  const path = join(sourceDir, name);
  const module = toolkit.parseWat(path, await readFile(path, 'utf8'), FEATURES);
  try {
    module.resolveNames();
    // validate() takes the features again (its typings omit the argument): without them it rejects a shared memory
    module.validate(FEATURES);
    const { buffer } = module.toBinary({});
    // Compiling here as well catches what the engine would reject at run time (a feature it lacks).
    await WebAssembly.compile(buffer);
    const out = join(outDir, name.replace(/\.wat$/, '.wasm'));
    await writeFile(out, buffer);
    console.log(`${name} → ${out.slice(root.length + 1)} (${buffer.length} bytes)`);
  } finally {
    module.destroy();
  }
}
