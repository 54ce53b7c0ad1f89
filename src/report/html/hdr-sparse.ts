/**
 * Percentiles of the interval histograms of a latency.hlog, read sparsely.
 *
 * Why not decode each line with hdr-histogram-js: a histogram configured for the soak's range (1 µs to 48 h,
 * 3 significant digits) has a counts array of about 28,000 entries, which the library allocates, fills and
 * scans for every decoded line. A 24-hour log has 17,280 lines, and decoding them took about 12 s on the
 * development machine. An interval holds a few dozen distinct buckets at most, so this module reads the
 * same encoding (HdrHistogram's V2 compressed format: a cookie, the zlib-deflated payload of zig-zag LEB128
 * counts with negative numbers standing for runs of empty buckets) straight into (index, count) pairs and
 * computes percentiles from those, with the library's own rules: the same bucket → value mapping, the same
 * rounding of the count at a percentile, the highest equivalent value of the bucket reached. The test
 * report-html-hdr-sparse checks the results against hdr-histogram-js on the same histograms.
 */
import { inflateSync } from 'node:zlib';

const V2_COMPRESSED_COOKIE_BASE = 0x1c849304;
const V2_COOKIE_BASE = 0x1c849303;

/** The bucket layout of a histogram, from its encoded header. */
export interface HdrLayout {
  readonly significantDigits: number;
  readonly lowestDiscernibleValue: number;
  readonly unitMagnitude: number;
  readonly subBucketHalfCount: number;
}

/** The non-empty buckets of one histogram, indexes ascending. */
export interface SparseHistogram {
  readonly layout: HdrLayout;
  readonly indexes: readonly number[];
  readonly counts: readonly number[];
  readonly totalCount: number;
}

export function layoutOf(significantDigits: number, lowestDiscernibleValue: number): HdrLayout {
  const largestValueWithSingleUnitResolution = 2 * Math.floor(10 ** significantDigits);
  const subBucketCountMagnitude = Math.ceil(Math.log2(largestValueWithSingleUnitResolution));
  const subBucketHalfCountMagnitude = (subBucketCountMagnitude > 1 ? subBucketCountMagnitude : 1) - 1;
  return {
    significantDigits,
    lowestDiscernibleValue,
    unitMagnitude: Math.floor(Math.log2(lowestDiscernibleValue)),
    subBucketHalfCount: 2 ** subBucketHalfCountMagnitude,
  };
}

/** Decode the base64 histogram column of an interval-log line. Throws on anything that is not V2. */
export function decodeSparse(base64: string): SparseHistogram {
  const bytes = Buffer.from(base64.trim(), 'base64');
  if (bytes.length < 8) throw new Error('histogram too short');
  const cookie = bytes.readInt32BE(0);
  if ((cookie & ~0xf0) !== V2_COMPRESSED_COOKIE_BASE) throw new Error('not a V2 compressed histogram');
  const compressedLength = bytes.readInt32BE(4);
  const payload = inflateSync(bytes.subarray(8, 8 + compressedLength));
  if (payload.length < 40 || (payload.readInt32BE(0) & ~0xf0) !== V2_COOKIE_BASE) throw new Error('not a V2 histogram');
  const payloadLength = payload.readInt32BE(4);
  const significantDigits = payload.readInt32BE(12);
  const lowest = payload.readInt32BE(16) * 2 ** 32 + payload.readUInt32BE(20);
  const layout = layoutOf(significantDigits, Math.max(1, lowest));
  const indexes: number[] = [];
  const counts: number[] = [];
  let totalCount = 0;
  let position = 40;
  const end = Math.min(payload.length, position + payloadLength);
  let index = 0;
  while (position < end) {
    // zig-zag LEB128, up to 9 bytes (the ninth carries 8 bits); counts stay exact below 2^53
    let value = 0;
    let scale = 1;
    for (let byteNumber = 0; byteNumber < 9; byteNumber++) {
      const byte = payload[position++]!;
      if (byteNumber === 8) {
        value += byte * scale;
        break;
      }
      value += (byte & 0x7f) * scale;
      scale *= 128;
      if ((byte & 0x80) === 0) break;
    }
    const count = value % 2 === 0 ? value / 2 : -(value + 1) / 2;
    if (count < 0) {
      index += -count;
    } else {
      if (count > 0) {
        indexes.push(index);
        counts.push(count);
        totalCount += count;
      }
      index += 1;
    }
  }
  return { layout, indexes, counts, totalCount };
}

