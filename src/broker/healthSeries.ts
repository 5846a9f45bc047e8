/**
 * Time series for pool health: the management API's own timestamped samples (`*_details.samples`, taken every
 * collect_statistics_interval, 5 s by default) merged across polls, or, where the broker keeps none (rates_mode = none,
 * a queue too new to have samples), what we read at the time we read it. Pure maths: least-squares slopes, the time a
 * counter last changed, all with the resolution the samples allow and no more.
 */

/** One reading: `t` in epoch ms (the broker's sample time, or our read time when `observed`), `v` the value. */
export interface Point { t: number; v: number }

/** What the management API returns with `lengths_age` / `msg_rates_age`: newest first. */
export interface ApiSampleDetails {
  rate?: number;
  samples?: { sample: number; timestamp: number }[];
}

/** The samples of one `*_details` object, oldest first; [] when there are none or they are malformed. */
export function pointsOf(d: ApiSampleDetails | undefined): Point[] {
  const raw = Array.isArray(d?.samples) ? d!.samples : [];
  return raw
    .filter((s) => s && typeof s.sample === 'number' && Number.isFinite(s.sample) && typeof s.timestamp === 'number' && Number.isFinite(s.timestamp))
    .map((s) => ({ t: s.timestamp, v: s.sample }))
    .sort((a, b) => a.t - b.t);
}

/** `a` and `b` merged by time (a later reading of the same instant wins), oldest first, none older than `keepFromT`. */
export function mergePoints(a: readonly Point[], b: readonly Point[], keepFromT = -Infinity): Point[] {
  const m = new Map<number, number>();
  for (const p of a) { m.set(p.t, p.v); }
  for (const p of b) { m.set(p.t, p.v); }
  return [...m].filter(([t]) => t >= keepFromT).sort(([x], [y]) => x - y).map(([t, v]) => ({ t, v }));
}

/** The points within `windowMs` of the newest one. */
export function lastWindow(points: readonly Point[], windowMs: number): Point[] {
  if (!points.length) { return []; }
  const end = points[points.length - 1].t;
  return points.filter((p) => p.t >= end - windowMs);
}

/**
 * Least-squares slope in units per second, or null with fewer than two points or points that span no time. A
 * regression rather than (last − first) / Δt so that one odd sample (the stats lag, a burst) moves it less.
 */
export function slopePerSecond(points: readonly Point[]): number | null {
  if (points.length < 2) { return null; }
  const t0 = points[0].t;
  const xs = points.map((p) => (p.t - t0) / 1000);
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = points.reduce((s, p) => s + p.v, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) { sxx += (xs[i] - mx) ** 2; sxy += (xs[i] - mx) * (points[i].v - my); }
  return sxx > 0 ? sxy / sxx : null;
}

/** A counter's rate: the slope of its samples over the window, never negative (a counter reset reads as 0). */
export function counterRate(points: readonly Point[], windowMs: number): number | null {
  const s = slopePerSecond(lastWindow(points, windowMs));
  return s === null ? null : Math.max(0, s);
}

export interface LastChange {
  /**
   * The first sample that showed the counter's current value: the change happened after the sample before it and at
   * or before this one. Undefined when the counter did not change within the points held.
   */
  changedBy?: number;
  /** The sample before `changedBy` (the change happened after it); undefined when `changedBy` is the first point. */
  changedAfter?: number;
  /** The oldest point held: without a change, the counter has been constant at least since then. */
  since?: number;
}

/** When a counter last changed, as far as the samples tell (resolution: the sampling interval). */
export function lastChange(points: readonly Point[]): LastChange {
  if (!points.length) { return {}; }
  const since = points[0].t;
  for (let i = points.length - 1; i > 0; i--) {
    if (points[i].v !== points[i - 1].v) { return { changedBy: points[i].t, changedAfter: points[i - 1].t, since }; }
  }
  return { since };
}

