import { join } from 'node:path';
import { expect, it } from 'vitest';
import { DRIFT_TEST_TIMEOUT_MS, root, runDriftSoak } from './support/drift-soak.js';

/**
 * At a fixed rate (about 320 MB/s of garbage): RSS holds capacity sized to the allocation rate, so a closed loop,
 * whose rate follows the machine's load, can step RSS up whenever the machine gets quieter, and over the 90 s
 * a 3-minute run judges such a step can pass for growth (README, Drift). The rate fixed, the allocation rate is
 * the workload's own, and what is judged is whether it retains anything.
 */
it('a workload that allocates but retains nothing is never reported growing in 3 minutes', { timeout: DRIFT_TEST_TIMEOUT_MS }, () => {
  const { heap, rss } = runDriftSoak('churn', ['--workload', join(root, 'test/fixtures/workloads/alloc-no-retain.mjs'), '--rate', '5000']);
  expect(heap.verdict).not.toBe('growing');
  expect(rss.verdict).not.toBe('growing');
});
