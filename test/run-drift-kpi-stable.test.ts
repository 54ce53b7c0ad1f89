import { expect, it } from 'vitest';
import { DRIFT_TEST_TIMEOUT_MS, runDriftSoak } from './support/drift-soak.js';

it('the KPI workload is never reported growing in 3 minutes', { timeout: DRIFT_TEST_TIMEOUT_MS }, () => {
  const { heap, rss } = runDriftSoak('kpi', ['--rows', '100000']);
  expect(heap.verdict).not.toBe('growing');
  expect(rss.verdict).not.toBe('growing');
});
