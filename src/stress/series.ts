/**
 * A time series whose memory is fixed whatever the run's length: at most `capacity` points in two
 * preallocated Float64Arrays (the samples of the group being filled included). When they are full, adjacent pairs are merged (halving the points) and each
 * stored point from then on stands for twice as many raw samples (the stride doubles). A 24-hour run sampled
 * every 5 s (17,280 samples) thus ends with between capacity/2 and capacity evenly spaced points.
 *
 * How a group of samples becomes one point (`reduce`):
 * - 'min' (the default, for memory): the heap of a JavaScript process is a saw-tooth — it climbs between
 *   collections and drops at each — so the mean of a window depends on where the collections fell, while its
 *   minimum is the floor the collector got back to, which is what a leak raises. The min of a merged pair is
 *   exactly the min of the union of their samples, so merging loses nothing of it;
 * - 'max', for figures where the worst case matters (an interval's p99 latency);
 * - 'mean', for figures without a saw-tooth (CPU %); pairs hold equal sample counts, so the mean of two means
 *   is the mean of the union.
 * A point's time is the mean time of its samples, so points stay evenly spaced after merges.
 */

export type SeriesReduce = 'min' | 'max' | 'mean';

export interface SeriesPoint {
  readonly t_s: number;
  readonly value: number;
}

export interface BoundedSeriesOptions {
  /** the most points kept; even, ≥ 4 (default 2048) */
  readonly capacity?: number;
  readonly reduce?: SeriesReduce;
}

export const DEFAULT_SERIES_CAPACITY = 2048;

export class BoundedSeries {
  readonly capacity: number;
  readonly reduce: SeriesReduce;
  readonly #t: Float64Array;
  readonly #v: Float64Array;
  #length = 0;
  #stride = 1;
  /** samples gathered for the next point: count, sum of times, reduced value */
  #pendingCount = 0;
  #pendingTimeSum = 0;
  #pendingValue = 0;
  #appended = 0;
  #lastT = Number.NEGATIVE_INFINITY;
  #maxValue = Number.NEGATIVE_INFINITY;
  #minValue = Number.POSITIVE_INFINITY;

  constructor(options: BoundedSeriesOptions = {}) {
    const capacity = options.capacity ?? DEFAULT_SERIES_CAPACITY;
    if (!Number.isInteger(capacity) || capacity < 4 || capacity % 2 !== 0) {
      throw new RangeError(`BoundedSeries capacity must be an even integer ≥ 4, got ${capacity}`);
    }
    this.capacity = capacity;
    this.reduce = options.reduce ?? 'min';
    this.#t = new Float64Array(capacity);
    this.#v = new Float64Array(capacity);
  }

  /** Add one sample; times must not go backwards and both numbers must be finite. */
  append(t_s: number, value: number): void {
    if (!Number.isFinite(t_s) || !Number.isFinite(value)) throw new RangeError(`BoundedSeries.append needs finite numbers, got (${t_s}, ${value})`);
    if (t_s < this.#lastT) throw new RangeError(`BoundedSeries.append: time went backwards (${t_s} < ${this.#lastT})`);
    this.#lastT = t_s;
    this.#appended++;
    if (value > this.#maxValue) this.#maxValue = value;
    if (value < this.#minValue) this.#minValue = value;
    this.#pendingValue = this.#pendingCount === 0 ? value : combine(this.reduce, this.#pendingValue, value, this.#pendingCount, 1);
    this.#pendingTimeSum += t_s;
    this.#pendingCount++;
    if (this.#pendingCount < this.#stride) return;
    this.#t[this.#length] = this.#pendingTimeSum / this.#pendingCount;
    this.#v[this.#length] = this.#pendingValue;
    this.#length++;
    this.#pendingCount = 0;
    this.#pendingTimeSum = 0;
    // halving as soon as the arrays fill keeps stored + pending ≤ capacity, and every stored point then
    // stands for exactly `stride` samples
    if (this.#length === this.capacity) this.#halve();
  }

  /** Merge adjacent pairs of stored points; the stride doubles. Only called when full, so the length is even. */
  #halve(): void {
    const half = this.#length / 2;
    for (let i = 0; i < half; i++) {
      const a = 2 * i;
      this.#t[i] = (this.#t[a]! + this.#t[a + 1]!) / 2;
      this.#v[i] = combine(this.reduce, this.#v[a]!, this.#v[a + 1]!, 1, 1);
    }
    this.#length = half;
    this.#stride *= 2;
  }

  /** raw samples appended since the start */
  get appended(): number {
    return this.#appended;
  }

  /** raw samples per stored point */
  get stride(): number {
    return this.#stride;
  }

  /** points that toArray() returns: the stored ones, plus one for samples not yet grouped */
  get length(): number {
    return this.#length + (this.#pendingCount > 0 ? 1 : 0);
  }

  /** the largest and smallest raw sample ever appended (null before the first) */
  get max(): number | null {
    return this.#appended === 0 ? null : this.#maxValue;
  }

  get min(): number | null {
    return this.#appended === 0 ? null : this.#minValue;
  }

  /** the last raw sample's time (null before the first) */
  get lastT(): number | null {
    return this.#appended === 0 ? null : this.#lastT;
  }

  /**
   * The points in time order. Samples not yet making a full group come last as one point of their own, so
   * the latest measurements are never hidden (with 'min' such a point covers fewer samples and may sit a
   * little above the floor; the drift detector's median-based estimates shrug off one such point).
   */
  toArray(): SeriesPoint[] {
    const out: SeriesPoint[] = [];
    for (let i = 0; i < this.#length; i++) out.push({ t_s: this.#t[i]!, value: this.#v[i]! });
    if (this.#pendingCount > 0) out.push({ t_s: this.#pendingTimeSum / this.#pendingCount, value: this.#pendingValue });
    return out;
  }
}

/** the reduction of two groups holding `na` and `nb` samples */
function combine(reduce: SeriesReduce, a: number, b: number, na: number, nb: number): number {
  switch (reduce) {
    case 'min':
      return Math.min(a, b);
    case 'max':
      return Math.max(a, b);
    case 'mean':
      return (a * na + b * nb) / (na + nb);
  }
}
