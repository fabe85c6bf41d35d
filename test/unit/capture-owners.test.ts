/**
 * VIP ownership in replay, on episodes made here: a foreign owner beside the master, a VIP asked for and
 * not answered (only when the capture shows the asker's answers), a failover without a gratuitous ARP,
 * and how the text and HTML reports say them.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { advert } from '../helpers/adverts.js';
import { OwnershipFeed } from '../../src/core/pipeline/ownership-feed.js';
import { DEFAULT_OWNER_SETTINGS } from '../../src/core/ownership/owner-settings.js';
import { noVipFindings } from '../../src/core/history/vip-history.js';
import type { ArpMessage, LinkInfo, NdpMessage } from '../../src/core/wire/neighbor.js';
import { DEFAULT_SETTINGS, Monitor } from '../../src/core/groups/state.js';
import { Timeline } from '../../src/core/history/timeline.js';
import type { Advert } from '../../src/core/wire/types.js';
import { renderHtmlReport } from '../../src/outputs/html-replay.js';
import { renderText } from '../../src/outputs/report.js';
import type { ReplayGroup, ReplayReport } from '../../src/outputs/report.js';
import type { WatchedVip } from '../../src/core/ownership/vip-owners.js';

const T0 = 1_764_000_000;
const VIP = '192.0.2.100';
const A = '192.0.2.11';
const B = '192.0.2.12';
const CLIENT = '192.0.2.50';
const MAC_A = '02:00:00:00:01:01';
const MAC_B = '02:00:00:00:02:01';
const MAC_LEAK = '02:00:00:00:09:09';
const MAC_CLIENT = '02:00:00:00:05:05';
const BROADCAST = 'ff:ff:ff:ff:ff:ff';

function arp(op: 'request' | 'reply', senderMac: string, senderIp: string, targetMac: string, targetIp: string): ArpMessage {
  return { protocol: 'arp', op, senderMac, senderIp, targetMac, targetIp, gratuitous: senderIp === targetIp, probe: false };
}

type Step = { t: number; advert: Advert; mac: string } | { t: number; arp: ArpMessage | NdpMessage; outgoing?: boolean };

/** What `replay` does with a capture, on steps made here: monitor, timeline, ownership, report. */
function run(steps: Step[], watched: readonly WatchedVip[] = []): ReplayReport {
  const timeline = new Timeline();
  const owners = new OwnershipFeed({ owners: DEFAULT_OWNER_SETTINGS, passiveProbes: true, history: true });
  owners.watched = watched;
  const monitor = new Monitor({ ...DEFAULT_SETTINGS, groupExpirySeconds: Infinity }, (e) => {
    timeline.onEvent(e);
    owners.onEvent(e);
  });
  const sorted = [...steps].sort((a, b) => a.t - b.t);
  for (const s of sorted) {
    const time = T0 + s.t;
    owners.advance(monitor, time);
    if ('advert' in s) {
      monitor.advert('eth0', s.advert, time);
      timeline.advert('eth0', s.advert, time);
      owners.advertSource('eth0', s.advert.src, s.mac, time);
      owners.applied(monitor, time);
    } else {
      const link: LinkInfo = { vlans: [], source: s.arp.protocol === 'arp' ? s.arp.senderMac : s.arp.linkAddress, outgoing: s.outgoing };
      owners.begin(monitor, time);
      owners.neighbor('eth0', s.arp, link, time);
    }
  }
  const end = T0 + (sorted.at(-1)?.t ?? 0);
  owners.advance(monitor, end);
  monitor.settle(end);
  const groups = timeline.histories(monitor).map((h) => ({ ...h, ...(owners.history?.of(h) ?? noVipFindings()), foreign_traffic: [] }));
  return { file: 'incident.pcap', format: 'pcap', packets: steps.length, adverts: 0, invalid: {}, invalid_times: [], neighbor_messages: 0, neighbor_invalid: {}, start: T0, end, groups, vips: owners.history?.watched() ?? [], evicted: { groups: 0, routers: 0 } };
}

function adverts(src: string, mac: string, from: number, to: number, priority = 150): Step[] {
  const out: Step[] = [];
  for (let t = from; t < to; t++) out.push({ t, advert: advert({ src, priority }), mac });
  return out;
}

/** The client asks for the VIP every second; `answerers` reply to each request. */
function asks(from: number, to: number, answerers: readonly string[], outgoing?: boolean): Step[] {
  const out: Step[] = [];
  for (let t = from; t < to; t++) {
    out.push(outgoing === undefined ? { t: t + 0.1, arp: arp('request', MAC_CLIENT, CLIENT, BROADCAST, VIP) } : { t: t + 0.1, arp: arp('request', MAC_CLIENT, CLIENT, BROADCAST, VIP), outgoing });
    for (const mac of answerers) out.push({ t: t + 0.11, arp: arp('reply', mac, VIP, MAC_CLIENT, CLIENT) });
  }
  return out;
}

