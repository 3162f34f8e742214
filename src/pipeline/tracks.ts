/**
 * Boxes drawn between detection results: each new result is matched to the boxes on screen
 * (same class, best IoU first), and a matched box glides from where it is drawn now to its new
 * place instead of jumping; new boxes fade in, boxes that vanish fade out after a short grace.
 */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface TrackInput {
  box: Box;
  label: string;
  classId: number;
  score: number;
}

export interface DrawnBox extends TrackInput {
  /** Stable id while the object is tracked (for colours, keys). */
  trackId: number;
  /** 0..1, for fading in and out. */
  opacity: number;
}

export function iou(a: Box, b: Box): number {
  const x1 = Math.max(a.x, b.x);
  const y1 = Math.max(a.y, b.y);
  const x2 = Math.min(a.x + a.width, b.x + b.width);
  const y2 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

export function lerp(a: number, b: number, t: number): number {
  return a + (b - a) * t;
}

export function lerpBox(a: Box, b: Box, t: number): Box {
  const k = Math.min(1, Math.max(0, t));
  return {
    x: lerp(a.x, b.x, k),
    y: lerp(a.y, b.y, k),
    width: lerp(a.width, b.width, k),
    height: lerp(a.height, b.height, k),
  };
}

/**
 * Greedy matching of previous boxes to new detections: pairs with the same class, highest IoU
 * first, each used once, IoU at least `minIou`. Returns [prevIndex, nextIndex] pairs.
 */
export function matchBoxes(
  prev: readonly { box: Box; classId: number }[],
  next: readonly { box: Box; classId: number }[],
  minIou = 0.2,
): [number, number][] {
  const pairs: { i: number; j: number; v: number }[] = [];
  prev.forEach((p, i) =>
    next.forEach((n, j) => {
      if (p.classId !== n.classId) return;
      const v = iou(p.box, n.box);
      if (v >= minIou) pairs.push({ i, j, v });
    }),
  );
  pairs.sort((a, b) => b.v - a.v);
  const usedP = new Set<number>();
  const usedN = new Set<number>();
  const out: [number, number][] = [];
  for (const { i, j } of pairs) {
    if (usedP.has(i) || usedN.has(j)) continue;
    usedP.add(i);
    usedN.add(j);
    out.push([i, j]);
  }
  return out;
}

interface Track {
  id: number;
  label: string;
  classId: number;
  score: number;
  from: Box;
  to: Box;
  t0: number;
  t1: number;
  /** When it was first shown (fade in) and, once unmatched, when it started fading out. */
  bornAt: number;
  lostAt: number | null;
}

export interface TrackerOptions {
  /** Longest glide between two results, ms (the glide also never outlasts the result interval). */
  maxGlideMs?: number;
  fadeInMs?: number;
  /** How long an unmatched box stays (fading) before it is dropped, ms. */
  fadeOutMs?: number;
  minIou?: number;
}

export class BoxTracker {
  private tracks: Track[] = [];
  private nextId = 1;
  private readonly maxGlideMs: number;
  private readonly fadeInMs: number;
  private readonly fadeOutMs: number;
  private readonly minIou: number;

  constructor(opts: TrackerOptions = {}) {
    this.maxGlideMs = opts.maxGlideMs ?? 200;
    this.fadeInMs = opts.fadeInMs ?? 120;
    this.fadeOutMs = opts.fadeOutMs ?? 350;
    this.minIou = opts.minIou ?? 0.2;
  }

  /** Position of a track at time `now`. */
  private boxAt(t: Track, now: number): Box {
    const span = t.t1 - t.t0;
    return span > 0 ? lerpBox(t.from, t.to, (now - t.t0) / span) : t.to;
  }

  /**
   * Folds in a detection result received at `now`; `intervalMs` is the current time between
   * results, which bounds the glide so a box arrives before the next result does.
   */
  update(dets: readonly TrackInput[], now: number, intervalMs = this.maxGlideMs): void {
    const live = this.tracks.filter((t) => t.lostAt === null);
    const current = live.map((t) => ({ box: this.boxAt(t, now), classId: t.classId }));
    const pairs = matchBoxes(current, dets, this.minIou);
    const glide = Math.max(0, Math.min(this.maxGlideMs, intervalMs));
    const matchedTracks = new Set<number>();
    const matchedDets = new Set<number>();
    for (const [i, j] of pairs) {
      const t = live[i];
      const d = dets[j];
      t.from = current[i].box;
      t.to = { ...d.box };
      t.t0 = now;
      t.t1 = now + glide;
      t.score = d.score;
      t.label = d.label;
      matchedTracks.add(t.id);
      matchedDets.add(j);
    }
    for (const t of live) if (!matchedTracks.has(t.id)) t.lostAt = now;
    dets.forEach((d, j) => {
      if (matchedDets.has(j)) return;
      this.tracks.push({
        id: this.nextId++,
        label: d.label,
        classId: d.classId,
        score: d.score,
        from: { ...d.box },
        to: { ...d.box },
        t0: now,
        t1: now,
        bornAt: now,
        lostAt: null,
      });
    });
    this.prune(now);
  }

  /** Boxes to draw at `now`, interpolated, with opacity for fades. */
  at(now: number): DrawnBox[] {
    this.prune(now);
    return this.tracks.map((t) => {
      const fadeIn = this.fadeInMs > 0 ? Math.min(1, (now - t.bornAt) / this.fadeInMs) : 1;
      const fadeOut =
        t.lostAt === null ? 1 : Math.max(0, 1 - (now - t.lostAt) / Math.max(1, this.fadeOutMs));
      return {
        trackId: t.id,
        box: this.boxAt(t, now),
        label: t.label,
        classId: t.classId,
        score: t.score,
        opacity: Math.max(0, Math.min(fadeIn, fadeOut)),
      };
    });
  }

  /** Boxes currently tracked and not fading out (what the last result said). */
  current(): TrackInput[] {
    return this.tracks
      .filter((t) => t.lostAt === null)
      .map((t) => ({ box: t.to, label: t.label, classId: t.classId, score: t.score }));
  }

  clear(): void {
    this.tracks = [];
  }

  private prune(now: number): void {
    this.tracks = this.tracks.filter((t) => t.lostAt === null || now - t.lostAt < this.fadeOutMs);
  }
}
