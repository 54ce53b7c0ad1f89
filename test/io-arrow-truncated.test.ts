import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC, tableToIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readArrowTape } from '../src/io/arrow.js';
import { TapeInputError } from '../src/io/problems.js';
import { readTape } from '../src/io/read-tape.js';
import { writeSyntheticFile } from '../src/io/synthetic.js';

const dir = mkdtempSync(join(tmpdir(), 'io-arrow-truncated-'));
const whole = join(dir, 'whole.arrow');

afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(async () => {
  await writeSyntheticFile(whole, { rows: 3_000, dates: 3 });
});

async function reason(path: string): Promise<string> {
  try {
    await readArrowTape(path);
  } catch (error) {
    expect(error).toBeInstanceOf(TapeInputError);
    return (error as TapeInputError).problems[0]!.reason;
  }
  return 'accepted';
}

function cut(bytes: Uint8Array, length: number, name: string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes.subarray(0, length));
  return path;
}

describe('a truncated or foreign file is a clear input error, never a raw exception', () => {
  it('an Arrow IPC file cut anywhere', async () => {
    const bytes = readFileSync(whole);
    expect(await reason(whole)).toBe('accepted');
    for (const length of [bytes.length - 1, bytes.length - 16, Math.floor(bytes.length / 2), 200, 12, 6, 3]) {
      expect(await reason(cut(bytes, length, `cut-${length}.arrow`)), `cut at ${length} of ${bytes.length}`).toBe('not a valid Arrow IPC file');
    }
  });

  it('an Arrow IPC stream cut inside a message', async () => {
    const bytes = tableToIPC(tableFromIPC(readFileSync(whole)), 'stream');
    for (const length of [Math.floor(bytes.length / 2), 100, 10]) {
      expect(await reason(cut(bytes, length, `stream-cut-${length}.arrow`)), `cut at ${length} of ${bytes.length}`).toBe('not a valid Arrow IPC file');
    }
  });

  it('a CSV or random bytes named .arrow', async () => {
    const csv = join(dir, 'really.arrow');
    writeFileSync(csv, 'loan_id,measurement_date,total_receivable_usd\nL1,2025-01-31,1\n');
    expect(await reason(csv)).toBe('not a valid Arrow IPC file');
    const noise = join(dir, 'noise.arrow');
    writeFileSync(noise, Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251));
    expect(await reason(noise)).toBe('not a valid Arrow IPC file');
    await expect(readTape(noise)).rejects.toThrow(/noise\.arrow: not a valid Arrow IPC file/);
  });
});
