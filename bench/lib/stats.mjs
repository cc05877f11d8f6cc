// Small statistics helpers for the benchmark results. Percentiles use linear interpolation between the two
// nearest ranks (the "R-7" definition used by spreadsheets and numpy's default).

/** @param {number[]} values */
export function percentile(values, p) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

/** Median, p5, p95, min, max, mean and count of a sample; nulls when the sample is empty. */
export function summarize(values, digits = 3) {
  const finite = values.filter((v) => Number.isFinite(v));
  const round = (v) => (v === null ? null : Number(v.toFixed(digits)));
  if (finite.length === 0) return { n: 0, median: null, p5: null, p95: null, min: null, max: null, mean: null };
  return {
    n: finite.length,
    median: round(percentile(finite, 50)),
    p5: round(percentile(finite, 5)),
    p95: round(percentile(finite, 95)),
    min: round(Math.min(...finite)),
    max: round(Math.max(...finite)),
    mean: round(finite.reduce((a, b) => a + b, 0) / finite.length),
  };
}
