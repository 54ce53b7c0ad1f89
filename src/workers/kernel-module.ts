/**
 * The compiled wasm kernels module (src/engine/wasm/kernels.wat), loaded once per thread that asks for it:
 * by the KPI pool for the sums, and by the Arrow reader for its money columns.
 */
import { exerciseKernels } from '../engine/wasm-kernels.js';
import { compiledWasm, type CompiledWasm } from './wasm-file.js';

export type KernelModule = CompiledWasm;

let loadedModule: KernelModule | undefined;
/** enough work for V8 to move every kernel to its optimising compiler (see exerciseKernels) */
const PROCESS_WARM_UP_ROUNDS = 200;

/**
 * The compiled kernels module, loaded, checked and warmed once per thread (a few milliseconds), or null with
 * the reason (see compiledWasm for where the binary is found).
 */
export function kernelModule(): KernelModule {
  loadedModule ??= loadKernelModule();
  return loadedModule;
}

function loadKernelModule(): KernelModule {
  const { module, reason } = compiledWasm('kernels.wasm');
  if (module === null) return { module, reason };
  try {
    // once per thread: checks the module against the JavaScript kernels and tiers it up for every thread
    exerciseKernels(module, PROCESS_WARM_UP_ROUNDS);
  } catch (error) {
    return { module: null, reason: (error as Error).message };
  }
  return { module, reason: '' };
}
