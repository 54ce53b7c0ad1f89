import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkloadLoadError, WorkloadPool } from '../src/workers/workload-pool.js';

const fixture = (name: string) => join(resolve(import.meta.dirname, '..'), 'test/fixtures/workloads', name);

describe('the workload pool', () => {
  it('runs setup() in every worker before its first iteration, and iterations as tasks', async () => {
    const pool = await WorkloadPool.open({ kind: 'module', path: fixture('with-setup.mjs') }, { threads: 2 });
    try {
      // with-setup.mjs throws on an iteration that runs before its setup() finished
      await Promise.all(Array.from({ length: 20 }, () => pool.run()));
    } finally {
      await pool.close();
    }
  });

  it('passes a thrown error through as the failed iteration', async () => {
    const pool = await WorkloadPool.open({ kind: 'module', path: fixture('throws.mjs') }, { threads: 1 });
    try {
      await expect(pool.run()).rejects.toThrow('this workload always fails');
    } finally {
      await pool.close();
    }
  });

  it("reports every worker's heap and external memory after GC, measured by the worker", async () => {
    const pool = await WorkloadPool.open({ kind: 'module', path: fixture('retain-1k.mjs') }, { threads: 2 });
    try {
      const before = await pool.heaps();
      expect(before).toHaveLength(2);
      expect(new Set(before.map((h) => h.threadId)).size).toBe(2);
      for (const heap of before) {
        expect(heap.heap_after_gc).toBeGreaterThan(0);
        expect(heap.external_after_gc).toBeGreaterThanOrEqual(0);
      }
      // 4,000 iterations keep 4,000 KiB between them, outside the heap (Uint8Array backing stores)
      for (let i = 0; i < 40; i++) await Promise.all(Array.from({ length: 100 }, () => pool.run()));
      const after = await pool.heaps();
      const external = (heaps: typeof before) => heaps.reduce((sum, h) => sum + h.external_after_gc, 0);
      expect(external(after) - external(before)).toBeGreaterThanOrEqual(4000 * 1024);
    } finally {
      await pool.close();
    }
  });

  it("caps every worker's young generation, whatever survives its collections", async () => {
    // young-survivors.mjs fails an iteration once its worker's young generation outgrows the cap; uncapped,
    // V8 grows it within the first few hundred iterations of this workload
    const pool = await WorkloadPool.open({ kind: 'module', path: fixture('young-survivors.mjs') }, { threads: 2 });
    try {
      for (let i = 0; i < 40; i++) await Promise.all(Array.from({ length: 100 }, () => pool.run()));
    } finally {
      await pool.close();
    }
  });

  it('refuses a module that does not load (the CLI tests cover the other load failures)', async () => {
    await expect(WorkloadPool.open({ kind: 'module', path: fixture('missing.mjs') }, { threads: 1 })).rejects.toThrow(WorkloadLoadError);
  });
});
