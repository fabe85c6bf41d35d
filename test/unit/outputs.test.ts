import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { groupViewOf } from '../helpers/adverts.js';
import type { NodeGroupView } from '../../src/core/node/node.js';
import type { GroupView } from '../../src/core/groups/views.js';
import { groupId } from '../../src/core/base/keys.js';
import { renderCheck } from '../../src/outputs/nagios.js';
import type { CheckInput } from '../../src/outputs/nagios.js';
import { knownRoutersOf, NO_KNOWN_ROUTERS } from '../../src/core/expect/known-routers.js';
import { Metrics } from '../../src/outputs/metrics.js';
import { pipelineSnapshot } from '../../src/outputs/scrape.js';
import { liveSettings, Pipeline } from '../../src/core/pipeline/pipeline.js';
import { DEFAULT_OWNER_SETTINGS } from '../../src/core/ownership/owner-settings.js';
import type { MetricsSnapshot } from '../../src/outputs/metrics.js';
import { collectorChoice, collectorOptions, COLLECTORS } from '../../src/outputs/collectors.js';
import { eventLine, renderLive } from '../../src/outputs/live.js';
import { WebServer } from '../../src/adapters/http.js';
import { createLogger } from '../../src/adapters/log.js';
import type { LogEntry } from '../../src/adapters/log.js';

const A = '192.0.2.11';
const B = '192.0.2.12';
const KEY = { interface: 'eth0', family: 'ipv4' as const, vrid: 51 };

function group(fields: Partial<GroupView> = {}, masters = [A]): GroupView {
  const routers = [A, B].map((address, i) => ({ address, adverts: 3, priority: 150 - 50 * i, interval: 1, last: 99.5, master: masters.includes(address), version: 2 as const, addresses: ['192.0.2.100'] }));
  return groupViewOf(routers, { masters, ...fields });
}

function nodeView(fields: Partial<NodeGroupView> = {}): NodeGroupView {
  return { key: KEY, view: undefined, expected: undefined, role: 'observer', roleFrom: undefined, vips: [], backupHolding: [], masterMissing: [], expectedWithoutMaster: false, advertsBlocked: false, mastersBeside: [], configDiffers: [], ...fields };
}

/** The node views linked to the heard group of their key, as NodeJudge makes them. */
function linked(groups: readonly GroupView[], node: readonly NodeGroupView[]): NodeGroupView[] {
  return node.map((n) => {
    const view = groups.find((g) => groupId(g.key) === groupId(n.key));
    return view === undefined ? n : { ...n, key: view.key, view };
  });
}

function check(fields: Partial<CheckInput>): ReturnType<typeof renderCheck> {
  const input: CheckInput = { now: 100, windowSeconds: 3.5, groups: [group()], node: [], conflicts: new Map(), probes: [], knownRouters: NO_KNOWN_ROUTERS, haveExpectations: false, captureProblems: [], ...fields };
  return renderCheck({ ...input, node: linked(input.groups, input.node) });
}

/** Perfdata: 'label'=value[UOM];[warn];[crit];[min];[max] */
const PERFDATA = /^'[^'=]+'=-?[\d.]+(s|%|c)?;[^;]*;[^;]*;[^;]*;[^;]*$/;

