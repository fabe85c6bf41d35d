/**
 * Which of keepalived's trackers must be failing, told from the priority this node's own adverts carry:
 * keepalived moves an instance's priority by the weights of its track_script (and track_interface)
 * entries, so the configured priority, the weights and the advertised priority say which ones fail.
 * A subset-sum over a bounded number of weights; several combinations that fit are reported as such,
 * and trackers whose effect cannot be known (track_file multiplies the file's number) as uncertain. Pure.
 */

/** A tracker of a vrrp_instance with its effective weight (the instance's override, else the vrrp_script's). */
export interface Tracker {
  kind: 'script' | 'interface' | 'file';
  name: string;
  /** keepalived's weight: 0 puts the instance in FAULT instead of moving its priority. */
  weight: number;
  /** `weight N reverse`: the adjustment goes the other way. */
  reverse: boolean;
}

/** What an instance's priority is made of. */
export interface InstanceTracking {
  /** The configured `priority`. */
  priority: number;
  trackers: Tracker[];
}

export interface TrackJudgement {
  configured: number;
  /** The priority with every tracker succeeding. */
  healthy: number;
  advertised: number;
  /** Each combination of failing trackers that gives the advertised priority (at most SOLUTIONS_KEPT). */
  solutions: Tracker[][];
  /** Trackers failing in every combination (the ones that must be failing). */
  failing: Tracker[];
  /** Trackers whose effect on the priority cannot be known (track_file, or beyond the bound). */
  uncertain: Tracker[];
}

/** At most this many weights are combined (2^12 subsets); the rest are reported as uncertain. */
export const MAX_TRACKERS_COMBINED = 12;
const SOLUTIONS_KEPT = 4;

/** The priority change when the tracker fails, from its healthy state. */
function failDelta(t: Tracker): number {
  const down = t.weight < 0 ? t.weight : -t.weight;
  return t.reverse ? -down : down;
}

/** The tracker's share of the healthy priority: a positive weight is added while it succeeds. */
function healthyShare(t: Tracker): number {
  return (t.weight > 0) !== t.reverse ? t.weight : 0;
}

/** keepalived keeps a tracked priority within 1..254; the address owner (255) is never moved. */
function clamp(configured: number, p: number): number {
  return configured === 255 ? 255 : Math.min(254, Math.max(1, p));
}

/**
 * The trackers that explain `advertised` (undefined when the priority is the healthy one, or the
 * advert is a resignation). `configured` 255 never moves, so nothing is attributed then.
 */
export function attributePriority(tracking: InstanceTracking, advertised: number): TrackJudgement | undefined {
  if (advertised === 0 || tracking.priority === 255) return undefined;
  const moving = tracking.trackers.filter((t) => t.weight !== 0 && t.kind !== 'file');
  const combined = moving.slice(0, MAX_TRACKERS_COMBINED);
  const uncertain = [...tracking.trackers.filter((t) => t.weight !== 0 && t.kind === 'file'), ...moving.slice(MAX_TRACKERS_COMBINED)];
  const base = tracking.priority + moving.reduce((sum, t) => sum + healthyShare(t), 0);
  const healthy = clamp(tracking.priority, base);
  if (advertised === healthy) return undefined;
  const solutions: Tracker[][] = [];
  let found = 0;
  // Fewest failing first: subsets by size, then in index order.
  const masks = Array.from({ length: 1 << combined.length }, (_, m) => m).sort((a, b) => bits(a) - bits(b) || a - b);
  for (const mask of masks) {
    if (mask === 0) continue;
    let p = base;
    for (let i = 0; i < combined.length; i++) if ((mask & (1 << i)) !== 0) p += failDelta(combined[i] as Tracker);
    if (clamp(tracking.priority, p) !== advertised) continue;
    found++;
    if (solutions.length < SOLUTIONS_KEPT) solutions.push(combined.filter((_, i) => (mask & (1 << i)) !== 0));
  }
  const first = solutions[0] ?? [];
  const failing = found === 0 ? [] : first.filter((t) => solutions.every((s) => s.includes(t)));
  return { configured: tracking.priority, healthy, advertised, solutions, failing, uncertain };
}

function bits(m: number): number {
  let n = 0;
  for (let x = m; x !== 0; x &= x - 1) n++;
  return n;
}

function trackerText(t: Tracker): string {
  const what = t.kind === 'script' ? t.name : `${t.kind === 'interface' ? 'interface' : 'track_file'} ${t.name}`;
  return `${what} (weight ${t.weight}${t.reverse ? ' reverse' : ''}) ${t.kind === 'interface' ? 'down' : 'failing'}`;
}

/** In words: `priority 150 -> 145: check_nginx (weight -5) failing`. */
export function trackText(j: TrackJudgement): string {
  const head = `priority ${j.healthy} -> ${j.advertised}`;
  const uncertain = j.uncertain.length === 0 ? '' : ` (${j.uncertain.map((t) => `${t.kind === 'file' ? 'track_file ' : ''}${t.name}`).join(', ')} may move it too)`;
  if (j.solutions.length === 0) {
    const weights = j.uncertain.length > 0 ? 'the weights vrrpwatch can combine' : 'the tracked weights';
    return `${head}: no combination of ${weights} explains it${uncertain}`;
  }
  const ways = j.solutions.map((s) => s.map(trackerText).join(' and '));
  return `${head}: ${ways.length === 1 ? ways[0] ?? '' : `either ${ways.join(', or ')}`}${uncertain}`;
}
