/** One labelled tick on the time axis. */
export interface TimeTick {
  t: number;
  label: string;
}

export interface TimeTicks {
  /** Distance between ticks, ms. */
  step: number;
  /** Unit the labels use. */
  unit: 'µs' | 'ms' | 's';
  ticks: TimeTick[];
  /** Unlabelled minor ticks between the labelled ones (step / 5 or / 2). */
  minor: number[];
}

const UNIT_MS = { µs: 1e-3, ms: 1, s: 1000 } as const;

/**
 * Ticks for the visible range [t0, t1] on an axis `widthPx` wide: a 1-2-5 step leaving at least
 * `minSpacingPx` between labels, and one unit for the whole axis, chosen from the step so labels
 * stay short ("1.2 s" rather than "1200 ms", "350 µs" rather than "0.35 ms").
 */
export function computeTimeTicks(t0: number, t1: number, widthPx: number, minSpacingPx = 90): TimeTicks {
  const span = Math.max(t1 - t0, 1e-9);
  const msPerPx = span / Math.max(1, widthPx);
  const raw = msPerPx * minSpacingPx;
  const pow = Math.pow(10, Math.floor(Math.log10(raw)));
  let step = 10 * pow;
  let minorDiv = 5;
  for (const [m, div] of [
    [1, 5],
    [2, 4],
    [5, 5],
  ] as const) {
    if (m * pow >= raw) {
      step = m * pow;
      minorDiv = div;
      break;
    }
  }
  const unit: TimeTicks['unit'] = step >= 100 ? 's' : step >= 0.1 ? 'ms' : 'µs';
  const inUnit = step / UNIT_MS[unit];
  const decimals = Math.max(0, Math.min(6, Math.ceil(-Math.log10(inUnit) - 1e-9)));
  const ticks: TimeTick[] = [];
  const minor: number[] = [];
  const first = Math.ceil(t0 / step);
  const last = Math.floor(t1 / step);
  // A hard cap keeps a degenerate width from producing millions of ticks.
  for (let k = first; k <= last && ticks.length < 1000; k++) {
    const t = k * step;
    const v = t / UNIT_MS[unit];
    ticks.push({ t, label: `${fixNegZero(v.toFixed(decimals))} ${unit}` });
  }
  const mstep = step / minorDiv;
  const mfirst = Math.ceil(t0 / mstep);
  const mlast = Math.floor(t1 / mstep);
  for (let k = mfirst; k <= mlast && minor.length < 5000; k++) if (k % minorDiv !== 0) minor.push(k * mstep);
  return { step, unit, ticks, minor };
}

function fixNegZero(s: string): string {
  return /^-0(\.0+)?$/.test(s) ? s.slice(1) : s;
}
