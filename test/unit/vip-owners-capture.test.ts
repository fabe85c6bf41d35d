/**
 * The pure pipeline on a real capture: frames → VRRP adverts and ARP claims → VIP owners judged with
 * the capture's clock. keepalived-v2-arp-split.pcap (scripts/record-neighbor-fixtures.sh) is a client's
 * view of a pair: a master, a split made by dropping VRRP at b (both answer the client's ARP requests),
 * the split healed, then a graceful failover to b. Masters here are taken simply as routers whose last
 * advert (priority > 0) is under 3.6 s old; the monitor's own judgement replaces this in the wiring.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readCaptureFile } from '../../src/adapters/capture-file.js';
import { decodeFrame } from '../../src/core/wire/decode.js';
import { readLinkHeader } from '../../src/core/wire/link-header.js';
import { claimOf, decodeNeighbor } from '../../src/core/wire/neighbor.js';
import { VipOwners } from '../../src/core/ownership/vip-owners.js';
import type { GroupKey } from '../../src/core/base/keys.js';
import { CAPTURES } from '../helpers/fixtures.js';

const KEY: GroupKey = { interface: 'eth0', family: 'ipv4', vrid: 51 };
const VIP = '192.0.2.100';
const A = '192.0.2.11';
const B = '192.0.2.12';
const MAC_A = '02:00:00:00:01:01';
const MAC_B = '02:00:00:00:02:01';

interface Frame {
  ts: number;
  linkType: number;
  data: Uint8Array;
}

interface Episode {
  /** Seconds since the first frame, per judgement (once a second): the findings. */
  timeline: { at: number; duplicate: boolean; foreign: readonly string[]; owners: readonly string[] }[];
  failoversWithoutGarp: number;
}

let frames: Frame[] = [];

/** Replays the capture; `dropAnnouncements` leaves out gratuitous ARP as a master that sends none would. */
function replay(dropAnnouncements: boolean): Episode {
  const owners = new VipOwners();
  const last = new Map<string, { ts: number; priority: number }>();
  let masters: string[] = [];
  const start = frames[0]?.ts ?? 0;
  let tick = Math.ceil(start);
  const episode: Episode = { timeline: [], failoversWithoutGarp: 0 };
  const judge = (now: number): void => {
    const current = [...last].filter(([, a]) => a.priority > 0 && now - a.ts < 3.6).map(([r]) => r).sort();
    for (const r of current) if (masters.length > 0 && !masters.includes(r)) owners.observeFailover({ key: KEY, to: r, vips: [VIP], time: now });
    if (current.length > 0) masters = current;
    owners.setGroups([{ key: KEY, vips: [VIP], masters: current, routers: [...last.keys()] }], now);
    const view = owners.judge(now);
    const v = view.vips[0];
    assert.ok(v);
    episode.timeline.push({ at: now - start, duplicate: v.duplicate, foreign: v.foreign, owners: v.owners.map((o) => `${o.mac}=${o.router ?? '?'}`) });
    episode.failoversWithoutGarp = view.failoversWithoutGarp.reduce((n, c) => n + c.count, 0);
  };
  for (const f of frames) {
    for (; tick <= f.ts; tick++) judge(tick);
    const d = decodeFrame(f.linkType, f.data);
    if (d.kind === 'advert') {
      last.set(d.advert.src, { ts: f.ts, priority: d.advert.priority });
      const mac = readLinkHeader(f.linkType, f.data)?.source;
      if (mac !== undefined) owners.observeAdvertSource({ interface: 'eth0', router: d.advert.src, mac, time: f.ts });
      continue;
    }
    const n = decodeNeighbor(f.linkType, f.data);
    if (n.kind !== 'neighbor') continue;
    const claim = claimOf(n.message, n.link);
    if (claim === undefined || (dropAnnouncements && claim.kind === 'garp')) continue;
    owners.observeClaim({ interface: 'eth0', ...claim, time: f.ts });
  }
  for (const end = tick + 10; tick <= end; tick++) judge(tick);
  return episode;
}

describe('VIP owners on a real keepalived capture', () => {
  before(async () => {
    const got: Frame[] = [];
    await readCaptureFile(join(CAPTURES, 'keepalived-v2-arp-split.pcap'), (p) => got.push({ ts: p.ts, linkType: p.linkType, data: p.data.slice() }));
    frames = got;
  });

  it('judges the duplicate from the two answering MACs during the split only, and names both routers', () => {
    const { timeline } = replay(false);
    const duplicate = timeline.filter((t) => t.duplicate).map((t) => t.at);
    assert.ok(duplicate.length >= 2, `judged for ${duplicate.length} s`);
    // b starts answering at 11.6 s and stops at 20.2 s: judged after three rounds of two owners, gone after one of one.
    assert.ok((duplicate[0] ?? 0) >= 15 && (duplicate[duplicate.length - 1] ?? 99) <= 22, JSON.stringify(duplicate));
    const during = timeline.find((t) => t.duplicate);
    assert.deepEqual(during?.owners, [`${MAC_A}=${A}`, `${MAC_B}=${B}`]);
    assert.ok(timeline.every((t) => t.foreign.length === 0), 'both answering routers were masters: no foreign owner');
  });

  it('judges nothing on the graceful failover to b, though both answered in its round, and ends with b the only owner', () => {
    const { timeline } = replay(false);
    const after = timeline.filter((t) => t.at > 23);
    assert.ok(after.some((t) => t.owners.length === 2), 'a answered until it stopped, b from its takeover');
    assert.ok(after.every((t) => !t.duplicate && t.foreign.length === 0));
    assert.deepEqual(after.filter((t) => t.owners.length > 0).at(-1)?.owners, [`${MAC_B}=${B}`]);
  });

  it("counts no failover without gratuitous ARP, but both of b's takeovers when its announcements are left out", () => {
    assert.equal(replay(false).failoversWithoutGarp, 0);
    assert.equal(replay(true).failoversWithoutGarp, 2, 'the split (b became master) and the graceful failover');
  });
});
