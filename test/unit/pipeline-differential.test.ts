/**
 * serve and replay run one pipeline: every capture fixture, replayed (`replay`, frames only, judged at
 * its last packet) and fed to the live path frame by frame with a view every second of capture time
 * (serve's tick) on the same clock, gives the same groups, masters, failovers with their causes,
 * findings and VIP owners, at the end and over the whole capture.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readCaptureFile } from '../../src/adapters/capture-file.js';
import { replay } from '../../src/app/replay.js';
import { findings } from '../../src/core/findings/findings.js';
import { noVipFindings } from '../../src/core/history/vip-history.js';
import { DEFAULT_OWNER_SETTINGS } from '../../src/core/ownership/owner-settings.js';
import { liveSettings, Pipeline } from '../../src/core/pipeline/pipeline.js';
import type { PipelineView } from '../../src/core/pipeline/pipeline.js';
import { groupId } from '../../src/core/base/keys.js';
import type { MonitorEvent } from '../../src/core/groups/types.js';
import { CAPTURES } from '../helpers/fixtures.js';

/** What both paths must agree on, in plain values. */
function judged(view: PipelineView): unknown {
  return {
    groups: view.groups.map((g) => ({ id: groupId(g.key), masters: g.masters, routers: g.routers.map((r) => [r.address, r.master, r.priority]) })).sort((a, b) => (a.id < b.id ? -1 : 1)),
    findings: findings(view).map((f) => [f.kind, f.key === undefined ? null : groupId(f.key), f.scope]),
    owners: view.owners.vips.map((v) => ({ vip: `${v.interface}|${v.vip}`, owners: v.owners.map((o) => [o.mac, o.router ?? null]), duplicate: v.duplicate, foreign: v.foreign })),
    withoutGarp: view.owners.failoversWithoutGarp.map((m) => [groupId(m.key), m.count]),
  };
}

/**
 * The live path: serve's settings and a view at each second, keeping the history too (what replay's
 * report is made of), so that the two can be compared over the whole capture and not only at its end.
 */
async function live(file: string): Promise<{ view: PipelineView | undefined; failovers: unknown[]; histories: unknown[] }> {
  const failovers: unknown[] = [];
  const sink = (e: MonitorEvent): void => {
    if (e.type === 'failover') failovers.push({ group: e.group.id, time: e.time, from: e.from, to: e.to, ...e.reason });
  };
  const pipeline = new Pipeline({ ...liveSettings({ started: 0, expected: [], groupExpirySeconds: Infinity, sink, owners: DEFAULT_OWNER_SETTINGS }), history: true });
  let tick: number | undefined;
  const result = await readCaptureFile(file, (p) => {
    tick ??= Math.ceil(p.ts);
    for (; tick <= p.ts; tick++) pipeline.view(tick);
    pipeline.frame(p.interfaceName, p.linkType, p.bytes, p.offset, p.length, p.ts);
  });
  const view = result.last === undefined ? undefined : pipeline.view(result.last);
  const histories = (pipeline.timeline?.histories(pipeline.monitor, pipeline.routerErrors) ?? []).map((h) => ({ ...h, ...(pipeline.ownerHistory?.of(h) ?? noVipFindings()) }));
  return { view, failovers, histories };
}

describe('one pipeline: replay and the live path agree on every capture fixture', () => {
  /** What the fixtures gave to compare, over all of them: a comparison of empty lists proves nothing. */
  const compared = { failovers: 0, findings: 0, owners: 0 };
  const files = readdirSync(CAPTURES).filter((f) => /\.pcap(ng)?$/.test(f));
  it('has fixtures to compare', () => {
    assert.ok(files.length >= 5, files.join(', '));
  });
  for (const name of files) {
    it(name, async () => {
      const file = join(CAPTURES, name);
      const replayed = await replay({ file });
      const watched = await live(file);
      assert.ok(replayed.final !== undefined && watched.view !== undefined);
      assert.ok(replayed.final.groups.length > 0, 'the fixture has groups');
      assert.deepEqual(judged(watched.view), judged(replayed.final));
      const replayedFailovers = replayed.report.groups.flatMap((h) => h.failovers.map((f) => ({ group: groupId(h), ...f })));
      const byTime = (a: unknown, b: unknown): number => (a as { time: number }).time - (b as { time: number }).time;
      assert.deepEqual(watched.failovers.sort(byTime), replayedFailovers.sort(byTime));
      // Over the whole capture: masters, failovers, splits, mismatches, and who answered for each VIP when.
      const replayedHistories = replayed.report.groups.map((h) => Object.fromEntries(Object.entries(h).filter(([k]) => k !== 'foreign_traffic')));
      assert.deepEqual(watched.histories, replayedHistories);
      compared.failovers += replayedFailovers.length;
      compared.findings += findings(replayed.final).length;
      compared.owners += replayed.report.groups.reduce((n, h) => n + h.vip_owners.length, 0);
    });
  }
  it('compared failovers, findings and VIP owners', () => {
    assert.ok(compared.failovers > 0 && compared.findings > 0 && compared.owners > 0, JSON.stringify(compared));
  });
});
