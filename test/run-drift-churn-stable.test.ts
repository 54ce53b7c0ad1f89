import { join } from 'node:path';
import { expect, it } from 'vitest';
import { DRIFT_TEST_TIMEOUT_MS, root, runDriftSoak } from './support/drift-soak.js';

it('a workload that allocates but retains nothing is never reported growing in 3 minutes', { timeout: DRIFT_TEST_TIMEOUT_MS }, () => {
  const { heap, rss } = runDriftSoak('churn', ['--workload', join(root, 'test/fixtures/workloads/alloc-no-retain.mjs')]);
  expect(heap.verdict).not.toBe('growing');
  expect(rss.verdict).not.toBe('growing');
});