/** The lowest value counted in bucket `index`. */
export function valueFromIndex(layout: HdrLayout, index: number): number {
  const half = layout.subBucketHalfCount;
  let bucketIndex = Math.floor(index / half) - 1;
  let subBucketIndex = (index % half) + half;
  if (bucketIndex < 0) {
    subBucketIndex -= half;
    bucketIndex = 0;
  }
  return subBucketIndex * 2 ** (bucketIndex + layout.unitMagnitude);
}

/** The highest value counted in bucket `index` (what HdrHistogram reports for a percentile). */
export function highestValueOfIndex(layout: HdrLayout, index: number): number {
  const bucketIndex = Math.max(0, Math.floor(index / layout.subBucketHalfCount) - 1);
  return valueFromIndex(layout, index) + 2 ** (bucketIndex + layout.unitMagnitude) - 1;
}

/** The count a percentile must reach, rounded up as HdrHistogram does (one ulp of slack against fp error). */
function countAtPercentile(percentile: number, totalCount: number): number {
  const fp = (Math.min(percentile, 100) / 100) * totalCount;
  const ulp = fp > 0 ? 2 ** (Math.floor(Math.log2(fp)) - 52) : 0;
  return Math.max(Math.ceil(fp - ulp), 1);
}

export interface IntervalPercentiles {
  readonly count: number;
  /** values in the histogram's unit (µs for latency.hlog) */
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly min: number;
}

/**
 * p50, p90, p99, min and max of one sparse histogram, each percentile clamped into [min, max] as the
 * run's summaries do (src/stress/histogram.ts); null for an empty histogram.
 *
 * `exactMax`: the interval's true maximum, which an interval log carries in its own column. The encoded
 * counts only know the maximum's bucket (up to 0.1% wider), so without it the max, and a percentile that
 * falls in the top bucket, can read a little higher than the run's summary.
 */
export function intervalPercentiles(h: SparseHistogram, exactMax?: number | null): IntervalPercentiles | null {
  if (h.totalCount === 0) return null;
  const n = h.indexes.length;
  const firstNonZero = h.indexes[0] === 0 ? 1 : 0;
  const min = firstNonZero < n ? valueFromIndex(h.layout, h.indexes[firstNonZero]!) : 0;
  const bucketMax = highestValueOfIndex(h.layout, h.indexes[n - 1]!);
  const max = exactMax !== undefined && exactMax !== null && exactMax > 0 && exactMax <= bucketMax ? exactMax : bucketMax;
  const targets = [50, 90, 99].map((p) => countAtPercentile(p, h.totalCount));
  const values: number[] = [];
  let cumulative = 0;
  let t = 0;
  for (let i = 0; i < n && t < targets.length; i++) {
    cumulative += h.counts[i]!;
    while (t < targets.length && cumulative >= targets[t]!) {
      values.push(highestValueOfIndex(h.layout, h.indexes[i]!));
      t++;
    }
  }
  const clamp = (v: number) => Math.min(max, Math.max(min, v));
  return { count: h.totalCount, p50: clamp(values[0]!), p90: clamp(values[1]!), p99: clamp(values[2]!), max, min };
}

/**
 * The sum of many sparse histograms of one layout, as a dense counts array that grows to the highest bucket
 * seen (a few thousand entries for latencies of seconds, allocated once per report).
 */
export class HistogramSum {
  #counts = new Float64Array(0);
  #layout: HdrLayout | null = null;
  #total = 0;
  /** the largest exact maximum given with the histograms added, or null when one came without */
  #exactMax: number | null = 0;