/** The sampling interval the points show (median gap), in seconds; undefined with fewer than two points. */
export function resolutionSeconds(points: readonly Point[]): number | undefined {
  if (points.length < 2) { return undefined; }
  const gaps = points.slice(1).map((p, i) => p.t - points[i].t).sort((a, b) => a - b);
  return Math.round(gaps[Math.floor(gaps.length / 2)] / 100) / 10;
}

/**
 * Where a backlog goes at its current slope: `drainSeconds` from now (the last sample's value, less what the slope
 * removed since that sample was taken) when it shrinks, `growingPerSecond` when it grows. A slope within ±`flatPerSecond`
 * is flat: an empty backlog then "drains" in 0 s, a non-empty one in an unknown time (null), and it grows by 0.
 * `valueLagMs`: how much older than its timestamp a sample's value is. Queues report their depth to the statistics
 * database once per interval, so the sample stamped T holds a value from before T: measured on 3.10 with a queue
 * drained at a known rate, 5-7 s before, i.e. about one statistics interval, which is what the tracker passes.
 */
export function backlogVerdict(points: readonly Point[], windowMs: number, now: number, flatPerSecond = 0.05, valueLagMs = 0): { drainSeconds: number | null; growingPerSecond: number | null; slope: number | null } {
  const w = lastWindow(points, windowMs);
  let slope = slopePerSecond(w);
  // A burst inside the window (a backlog published at once, or the zeros the API reports for the time before a queue
  // existed) can tilt the regression against what the backlog does now: when the last interval goes clearly the other
  // way, the last interval wins. A repeated sample (the statistics' own lag) is flat and does not count as the other way.
  const recent = slopePerSecond(w.slice(-2));
  if (slope !== null && recent !== null && ((slope > flatPerSecond && recent < -flatPerSecond) || (slope < -flatPerSecond && recent > flatPerSecond))) { slope = recent; }
  const last = points[points.length - 1];
  if (!last) { return { drainSeconds: null, growingPerSecond: null, slope: null }; }
  if (slope === null) {
    return last.v === 0 ? { drainSeconds: 0, growingPerSecond: 0, slope } : { drainSeconds: null, growingPerSecond: null, slope };
  }
  if (slope > flatPerSecond) { return { drainSeconds: null, growingPerSecond: slope, slope }; }
  if (slope < -flatPerSecond) {
    const left = last.v / -slope - Math.max(0, now - (last.t - valueLagMs)) / 1000;
    return { drainSeconds: Math.max(0, left), growingPerSecond: 0, slope };
  }
  return { drainSeconds: last.v === 0 ? 0 : null, growingPerSecond: 0, slope };
}

/**
 * A counter's rate between each pair of consecutive samples, per second, stamped at the later sample: what a "rate over
 * time" chart draws. A drop (a counter reset: the queue was re-declared, the channel re-opened) gives no point rather
 * than a negative rate; samples that span no time give none either.
 */
export function intervalRates(points: readonly Point[]): Point[] {
  const out: Point[] = [];
  for (let i = 1; i < points.length; i++) {
    const dt = (points[i].t - points[i - 1].t) / 1000;
    const dv = points[i].v - points[i - 1].v;
    if (dt > 0 && dv >= 0) { out.push({ t: points[i].t, v: dv / dt }); }
  }
  return out;
}

/**
 * Two rate series joined by time for one chart: a row per instant either has, `null` where one of them has no value
 * then (not 0: unknown is not idle). Oldest first.
 */
export function joinRates(a: readonly Point[], b: readonly Point[]): { t: number; a: number | null; b: number | null }[] {
  const m = new Map<number, { a: number | null; b: number | null }>();
  for (const p of a) { m.set(p.t, { a: p.v, b: null }); }
  for (const p of b) { const r = m.get(p.t); if (r) { r.b = p.v; } else { m.set(p.t, { a: null, b: p.v }); } }
  return [...m].sort(([x], [y]) => x - y).map(([t, r]) => ({ t, ...r }));
}