function only(report: ReplayReport): ReplayGroup {
  assert.equal(report.groups.length, 1);
  const [g] = report.groups;
  assert.ok(g);
  return g;
}

describe('VIP ownership in replay', () => {
  it('judges a host answering beside the master a foreign owner, named by its MAC, and says so in text and HTML', () => {
    const report = run([...adverts(A, MAC_A, 0, 30), ...asks(1, 30, [MAC_A]), ...asks(10, 20, [MAC_LEAK])]);
    const g = only(report);
    assert.deepEqual(g.vip_foreign_owners.map((f) => [f.vip, f.mac, Math.round((f.start - T0) * 100) / 100, f.end === null]), [[VIP, MAC_LEAK, 10.11, false]]);
    const [f] = g.vip_foreign_owners;
    assert.ok(f !== undefined && f.judged - f.start <= 8 && f.end !== null && f.end - T0 <= 24, JSON.stringify(f));
    // Two MACs answered in each round: the leak is a duplicate as well.
    assert.deepEqual(g.vip_duplicates.map((d) => d.macs), [[MAC_A, MAC_LEAK]]);
    assert.deepEqual(
      g.vip_owners.map((o) => [o.mac, o.router]),
      [
        [MAC_A, A],
        [MAC_LEAK, null],
      ],
    );
    const text = renderText(report);
    assert.match(text, /VIP FOREIGN OWNER 192\.0\.2\.100: answered by 02:00:00:00:09:09, a MAC of no master of the group \(judged after [\d.]+ s\) until /);
    assert.match(text, /group vrid 51 ipv4 on eth0: stable, VIP DUPLICATE x1, VIP FOREIGN OWNER x1\n/);
    assert.match(text, /VIP 192\.0\.2\.100 answered by 02:00:00:00:09:09 \(no router heard\) until /);
    const html = renderHtmlReport(report);
    assert.match(html, /<g class="vip-finding" data-finding="vip_foreign_owner" data-start="[\d.]+" data-end="[\d.]+">/);
    // The replay page says a finding as every output does (finding-words.ts).
    assert.match(html, /CRITICAL<\/span>VIP 192\.0\.2\.100 of VRID 51 on eth0 is answered by 02:00:00:00:09:09, which belongs to no master of the group \(a real server without arp_ignore, a stale host\?\) \(for [\d.]+ s\)/);
  });

  it('judges a VIP unanswered only where the capture shows the asker its answers', () => {
    // The capturing host asks (Linux cooked capture marks it outgoing); the master stops answering at 10 s.
    const own = only(run([...adverts(A, MAC_A, 0, 30), ...asks(1, 10, [MAC_A], true), ...asks(10, 30, [], true)]));
    assert.equal(own.vip_unanswered.length, 1, JSON.stringify(own.vip_unanswered));
    const [u] = own.vip_unanswered;
    assert.ok(u !== undefined && u.start - T0 >= 10 && u.start - T0 <= 12 && u.judged - u.start === 6 && u.end === null, JSON.stringify(u));
    // A mirror port: the same requests, answered before 10 s by replies it sees: the asker is known.
    assert.equal(only(run([...adverts(A, MAC_A, 0, 30), ...asks(1, 10, [MAC_A]), ...asks(10, 30, [])])).vip_unanswered.length, 1);
    // It never saw an answer to this asker (replies unicast elsewhere): nothing can be judged.
    assert.deepEqual(only(run([...adverts(A, MAC_A, 0, 30), ...asks(1, 30, [])])).vip_unanswered, []);
  });

  it('counts a failover after which the new master announced nothing, and none when it sent a gratuitous ARP', () => {
    const episode = (garp: boolean): ReplayGroup => {
      const steps: Step[] = [...adverts(A, MAC_A, 0, 10), { t: 10, advert: advert({ src: A, priority: 0 }), mac: MAC_A }, ...adverts(B, MAC_B, 10.6, 30, 100), ...asks(1, 30, [])];
      if (garp) steps.push({ t: 10.6, arp: arp('request', MAC_B, VIP, BROADCAST, VIP) });
      return only(run(steps));
    };
    const missed = episode(false);
    assert.deepEqual(missed.failovers.map((f) => f.to), [B]);
    assert.deepEqual(missed.failovers_without_garp.map((m) => [m.router, m.vips]), [[B, [VIP]]]);
    assert.equal(episode(true).failovers_without_garp.length, 0);
  });

  it('judges IPv6 the same way from Neighbor Advertisements: two routers answering is a duplicate, named by router', () => {
    const vip6 = '2001:db8::100';
    const na = (mac: string): NdpMessage => ({ protocol: 'ndp', type: 'advertisement', src: vip6, dst: '2001:db8::50', target: vip6, linkAddress: mac, router: true, solicited: true, override: false, dad: false });
    const steps: Step[] = [];
    for (let t = 0; t < 30; t++) {
      steps.push({ t, advert: advert({ src: 'fe80::11', family: 'ipv6', version: 3, dst: 'ff02::12', addresses: [vip6], priority: 150 }), mac: MAC_A });
      if (t >= 10 && t < 20) steps.push({ t: t + 0.5, advert: advert({ src: 'fe80::12', family: 'ipv6', version: 3, dst: 'ff02::12', addresses: [vip6], priority: 100 }), mac: MAC_B });
      steps.push({ t: t + 0.1, arp: na(MAC_A) });
      if (t >= 10 && t < 20) steps.push({ t: t + 0.2, arp: na(MAC_B) });
    }
    const g = only(run(steps));
    assert.equal(g.family, 'ipv6');
    assert.deepEqual(g.vip_duplicates.map((d) => [d.vip, d.macs, Math.round((d.start - T0) * 10) / 10]), [[vip6, [MAC_A, MAC_B], 10.2]]);
    assert.deepEqual(
      g.vip_owners.map((o) => [o.mac, o.router]),
      [
        [MAC_A, 'fe80::11'],
        [MAC_B, 'fe80::12'],
      ],
    );
    assert.deepEqual(g.vip_foreign_owners, []);
  });

  it('judges nothing when the capture carries no ARP at all (taken with a vrrp filter)', () => {
    const g = only(run([...adverts(A, MAC_A, 0, 10), { t: 10, advert: advert({ src: A, priority: 0 }), mac: MAC_A }, ...adverts(B, MAC_B, 10.6, 30, 100)]));
    assert.equal(g.failovers.length, 1);
    assert.deepEqual([g.vip_owners, g.vip_duplicates, g.vip_foreign_owners, g.vip_unanswered, g.failovers_without_garp], [[], [], [], [], []]);
  });
});

