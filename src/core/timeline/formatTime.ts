/**
 * Human-readable durations with a unit that fits the magnitude (µs, ms, s, min) and about three
 * significant digits: what a person reading a timeline wants ("1.00 s", "12.4 ms", "350 µs").
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const a = Math.abs(ms);
  const sign = ms < 0 ? '-' : '';
  if (a === 0) return '0 ms';
  if (a < 1) return sign + sig3(a * 1000) + ' µs';
  if (a < 1000) return sign + sig3(a) + ' ms';
  if (a < 60_000) return sign + (a / 1000).toFixed(2) + ' s';
  const m = Math.floor(a / 60_000);
  return `${sign}${m} min ${((a - m * 60_000) / 1000).toFixed(1)} s`;
}

/** A point in trace time, a little more precise than a duration ("1.0012 s", "0.350 ms"). */
export function formatTimestamp(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  const a = Math.abs(ms);
  if (a === 0) return '0 ms';
  if (a < 1) return (ms * 1000).toFixed(1).replace(/\.0$/, '') + ' µs';
  if (a < 1000) return ms.toFixed(3).replace(/\.?0+$/, '') + ' ms';
  return (ms / 1000).toFixed(4) + ' s';
}

function sig3(v: number): string {
  if (v >= 100) return v.toFixed(0);
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(2);
}
