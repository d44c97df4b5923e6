/**
 * The product's one way to print a length of time (editor hints, lenses, the text timeline, the
 * CLI, the viewer's tooltips, details and table): a unit that fits the magnitude (µs, ms, s, min)
 * and three significant digits — "350 µs", "12.3 ms", "120 ms", "1.00 s", "12.4 s", "1 min 1.5 s".
 * The value is rounded before the unit is chosen, so 999.6 ms reads "1.00 s", never "1000 ms".
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const sign = ms < 0 ? '-' : '';
  const a = Math.abs(ms);
  if (a === 0) return '0 ms';
  if (a < 1) {
    const us = sig3(a * 1000);
    if (us !== '1000') return `${sign}${us} µs`;
  }
  if (a < 1000) {
    const v = sig3(a);
    if (v !== '1000') return `${sign}${v} ms`;
  }
  if (a < 60_000) {
    const v = sig3(a / 1000);
    if (Number(v) < 60) return `${sign}${v} s`;
  }
  // Minutes and tenths of a second; the tenths are rounded first so "1 min 60.0 s" cannot happen.
  const tenths = Math.round(a / 100);
  const min = Math.floor(tenths / 600);
  return `${sign}${min} min ${((tenths - min * 600) / 10).toFixed(1)} s`;
}

/** A point in trace time, a little more precise than a duration ("1.0012 s", "0.35 ms", "350 µs"). */
export function formatTimestamp(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const a = Math.abs(ms);
  if (a === 0) return '0 ms';
  if (a < 1) return (ms * 1000).toFixed(1).replace(/\.0$/, '') + ' µs';
  if (a < 1000) return ms.toFixed(3).replace(/\.?0+$/, '') + ' ms';
  return (ms / 1000).toFixed(4) + ' s';
}

/** Three significant digits for 1 ≤ v < 1000 (it may round up to "1000", which callers carry). */
function sig3(v: number): string {
  if (v >= 99.95) return v.toFixed(0);
  if (v >= 9.995) return v.toFixed(1);
  return v.toFixed(2);
}
