import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A compiled wasm module of the build, or null with the reason. */
export interface CompiledWasm {
  readonly module: WebAssembly.Module | null;
  /** why the module is null */
  readonly reason: string;
}

/**
 * Compile `name` (e.g. "kernels.wasm"), which `npm run build` makes from src/engine/wasm/ into
 * dist/engine/wasm/. When this module runs from its TypeScript source (under the test runner) the binary is
 * taken from dist/, as worker entries are (worker-file.ts).
 */
export function compiledWasm(name: string): CompiledWasm {
  const here = fileURLToPath(import.meta.url);
  const file = here.endsWith('.ts') ? resolve(dirname(here), '../../dist/engine/wasm', name) : join(dirname(here), '../engine/wasm', name);
  if (!existsSync(file)) return { module: null, reason: `${file} is missing: run "npm run build"` };
  try {
    return { module: new WebAssembly.Module(readFileSync(file)), reason: '' };
  } catch (error) {
    // e.g. a JavaScript engine without wasm SIMD or shared memories
    return { module: null, reason: `${file} does not compile here: ${(error as Error).message}` };
  }
}
