/**
 * What the families of one scrape read: the snapshot of the views, and the groups heard or expected,
 * matched once per scrape and given their label text, which every family then walks.
 */
import type { SourceStatus } from './health.js';
import type { CaptureStatus } from '../adapters/capture.js';
import type { WebCounters } from '../adapters/http.js';
import type { ProbeResult } from '../adapters/pinger.js';
import type { KeepalivedState } from '../core/expect/keepalived-conf.js';
import type { NodeGroupView } from '../core/node/node.js';
import { findings, findingsByGroup } from '../core/findings/findings.js';
import type { Finding } from '../core/findings/findings.js';
import type { ForeignDisturbance, ForeignTraffic } from '../core/groups/foreign.js';
import type { RouterErrorCount } from '../core/groups/router-errors.js';
import type { GroupView } from '../core/groups/views.js';
import type { GroupKey } from '../core/base/keys.js';
import type { VipConflict } from '../core/groups/vips.js';
import type { OwnershipView } from '../core/ownership/vip-owners.js';
import type { Pipeline, PipelineView } from '../core/pipeline/pipeline.js';
import type { GroupLabels, LabelCache } from './exposition.js';

export interface MetricsSnapshot {
  groups: readonly GroupView[];
  node: readonly NodeGroupView[];
  /** Groups sharing a VIP with another VRID's master, by the view's key. */
  conflicts: ReadonlyMap<GroupKey, readonly VipConflict[]>;
  /** Foreign traffic disturbing a group now, by group id. */
  foreign?: ReadonlyMap<string, readonly ForeignDisturbance[]>;
  /** The foreign traffic heard, for the series that stay at 0 after it stopped (until forgotten). */
  foreignTable?: ForeignTraffic;
  invalid: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** ARP and NDP frames refused by the neighbor decoder, by reason (absent: none decoded). */
  neighborInvalid?: ReadonlyMap<string, number>;
  captures: readonly CaptureStatus[];
  probes: readonly ProbeResult[];
  /** Who answers for each VIP on the wire; undefined where ownership is not watched. */
  owners?: OwnershipView;
  evictions: { group: number; router: number };
  keepalived: ReadonlyMap<string, KeepalivedState>;
  config: { lastReloadOk: boolean; lastReloadAt: number };
  /** The HTTP server's limits at work (absent until it listens). */
  web?: WebCounters | undefined;
  /** Exceptions that reached the top and were caught there. */
  uncaughtErrors?: number;
  /** notify_fifo lines dropped for being too long. */
  notifyFifoLinesDropped?: number;
  /** Log lines held back by the log's rate bound, by kind (outputs/log-budget.ts). */
  logLinesHeldBack?: ReadonlyMap<string, number>;
  /** Per-router error counts of the groups that have any, by the view's key (absent: none). */
  routerErrors?: ReadonlyMap<GroupKey, readonly RouterErrorCount[]>;
  /** VIPs the VIP probe did not probe, by reason (absent: the probe is off). */
  probesSkipped?: ReadonlyMap<string, number>;
  /** keepalived.conf and notify_fifo, when configured, and whether each is read now. */
  sources?: readonly SourceStatus[];
}

/** The part of a scrape's snapshot that the frame pipeline and its view of this moment give. */
export function pipelineSnapshot(view: PipelineView, pipeline: Pipeline): Pick<MetricsSnapshot, 'groups' | 'node' | 'conflicts' | 'foreign' | 'foreignTable' | 'invalid' | 'neighborInvalid' | 'owners' | 'evictions' | 'routerErrors'> {
  return {
    groups: view.groups,
    node: view.node,
    conflicts: view.conflicts,
    foreign: view.foreign,
    foreignTable: pipeline.foreign,
    invalid: pipeline.invalid,
    neighborInvalid: pipeline.neighborInvalid,
    owners: view.owners,
    evictions: pipeline.monitor.evictions,
    routerErrors: view.routerErrors,
  };
}

/** Hands one sample to a family: its label text (bytes kept between scrapes, or a `labelText`) and value. */
export type Emit = (labels: Uint8Array | string, value: number) => void;
/** What a hand-written family writes of a scrape. */
export type Fill = (emit: Emit, s: Scrape) => void;

/** One group as the families see it: heard (view), expected (node) or both, with its label text. */
export interface ScrapeGroup {
  view: GroupView | undefined;
  node: NodeGroupView | undefined;
  text: GroupLabels;
  /** Label text of each router of the view, in the view's order (looked up once per scrape). */
  routers: Buffer[];
}

/** What every family of one scrape shares, built once from the snapshot. */
export class Scrape {
  /** Every group heard or expected: the node's groups first, then the ones only heard. */
  readonly groups: ScrapeGroup[] = [];
  /** The groups heard, in the view's order. */
  readonly heard: ScrapeGroup[] = [];
  /** The core's findings, by group key (only groups with a finding are in it). */
  readonly findings: ReadonlyMap<GroupKey, readonly Finding[]>;
  /** The label text kept between scrapes. */
  readonly labels: LabelCache;

  constructor(
    readonly s: MetricsSnapshot,
    cache: LabelCache,
  ) {
    // The node's judgement of a heard group carries that group's view.
    const byView = new Map<GroupView, ScrapeGroup>();
    for (const v of s.groups) {
      const text = cache.group(v.key);
      const routers: Buffer[] = [];
      for (const r of v.routers) routers.push(text.router(r.address));
      const g = { view: v, node: undefined, text, routers };
      byView.set(v, g);
      this.heard.push(g);
    }
    const nodeGroups = new Set<ScrapeGroup>();
    for (const n of s.node) {
      const heard = n.view === undefined ? undefined : byView.get(n.view);
      if (heard !== undefined) {
        heard.node = n;
        nodeGroups.add(heard);
        this.groups.push(heard);
      } else {
        this.groups.push({ view: undefined, node: n, text: cache.group(n.key), routers: [] });
      }
    }
    for (const g of this.heard) if (!nodeGroups.has(g)) this.groups.push(g);
    for (const g of this.groups) g.text.prune(g.view, g.node);
    cache.pruneVips(s.owners?.vips.length ?? 0);
    this.labels = cache;
    this.findings = findingsByGroup(findings(s));
  }
}
