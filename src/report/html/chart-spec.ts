/**
 * What a report page hands to its script for one chart: plain JSON, no functions, so it can sit in the
 * page's data island. The script (client.ts) turns it into uPlot options; everything computed (percentiles,
 * fits, bands, downsampling) is done here in Node, where it is tested, and the page only draws.
 */

export type AxisKind =
  /** plain numbers */
  | 'linear'
  /** base-10 log scale; values must be > 0 (others are dropped as gaps) */
  | 'log'
  /** x = 1 / (1 − p) on a log scale, labelled as the percentile p: 90%, 99%, 99.9%, … */
  | 'percentile'
  /** x = 0, 1, 2, … labelled with `categories` */
  | 'category';

export interface AxisSpec {
  /** label with its unit, e.g. "latency (ms)" */
  readonly label: string;
  readonly kind: AxisKind;
  readonly categories?: readonly string[];
  /** fixed range; absent: fitted to the data (and to `include`) */
  readonly min?: number;
  readonly max?: number;
  /** values the range must include besides the data (a threshold worth seeing) */
  readonly include?: readonly number[];
  /** how tick labels read: 'rows' gives 10k, 1M; 'number' plain; 'percent' adds % */
  readonly format?: 'number' | 'rows' | 'percent';
}

export interface SeriesSpec {
  readonly label: string;
  /** CSS colour */
  readonly color: string;
  /** the unit shown after the value in the legend */
  readonly unit: string;
  readonly width?: number;
  /** line dash pattern in CSS pixels */
  readonly dash?: readonly number[];
  /** draw a marker at every point (for charts of a few points) */
  readonly points?: boolean;
  /** draw bars instead of a line (category x) */
  readonly bars?: boolean;
  /** fill under the line (CSS colour) */
  readonly fill?: string;
  /** join points across gaps */
  readonly spanGaps?: boolean;
  /** hidden from the legend: helper series such as band edges */
  readonly legend?: boolean;
}

/** A shaded band between two series (1-based series indexes, as uPlot counts them: 0 is x). */
export interface BandSpec {
  readonly upper: number;
  readonly lower: number;
  readonly fill: string;
}

/** A horizontal line across the plot, e.g. a threshold; drawn only where it falls within the y range. */
export interface HLineSpec {
  readonly y: number;
  readonly color: string;
  readonly label: string;
}

/** A vertical marker, e.g. a checkpoint; `strong` for decision points. */
export interface VLineSpec {
  readonly x: number;
  readonly label: string;
  readonly strong: boolean;
}

export interface ChartSpec {
  readonly id: string;
  readonly title: string;
  /** lines of small print under the title: what is plotted, fits, downsampling */
  readonly notes: readonly string[];
  readonly x: AxisSpec;
  readonly y: AxisSpec;
  readonly series: readonly SeriesSpec[];
  /** [x, ...one array per series], all of one length */
  readonly data: readonly (readonly (number | null)[])[];
  readonly bands?: readonly BandSpec[];
  readonly hlines?: readonly HLineSpec[];
  readonly vlines?: readonly VLineSpec[];
  /** plot height in CSS pixels (default 280) */
  readonly height?: number;
}

/** Round to `digits` significant digits, to keep the data island small; null and non-finite stay null. */
export function sig(value: number | null | undefined, digits = 4): number | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  if (value === 0) return 0;
  return Number(value.toPrecision(digits));
}

export function sigAll(values: readonly (number | null)[], digits = 4): (number | null)[] {
  return values.map((v) => sig(v, digits));
}
