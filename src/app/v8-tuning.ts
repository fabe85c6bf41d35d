/**
 * V8 flags for the long-running exporter, and why: views of every group are built each second and by
 * every scrape, and they die young. Set once at serve's start, before the first view. Node's documentation
 * warns that flags set after start-up may not take effect: `npm run bench v8-flags` measures that these
 * do, as much as on the command line (docs/benchmarks.md), so that replay and once keep V8's defaults.
 */
import { setFlagsFromString } from 'node:v8';

export function tuneV8ForViews(): void {
  // Views of every group are built each second and by every scrape, and a scrape keeps its views for
  // the milliseconds of a render. V8's allocation-site pretenuring takes that for long life and then
  // allocates every later view straight into the old generation, which grew by megabytes a second at
  // 1,000 groups. Views die young: let them.
  setFlagsFromString('--no-allocation-site-pretenuring');
  // Some of a scrape's views still reach the old generation (a scavenge during a render moves their
  // pages there whole). V8 lets the old generation grow to four times what was live at the last full
  // collection before it collects again: on a small heap such as this one that was 60 MB of dead views
  // between collections under frequent scrapes. Growing by 30% keeps the resident size near what is
  // live, for a full collection (a few ms at this size) every few seconds at worst.
  setFlagsFromString('--heap-growing-percent=30');
}
