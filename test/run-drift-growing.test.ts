import { join } from 'node:path';
import { expect, it } from 'vitest';
import { DRIFT_TEST_TIMEOUT_MS, root, runDriftSoak } from './support/drift-soak.js';

it('a workload that retains 1 KiB per iteration at --rate 50 is reported growing within 3 minutes', { timeout: DRIFT_TEST_TIMEOUT_MS }, () => {
  const { summary, heap } = runDriftSoak('growing', ['--rate', '50', '--workload', join(root, 'test/fixtures/workloads/retain-1k.mjs')]);
  expect(heap.verdict).toBe('growing');
  const drift = summary.criteria.find((c: { name: string }) => c.name === 'memory_drift');
  expect(drift.verdict).not.toBe('PASS');
});