describe('replay of a watched VIP, no VRRP at all', () => {
  it('gives its owners over time, the owner change and a duplicate, in JSON, text and HTML', () => {
    const steps: Step[] = [];
    // A client asks every 2 s and the capture shows the answers; A holds the VIP, B also answers from
    // 20 s to 30 s, then only B from 30 s.
    for (let t = 0; t < 50; t += 2) {
      steps.push({ t, arp: arp('request', MAC_CLIENT, CLIENT, '00:00:00:00:00:00', VIP) });
      if (t < 30) steps.push({ t: t + 0.01, arp: arp('reply', MAC_A, VIP, MAC_CLIENT, CLIENT) });
      if (t >= 20) steps.push({ t: t + 0.02, arp: arp('reply', MAC_B, VIP, MAC_CLIENT, CLIENT) });
    }
    steps.push({ t: 30.5, arp: arp('request', MAC_B, VIP, BROADCAST, VIP) });
    const report = run(steps, [{ interface: undefined, vip: VIP, mode: 'exclusive', owners: undefined }]);
    assert.equal(report.groups.length, 0);
    const [v] = report.vips;
    assert.ok(v !== undefined);
    assert.deepEqual([v.interface, v.address, v.mode, v.last_announcement], ['eth0', VIP, 'exclusive', T0 + 30.5]);
    assert.deepEqual(
      v.vip_owners.map((o) => [o.mac, +(o.start - T0).toFixed(2), o.end === null ? null : +(o.end - T0).toFixed(2)]),
      [
        [MAC_A, 0.01, 28.01],
        [MAC_B, 20.02, null],
      ],
    );
    assert.deepEqual(
      v.owner_changes.map((c) => [c.from, c.to, c.time - T0]),
      [[MAC_A, MAC_B, 30]],
    );
    assert.equal(v.vip_duplicates.length, 1);
    assert.deepEqual(v.vip_duplicates[0]?.macs, [MAC_A, MAC_B]);
    const text = renderText(report);
    assert.match(text, new RegExp(`VIP ${VIP.replace(/\./g, '\\.')} on eth0 \\(exclusive\\): 1 owner change, DUPLICATE x1; last announced`));
    assert.match(text, /OWNER CHANGE: 02:00:00:00:01:01 -> 02:00:00:00:02:01/);
    const html = renderHtmlReport(report);
    assert.match(html, /<h2 id="watched-vips">Watched VIPs<\/h2>/);
    assert.match(html, /<span class="sev critical">CRITICAL<\/span>VIP 192\.0\.2\.100 on eth0 is answered by 02:00:00:00:01:01, 02:00:00:00:02:01: split-brain on the wire \(for [\d.]+ s\)/);
  });
});
