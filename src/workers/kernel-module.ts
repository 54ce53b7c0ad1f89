/**
 * The compiled wasm kernels module (src/engine/wasm/kernels.wat), loaded once per thread that asks for it:
 * by the KPI pool for the sums, and by the Arrow reader for its money columns.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exerciseKernels } from '../engine/wasm-kernels.js';

export interface KernelModule {
  readonly module: WebAssembly.Module | null;
  /** why the module is null */
  readonly reason: string;
}

let loadedModule: KernelModule | undefined;
/** enough work for V8 to move every kernel to its optimising compiler (see exerciseKernels) */
const PROCESS_WARM_UP_ROUNDS = 200;

/**
 * The compiled kernels module, loaded, checked and warmed once per thread (a few milliseconds), or null with
 * the reason. `npm run build` compiles it from src/engine/wasm/kernels.wat into
 * dist/engine/wasm/kernels.wasm; when this file runs from its TypeScript source (under the test runner) the
 * module is taken from dist/, as the worker entry is.
 */
export function kernelModule(): KernelModule {
  loadedModule ??= loadKernelModule();
  return loadedModule;
}

function loadKernelModule(): KernelModule {
  const here = fileURLToPath(import.meta.url);
  const file = here.endsWith('.ts')
    ? resolve(dirname(here), '../../dist/engine/wasm/kernels.wasm')
    : join(dirname(here), '../engine/wasm/kernels.wasm');
  if (!existsSync(file)) return { module: null, reason: `${file} is missing: run "npm run build"` };
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(readFileSync(file));
  } catch (error) {
    // e.g. a JavaScript engine without wasm SIMD or shared memories
    return { module: null, reason: `${file} does not compile here: ${(error as Error).message}` };
  }
  try {
    // once per thread: checks the module against the JavaScript kernels and tiers it up for every thread
    exerciseKernels(module, PROCESS_WARM_UP_ROUNDS);
  } catch (error) {
    return { module: null, reason: (error as Error).message };
  }
  return { module, reason: '' };
}