  /** Add one histogram; `exactMax` as for intervalPercentiles. */
  add(h: SparseHistogram, exactMax?: number | null): void {
    if (h.totalCount > 0) {
      this.#exactMax = this.#exactMax === null || exactMax === undefined || exactMax === null ? null : Math.max(this.#exactMax, exactMax);
    }
    if (this.#layout === null) this.#layout = h.layout;
    else if (this.#layout.subBucketHalfCount !== h.layout.subBucketHalfCount || this.#layout.unitMagnitude !== h.layout.unitMagnitude) {
      throw new Error('histograms of different layouts cannot be added');
    }
    const last = h.indexes[h.indexes.length - 1];
    if (last !== undefined && last >= this.#counts.length) {
      const grown = new Float64Array(Math.max(last + 1, this.#counts.length * 2));
      grown.set(this.#counts);
      this.#counts = grown;
    }
    for (let i = 0; i < h.indexes.length; i++) this.#counts[h.indexes[i]!]! += h.counts[i]!;
    this.#total += h.totalCount;
  }

  get totalCount(): number {
    return this.#total;
  }

  /**
   * The values at the given percentiles (ascending, 0 < p ≤ 100), in the histogram's unit, clamped into
   * [min, max]; an empty sum gives an empty list.
   */
  valuesAtPercentiles(percentiles: readonly number[]): number[] {
    const layout = this.#layout;
    if (layout === null || this.#total === 0) return [];
    const counts = this.#counts;
    let minIndex = -1;
    let maxIndex = -1;
    for (let i = 0; i < counts.length; i++) {
      if (counts[i]! > 0) {
        if (minIndex < 0 && i !== 0) minIndex = i;
        maxIndex = i;
      }
    }
    const min = minIndex < 0 ? 0 : valueFromIndex(layout, minIndex);
    const max = this.#maxOf(highestValueOfIndex(layout, maxIndex));
    const out: number[] = [];
    let cumulative = 0;
    let i = -1;
    for (const p of percentiles) {
      const target = countAtPercentile(p, this.#total);
      while (cumulative < target && i < counts.length - 1) cumulative += counts[++i]!;
      out.push(Math.min(max, Math.max(min, highestValueOfIndex(layout, Math.max(0, i)))));
    }
    return out;
  }

  get max(): number | null {
    const layout = this.#layout;
    if (layout === null || this.#total === 0) return null;
    for (let i = this.#counts.length - 1; i >= 0; i--) if (this.#counts[i]! > 0) return this.#maxOf(highestValueOfIndex(layout, i));
    return null;
  }

  #maxOf(bucketMax: number): number {
    const exact = this.#exactMax;
    return exact !== null && exact > 0 && exact <= bucketMax ? exact : bucketMax;
  }
}

/** One interval of a latency.hlog, read sparsely. */
export interface SparseInterval {
  /** seconds since the run's start */
  readonly start_s: number;
  readonly length_s: number;
  /** the interval's exact maximum from the log's max column, in the histogram's unit; null when unreadable */
  readonly max: number | null;
  readonly histogram: SparseHistogram;
}

/**
 * The max column's unit per histogram unit: latency.hlog records microseconds and writes the max in
 * milliseconds (src/stress/hlog.ts, HLOG_MAX_VALUE_UNIT_RATIO).
 */
const MAX_COLUMN_RATIO = 1000;

/**
 * The interval lines of an interval log, in file order. Comment, legend and undecodable lines (a torn last
 * line after a crash) are skipped and counted.
 */
export function readIntervalsSparse(text: string): { readonly intervals: SparseInterval[]; readonly skipped: number } {
  const intervals: SparseInterval[] = [];
  let skipped = 0;
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line.length === 0 || line.startsWith('#') || line.startsWith('"')) continue;
    const tokens = line.split(',');
    if (tokens[0]?.startsWith('Tag=')) tokens.shift();
    const start = Number.parseFloat(tokens[0] ?? '');
    const length = Number.parseFloat(tokens[1] ?? '');
    const base64 = tokens[3];
    if (tokens.length !== 4 || !Number.isFinite(start) || !Number.isFinite(length) || base64 === undefined) {
      skipped += 1;
      continue;
    }
    try {
      const maxColumn = Number.parseFloat(tokens[2] ?? '');
      const max = Number.isFinite(maxColumn) ? Math.round(maxColumn * MAX_COLUMN_RATIO) : null;
      intervals.push({ start_s: start, length_s: length, max, histogram: decodeSparse(base64) });
    } catch {
      skipped += 1;
    }
  }
  return { intervals, skipped };
}