describe('once output (Nagios plugin)', () => {
  it('OK: status line with masters, perfdata in the standard syntax, one line per group', () => {
    const r = check({ probes: [{ target: B, role: 'peer', up: true, rtt: 0.0012, loss: 0 }] });
    assert.equal(r.code, 0);
    const [first = '', ...details] = r.text.trimEnd().split('\n');
    const [status = '', perf = ''] = first.split(' | ');
    assert.equal(status, 'VRRP OK - 1 group ok: VRID 51 master 192.0.2.11');
    const items = perf.match(/'[^']+'=\S+/g) ?? [];
    assert.equal(items.length, 5);
    for (const p of items) assert.match(p, PERFDATA);
    assert.match(perf, /'eth0 ipv4 vrid 51 masters'=1;;1;0; /);
    assert.match(perf, /'peer 192\.0\.2\.12 rtt'=0\.0012s;;;0;/);
    assert.deepEqual(details, ['VRID 51 on eth0: master 192.0.2.11 (priority 150) - also heard 192.0.2.12 (priority 100) - ok']);
  });

  it('CRITICAL on split-brain, backup holding the VIP, and an expected VRID without master', () => {
    assert.equal(check({ groups: [group({ splitBrain: true }, [A, B])] }).code, 2);
    assert.match(check({ groups: [group({ splitBrain: true }, [A, B])] }).text, /^VRRP CRITICAL - split-brain on VRID 51 on eth0: 192\.0\.2\.11, 192\.0\.2\.12 are all master \| /);
    const holding = check({ node: [nodeView({ role: 'backup', backupHolding: ['192.0.2.100'] })] });
    assert.equal(holding.code, 2);
    assert.match(holding.text, /this node holds VIP 192\.0\.2\.100 of VRID 51 on eth0 but is not master/);
    const expected = { vrid: 52, interface: 'eth0', family: 'ipv4' as const, vips: [], advertInterval: 1, instance: 'VI_2', source: 'k.conf:9' };
    const none = check({ node: [nodeView({ key: { ...KEY, vrid: 52 }, expected, expectedWithoutMaster: true })], haveExpectations: true });
    assert.equal(none.code, 2);
    assert.match(none.text, /no master on VRID 52 on eth0 \(expected from k\.conf:9\)/);
    assert.match(none.text, /'eth0 ipv4 vrid 52 masters'=0;;1:1;0;/);
    const g51 = group();
    const conflict = check({ groups: [g51], conflicts: new Map([[g51.key, [{ vip: '192.0.2.100', vrids: [51, 52], masters: [[A], [B]], named: [A, B] }]]]) });
    assert.equal(conflict.code, 2);
    assert.match(conflict.text, /^VRRP CRITICAL - VIP 192\.0\.2\.100 of VRID 51 on eth0 is also advertised by the master of VRID 52 \(192\.0\.2\.12\): both hold it \(virtual_router_id differs\?\) \| /);
    const beside = check({ groups: [group({}, [B])], node: [nodeView({ role: 'master', roleFrom: 'keepalived', mastersBeside: [B] })] });
    assert.equal(beside.code, 2);
    assert.match(beside.text, /^VRRP CRITICAL - split-brain on VRID 51 on eth0: keepalived here is MASTER and 192\.0\.2\.12 advertises as master too; this node's adverts are not seen leaving it \| /);
  });

  it("WARNING when the master's adverts disagree with this node's config", () => {
    const expected = { vrid: 51, interface: 'eth0', family: 'ipv4' as const, vips: [], advertInterval: 2, instance: 'VI_1', source: 'keepalived.conf:7' };
    const r = check({ node: [nodeView({ role: 'backup', expected, configDiffers: ['advert_interval'] })], haveExpectations: true });
    assert.equal(r.code, 1);
    assert.match(r.text, /^VRRP WARNING - advert_interval of the master on VRID 51 on eth0 differs from this node's keepalived\.conf:7 \| /);
  });

  it('WARNING on mismatches, a peer not answering, an unexpected router; the worst state wins', () => {
    assert.equal(check({ groups: [group({ authMismatch: true })] }).code, 1);
    assert.match(check({ groups: [group({ configMismatch: ['advert_interval'] })] }).text, /^VRRP WARNING - advert_interval mismatch on VRID 51 on eth0/);
    const peer = check({ probes: [{ target: B, role: 'peer', up: false, rtt: undefined, loss: 1 }] });
    assert.equal(peer.code, 1);
    assert.match(peer.text, /peer 192\.0\.2\.12 does not answer ping/);
    assert.match(peer.text, /'peer 192\.0\.2\.12 loss'=100%;;;0;100/);
    assert.match(check({ knownRouters: knownRoutersOf([A], []) }).text, /^VRRP WARNING - unexpected router 192\.0\.2\.12 on VRID 51 on eth0/);
    assert.equal(check({ groups: [group({ splitBrain: true, authMismatch: true }, [A, B])] }).code, 2);
  });

  it('UNKNOWN when the capture cannot start, or nothing is heard and nothing expected', () => {
    const denied = check({ groups: [], captureProblems: ['eth0: socket: Operation not permitted (capturing needs root or CAP_NET_RAW)'] });
    assert.equal(denied.code, 3);
    assert.equal(denied.text, 'VRRP UNKNOWN - capture cannot start: eth0: socket: Operation not permitted (capturing needs root or CAP_NET_RAW)\n');
    const silent = check({ groups: [] });
    assert.equal(silent.code, 3);
    assert.equal(silent.text, 'VRRP UNKNOWN - no VRRP advertisement heard in 3.5 s and none expected\n');
  });

  it('keeps the status short when there are many findings', () => {
    const groups = [51, 52, 53, 54].map((vrid) => group({ key: { ...KEY, vrid }, splitBrain: true }, [A, B]));
    const status = check({ groups }).text.split(' | ')[0] ?? '';
    assert.match(status, /\(\+2 more\)$/);
    assert.ok(status.length < 200, status);
  });
});

describe('metrics', () => {
  const snapshot = (groups: GroupView[]): MetricsSnapshot => ({
    groups,
    node: [],
    conflicts: new Map(),
    invalid: new Map([['eth0', new Map([['bad_checksum', 2]])]]),
    captures: [{ interface: 'eth0', up: true, problem: undefined, dropped: 1, received: 9 }],
    probes: [{ target: B, role: 'peer', up: true, rtt: 0.002, loss: 0, at: 0 }],
    evictions: { group: 0, router: 0 },
    keepalived: new Map(),
    config: { lastReloadOk: true, lastReloadAt: 1 },
  });

  it('renders the contract metrics from the views at scrape time', async () => {
    const text = (await new Metrics({ version: '9.9.9', revision: 'unknown', nodejs: 'v20.0.0', libpcap: '1.10.3' }).render(snapshot([group({ splitBrain: true, masterChanges: 2 }, [A, B])]))).body.toString();
    for (const line of [
      'vrrpwatch_vrid_masters{interface="eth0",family="ipv4",vrid="51"} 2',
      'vrrpwatch_vrid_split_brain{interface="eth0",family="ipv4",vrid="51"} 1',
      'vrrpwatch_vrid_master_info{interface="eth0",family="ipv4",vrid="51",router="192.0.2.12"} 1',
      'vrrpwatch_vrid_master_changes_total{interface="eth0",family="ipv4",vrid="51"} 2',
      'vrrpwatch_router_priority{interface="eth0",family="ipv4",vrid="51",router="192.0.2.12"} 100',
      'vrrpwatch_adverts_total{interface="eth0",family="ipv4",vrid="51",router="192.0.2.11"} 3',
      'vrrpwatch_packets_invalid_total{interface="eth0",reason="bad_checksum"} 2',
      'vrrpwatch_capture_dropped_packets_total{interface="eth0"} 1',
      'vrrpwatch_probe_rtt_seconds{target="192.0.2.12",role="peer"} 0.002',
      'vrrpwatch_build_info{version="9.9.9",revision="unknown",nodejs="v20.0.0",libpcap="1.10.3"} 1',
      '# TYPE vrrpwatch_adverts_total counter',
    ]) {
      assert.ok(text.includes(`${line}\n`), `missing: ${line}`);
    }
  });

  it('sets vip_conflict on a group whose master shares a VIP with another VRID', async () => {
    const g51 = group();
    const text = (await new Metrics({ version: '1', revision: 'unknown', nodejs: 'v20.0.0', libpcap: '1.10.3' }).render({ ...snapshot([g51]), conflicts: new Map([[g51.key, [{ vip: '192.0.2.100', vrids: [51, 52], masters: [[A], [B]], named: [A, B] }]]]) })).body.toString();
    assert.ok(text.includes('vrrpwatch_vrid_vip_conflict{interface="eth0",family="ipv4",vrid="51"} 1\n'), text);
    const calm = (await new Metrics({ version: '1', revision: 'unknown', nodejs: 'v20.0.0', libpcap: '1.10.3' }).render(snapshot([g51]))).body.toString();
    assert.ok(calm.includes('vrrpwatch_vrid_vip_conflict{interface="eth0",family="ipv4",vrid="51"} 0\n'), calm);
  });

  it('exports who answers for each VIP, the judgements, the probes and the failovers without a gratuitous ARP', async () => {
    const g = group();
    const owners = [
      { mac: '02:00:00:00:00:11', router: A, local: false, kinds: ['reply' as const], since: 90, last: 99 },
      { mac: '02:00:00:00:00:13', router: undefined, local: false, kinds: ['reply' as const], since: 90, last: 99 },
    ];
    const vip = { interface: 'eth0', vip: '192.0.2.100', family: 'ipv4' as const, groups: [g.key], expected: false, hasMaster: true, owners, duplicate: true, foreign: ['02:00:00:00:00:13'], unanswered: false, watched: false, mode: 'exclusive' as const, ownerChanges: 0, lastAnnouncement: undefined };
    const view = { vips: [vip], probes: new Map([['eth0', 7]]), failoversWithoutGarp: [{ key: g.key, count: 2 }], missedGarps: [], ownerChanges: [], evicted: { vips: 0, macs: 0, bindings: 0, routerBindings: 0 } };
    const text = (await new Metrics({ version: '1', revision: 'unknown', nodejs: 'v20.0.0', libpcap: '1.10.3' }).render({ ...snapshot([g]), owners: view })).body.toString();
    for (const line of [
      'vrrpwatch_vip_owners{interface="eth0",vip="192.0.2.100"} 2',
      'vrrpwatch_vip_owner_info{interface="eth0",vip="192.0.2.100",mac="02:00:00:00:00:11",router="192.0.2.11"} 1',
      'vrrpwatch_vip_owner_info{interface="eth0",vip="192.0.2.100",mac="02:00:00:00:00:13",router=""} 1',
      'vrrpwatch_vip_duplicate{interface="eth0",vip="192.0.2.100"} 1',
      'vrrpwatch_vip_foreign_owner{interface="eth0",vip="192.0.2.100",mac="02:00:00:00:00:11"} 0',
      'vrrpwatch_vip_foreign_owner{interface="eth0",vip="192.0.2.100",mac="02:00:00:00:00:13"} 1',
      'vrrpwatch_vip_unanswered{interface="eth0",vip="192.0.2.100"} 0',
      'vrrpwatch_vip_probes_total{interface="eth0"} 7',
      'vrrpwatch_vrid_failovers_without_garp_total{interface="eth0",family="ipv4",vrid="51"} 2',
    ]) assert.ok(text.includes(`${line}\n`), line);
    const none = (await new Metrics({ version: '1', revision: 'unknown', nodejs: 'v20.0.0', libpcap: '1.10.3' }).render(snapshot([g]))).body.toString();
    assert.doesNotMatch(none, /^vrrpwatch_vip_owners\{/m);
    assert.doesNotMatch(none, /^vrrpwatch_neighbor_invalid_total\{/m);
  });

  it('counts the ARP and NDP frames the live pipeline refused, by reason, every reason from 0', async () => {
    const pipeline = new Pipeline(liveSettings({ started: 100, expected: [], groupExpirySeconds: 600, sink: () => undefined, owners: DEFAULT_OWNER_SETTINGS }));
    // An ARP reply whose sender MAC is a multicast one (01:00:5e:00:00:01): no host believes it.
    const arp = Uint8Array.from([
      ...[0xff, 0xff, 0xff, 0xff, 0xff, 0xff], ...[0x02, 0, 0, 0, 0, 0x13], 0x08, 0x06,
      0, 1, 0x08, 0, 6, 4, 0, 2,
      ...[0x01, 0, 0x5e, 0, 0, 1], 192, 0, 2, 100,
      ...[0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 192, 0, 2, 100,
    ]);
    for (let t = 101; t < 104; t++) pipeline.onFrame('eth0', 1, arp, arp.length, t);
    const view = pipeline.view(104, { localAddresses: new Map(), keepalived: new Map(), peerAnswers: undefined }, { details: new Map(), only: 'eth0' });
    const text = (await new Metrics({ version: '1', revision: 'unknown', nodejs: 'v20.0.0', libpcap: '1.10.3' }).render({ ...snapshot([]), ...pipelineSnapshot(view, pipeline) })).body.toString();
    assert.ok(text.includes('vrrpwatch_neighbor_invalid_total{reason="bad_sender"} 3\n'), text);
    assert.ok(text.includes('vrrpwatch_neighbor_invalid_total{reason="bad_checksum"} 0\n'), text);
  });

  it('sets split_brain for the split only this node tells (keepalived MASTER here, another master heard)', async () => {
    const groups = [group({}, [B])];
    const node = linked(groups, [nodeView({ role: 'master', roleFrom: 'keepalived', mastersBeside: [B] })]);
    const text = (await new Metrics({ version: '1', revision: 'unknown', nodejs: 'v20.0.0', libpcap: '1.10.3' }).render({ ...snapshot(groups), node })).body.toString();
    assert.ok(text.includes('vrrpwatch_vrid_split_brain{interface="eth0",family="ipv4",vrid="51"} 1\n'), text);
    assert.ok(text.includes('vrrpwatch_vrid_masters{interface="eth0",family="ipv4",vrid="51"} 1\n'), text);
  });

  it('writes a held VIP once when its VRID is heard on two interfaces', async () => {
    const vips = [{ vip: '192.0.2.100', heldOn: 'eth0' }];
    const node = ['eth0', 'eth1'].map((iface) => nodeView({ key: { ...KEY, interface: iface }, role: 'master', vips }));
    const text = (await new Metrics({ version: '1', revision: 'unknown', nodejs: 'v20.0.0', libpcap: '1.10.3' }).render({ ...snapshot([]), node })).body.toString();
    assert.equal(text.split('\n').filter((l) => l.startsWith('vrrpwatch_vip_local{')).length, 1, text);
    assert.ok(text.includes('vrrpwatch_vip_local{interface="eth0",vrid="51",vip="192.0.2.100"} 1\n'), text);
  });

  it('forgets label sets that left the views (an expired group)', async () => {
    const metrics = new Metrics({ version: '1', revision: 'unknown', nodejs: 'v20.0.0', libpcap: '1.10.3' });
    await metrics.render(snapshot([group()]));
    const text = (await metrics.render(snapshot([]))).body.toString();
    assert.ok(!text.includes('vrid="51"'), text);
  });

  it('writes the text format: escaped label values, non-integer and special values, one blank line between families', async () => {
    const odd = { interface: 'br"0\\x', family: 'ipv6' as const, vrid: 7 };
    const routers = [{ address: '2001:db8::1', adverts: 12345678901, priority: 0, interval: 0.25, last: 1763900000.125, master: true, version: 3 as const, addresses: [] }];
    const s = snapshot([groupViewOf(routers, { key: odd })]);
    const probes = [
      { target: 'gw.example', role: 'gateway' as const, up: false, rtt: Number.NaN, loss: 1, at: 0 },
      { target: 'peer', role: 'peer' as const, up: true, rtt: Number.POSITIVE_INFINITY, loss: -0.5, at: 0 },
    ];
    const text = (await new Metrics({ version: '1', revision: 'unknown', nodejs: 'v20.0.0', libpcap: '1.10.3' }).render({ ...s, probes })).body.toString();
    for (const line of [
      'vrrpwatch_adverts_total{interface="br\\"0\\\\x",family="ipv6",vrid="7",router="2001:db8::1"} 12345678901',
      'vrrpwatch_router_advert_interval_seconds{interface="br\\"0\\\\x",family="ipv6",vrid="7",router="2001:db8::1"} 0.25',
      'vrrpwatch_router_last_advert_timestamp_seconds{interface="br\\"0\\\\x",family="ipv6",vrid="7",router="2001:db8::1"} 1763900000.125',
      'vrrpwatch_router_priority{interface="br\\"0\\\\x",family="ipv6",vrid="7",router="2001:db8::1"} 0',
      'vrrpwatch_probe_rtt_seconds{target="gw.example",role="gateway"} NaN',
      'vrrpwatch_probe_rtt_seconds{target="peer",role="peer"} +Inf',
      'vrrpwatch_probe_loss_ratio{target="peer",role="peer"} -0.5',
    ]) {
      assert.ok(text.includes(`\n${line}\n`), `missing: ${line}`);
    }
    assert.ok(text.endsWith('\n') && !text.endsWith('\n\n'), 'one newline at the end');
    const blocks = text.trimEnd().split('\n\n');
    assert.deepEqual(blocks.map((b) => /^# HELP (\w+)/.exec(b)?.[1]), new Metrics({ version: '1', revision: 'unknown', nodejs: 'v20.0.0', libpcap: '1.10.3' }).familyNames, 'one block per family');
    for (const block of blocks) assert.match(block, /^# HELP (\w+) .+\n# TYPE \1 (gauge|counter|histogram)(\n\1(_bucket|_sum|_count)?(\{.*\})? \S+)*$/);
  });

  it('never writes over a body not yet released; a released one serves a later scrape', async () => {
    const metrics = new Metrics({ version: '1', revision: 'unknown', nodejs: 'v20.0.0', libpcap: '1.10.3' });
    const held = await metrics.render(snapshot([group({ masterChanges: 1 })]));
    const before = held.body.toString();
    const other = await metrics.render(snapshot([group({ masterChanges: 2 }), group({ key: { ...KEY, vrid: 52 } })]));
    assert.equal(held.body.toString(), before, 'a second scrape while the first is being sent');
    assert.notEqual(other.body.buffer, held.body.buffer);
    other.release();
    const third = await metrics.render(snapshot([group({ masterChanges: 3 })]));
    assert.equal(third.body.buffer, other.body.buffer, 'the released buffer is reused');
    assert.match(third.body.toString(), /^vrrpwatch_vrid_master_changes_total\{interface="eth0",family="ipv4",vrid="51"\} 3$/m);
    assert.equal(held.body.toString(), before);
  });

  it('leaves out the families of each collector turned off, and only those', async () => {
    const build = { version: '1', revision: 'unknown', nodejs: 'v20.0.0', libpcap: '1.10.3' };
    const now = snapshot([group({ masterChanges: 4 })]);
    const families = (text: string): Set<string> => new Set([...text.matchAll(/^# TYPE (\w+)/gm)].map((m) => m[1] ?? ''));
    const all = families((await new Metrics(build).render(now)).body.toString());
    const fewer = families((await new Metrics(build, undefined, undefined, { router: false, failover_causes: false, group: true }).render(now)).body.toString());
    const gone = ['vrrpwatch_adverts_total', 'vrrpwatch_router_priority', 'vrrpwatch_router_advert_interval_seconds', 'vrrpwatch_router_last_advert_timestamp_seconds', 'vrrpwatch_vrid_failovers_total'];
    assert.deepEqual([...all].filter((f) => !fewer.has(f)).sort(), gone.sort());
    assert.ok(fewer.has('vrrpwatch_vrid_master_changes_total') && fewer.has('vrrpwatch_router_errors_total') && fewer.has('vrrpwatch_probe_up'));
    const success = (await new Metrics(build, undefined, undefined, { router: false }).render(now)).body.toString();
    assert.doesNotMatch(success, /collector="vrrpwatch_adverts_total"/, 'a family left out is not a failed one');
  });

  it('reads the collector flags: --no-collector.NAME turns a set off, the last flag wins, unknown names are not collectors', () => {
    assert.deepEqual(collectorChoice(['--no-collector.router', '--collector.vip', '--no-collector.vip', '--no-collector.nonsense', '-i', 'eth0']), { router: false, vip: false });
    assert.deepEqual(collectorChoice(['--no-collector.hmac', '--collector.hmac']), { hmac: true });
    for (const c of COLLECTORS) assert.ok(`collector.${c.name}` in collectorOptions() && `no-collector.${c.name}` in collectorOptions());
  });

  /** A snapshot in which two families throw: one prom-client family (probe loss) and one hand-written (priority). */
  const broken = (): MetricsSnapshot => {
    const healthy = group();
    const routers = healthy.routers.map((r, i) =>
      i === 1
        ? {
            ...r,
            get priority(): number {
              throw new Error('priority unreadable');
            },
          }
        : r,
    );
    const probe = {
      target: B,
      role: 'peer' as const,
      up: true,
      rtt: 0.002,
      at: 0,
      get loss(): number {
        throw new Error('loss unreadable');
      },
    };
    return { ...snapshot([{ ...healthy, routers }]), probes: [probe] };
  };
  const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

  it('leaves a family that throws out of the scrape, keeps the others, exports which failed and reports each failure once', async () => {
    const failures: string[] = [];
    const metrics = new Metrics({ version: '1', revision: 'unknown', nodejs: 'v20.0.0', libpcap: '1.10.3' }, undefined, (family, err) => failures.push(`${family}: ${messageOf(err)}`));
    const text = (await metrics.render(broken())).body.toString();
    for (const line of [
      'vrrpwatch_probe_up{target="192.0.2.12",role="peer"} 1',
      'vrrpwatch_probe_rtt_seconds{target="192.0.2.12",role="peer"} 0.002',
      'vrrpwatch_adverts_total{interface="eth0",family="ipv4",vrid="51",router="192.0.2.12"} 3',
      'vrrpwatch_build_info{version="1",revision="unknown",nodejs="v20.0.0",libpcap="1.10.3"} 1',
      'vrrpwatch_scrape_collector_success{collector="vrrpwatch_probe_up"} 1',
      'vrrpwatch_scrape_collector_success{collector="vrrpwatch_adverts_total"} 1',
      'vrrpwatch_scrape_collector_success{collector="vrrpwatch_probe_loss_ratio"} 0',
      'vrrpwatch_scrape_collector_success{collector="vrrpwatch_router_priority"} 0',
    ]) {
      assert.ok(text.includes(`\n${line}\n`), `missing: ${line}`);
    }
    assert.doesNotMatch(text, /^(# (HELP|TYPE) )?vrrpwatch_(probe_loss_ratio|router_priority)\b/m, 'no line of a family that failed, not even the first router of it');
    for (const block of text.trimEnd().split('\n\n')) assert.match(block, /^# HELP (\w+) .+\n# TYPE \1 (gauge|counter|histogram)(\n\1(_bucket|_sum|_count)?(\{.*\})? \S+)*$/);
    assert.equal(text.split('\n').filter((l) => / 0$/.test(l) && l.startsWith('vrrpwatch_scrape_collector_success{')).length, 2, text);

    await metrics.render(broken());
    assert.deepEqual(failures, ['vrrpwatch_router_priority: priority unreadable', 'vrrpwatch_probe_loss_ratio: loss unreadable'], 'once, not once per scrape');
    const healed = (await metrics.render(snapshot([group()]))).body.toString();
    assert.match(healed, /^vrrpwatch_scrape_collector_success\{collector="vrrpwatch_router_priority"\} 1$/m);
    assert.match(healed, /^vrrpwatch_router_priority\{interface="eth0",family="ipv4",vrid="51",router="192\.0\.2\.12"\} 100$/m);
    await metrics.render(broken());
    assert.equal(failures.length, 4, 'a family that failed again after working is reported again');
  });

  it('answers a scrape over HTTP with 200 and the other families when one throws', async () => {
    const errors: string[] = [];
    const metrics = new Metrics({ version: '1', revision: 'unknown', nodejs: 'v20.0.0', libpcap: '1.10.3' });
    const web = await WebServer.start({
      host: '127.0.0.1',
      port: 0,
      telemetryPath: '/metrics',
      webConfig: undefined,
      metrics: () => metrics.render(broken()),
      page: () => '',
      onError: (message) => errors.push(message),
    });
    try {
      const res = await fetch(`http://127.0.0.1:${web.address().port}/metrics`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
      const body = await res.text();
      assert.match(body, /^vrrpwatch_probe_up\{target="192\.0\.2\.12",role="peer"\} 1$/m);
      assert.match(body, /^vrrpwatch_scrape_collector_success\{collector="vrrpwatch_probe_loss_ratio"\} 0$/m);
      assert.deepEqual(errors, []);
    } finally {
      await web.close();
    }
  });
});

describe('live view', () => {
  it('shows groups, masters with priorities, advert ages and findings', () => {
    const text = renderLive({
      now: 100,
      title: 'vrrpwatch',
      groups: [group({ splitBrain: true }, [A, B])],
      node: [],
      conflicts: new Map(),
      captures: [{ interface: 'eth0', up: true, dropped: 0, problem: undefined }],
      probes: [{ target: B, role: 'peer', up: false, rtt: undefined }],
      events: ['00:00:01 !! split-brain: more than one master  vrid=51'],
      color: false,
    });
    assert.match(text, /eth0 ipv4 VRID 51 +192\.0\.2\.11 \(150\), 192\.0\.2\.12 \(100\) +192\.0\.2\.11 150 0\.5s, 192\.0\.2\.12 100 0\.5s +SPLIT-BRAIN/);
    assert.match(text, /ping: peer 192\.0\.2\.12 NO ANSWER/);
    assert.match(text, /recent events:\n {2}00:00:01 !! split-brain/);
  });

  it('shows who answers for each VIP, and a duplicate as the finding of its group', () => {
    const g = group();
    const owners = [
      { mac: '02:00:00:00:00:11', router: A, local: false, kinds: ['reply' as const], since: 90, last: 99 },
      { mac: '02:00:00:00:00:13', router: undefined, local: false, kinds: ['reply' as const], since: 90, last: 99 },
    ];
    const vip = { interface: 'eth0', vip: '192.0.2.100', family: 'ipv4' as const, groups: [g.key], expected: false, hasMaster: true, owners, duplicate: true, foreign: [], unanswered: false, watched: false, mode: 'exclusive' as const, ownerChanges: 0, lastAnnouncement: undefined };
    const text = renderLive({
      now: 100,
      title: 'vrrpwatch',
      groups: [g],
      node: [],
      conflicts: new Map(),
      owners: { vips: [vip], probes: new Map(), failoversWithoutGarp: [], missedGarps: [], ownerChanges: [], evicted: { vips: 0, macs: 0, bindings: 0, routerBindings: 0 } },
      captures: [],
      probes: [],
      events: [],
      color: false,
    });
    assert.match(text, /eth0 ipv4 VRID 51 .*VIP 192\.0\.2\.100 ANSWERED BY 2 MACS/);
    assert.match(text, /\nVIP +ANSWERED BY \(MAC, router\)\neth0 192\.0\.2\.100 +02:00:00:00:00:11 \(192\.0\.2\.11\), 02:00:00:00:00:13\n/);
  });

  it('turns a log event into an event line', () => {
    const time = Date.parse('2026-11-23T10:11:12.000Z') / 1000;
    assert.equal(eventLine({ time, level: 'error', msg: 'split-brain: more than one master', fields: { vrid: 51, routers: ['a', 'b'] } }), '10:11:12 !! split-brain: more than one master  vrid=51 routers=a,b');
    assert.equal(eventLine({ time, level: 'warn', msg: 'capture down', fields: { interface: 'eth0', err: new Error('x'), loss: 0.333333 } }), '10:11:12 !  capture down  interface=eth0 loss=0.3333');
    assert.equal(eventLine({ time, level: 'info', msg: 'vrrpwatch stopped', fields: {} }), '10:11:12    vrrpwatch stopped');
  });

  it('is handed the log calls serve makes at the enabled levels, and nothing is written', () => {
    const entries: LogEntry[] = [];
    const log = createLogger('info', 'json', (e) => entries.push(e));
    log.warn({ interface: 'eth0', problem: 'gone' }, 'capture down');
    log.info('vrrpwatch stopped');
    log.debug({ router: A }, 'router acts as master');
    assert.deepEqual(entries.map((e) => [e.level, e.msg, e.fields]), [['warn', 'capture down', { interface: 'eth0', problem: 'gone' }], ['info', 'vrrpwatch stopped', {}]]);
    log.level = 'debug';
    log.debug({ router: A }, 'router acts as master');
    assert.equal(entries.at(-1)?.msg, 'router acts as master');
    assert.ok(entries.every((e) => Math.abs(e.time - Date.now() / 1000) < 60));
  });
});
