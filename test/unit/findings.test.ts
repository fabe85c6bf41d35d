import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { advert, every, groupViewOf, Scenario } from '../helpers/adverts.js';
import { FINDING_KINDS, findings, judgedGroups, judgedGroupsInOrder } from '../../src/core/findings/findings.js';
import { findingChanges, findingLabel, findingLine, findingText } from '../../src/outputs/finding-words.js';
import type { Finding, FindingKind, FindingsInput } from '../../src/core/findings/findings.js';
import type { FindingLine } from '../../src/outputs/finding-words.js';
import { NodeJudge } from '../../src/core/node/node.js';
import type { NodeGroupView, NodeObservations } from '../../src/core/node/node.js';
import type { GroupView } from '../../src/core/groups/views.js';
import type { GroupKey } from '../../src/core/base/keys.js';
import type { ExpectedGroup } from '../../src/core/expect/types.js';
import { vipConflicts } from '../../src/core/groups/vips.js';
import { knownRoutersOf } from '../../src/core/expect/known-routers.js';
import type { OwnershipView, VipView } from '../../src/core/ownership/vip-owners.js';
import { MISSED_GARP_FINDING_SECONDS } from '../../src/core/findings/finding-kinds.js';

const A = '192.0.2.11';
const B = '192.0.2.12';
const VIP = '192.0.2.100';
const NAME = 'VRID 51 on eth0';
const GROUP = { interface: 'eth0', family: 'ipv4', vrid: 51 };

function group(fields: Partial<GroupView> = {}, masters = [A]): GroupView {
  const routers = [A, B].map((address, i) => ({ address, adverts: 3, priority: 150 - 50 * i, interval: 1, last: 99.5, master: masters.includes(address), version: 2 as const, addresses: [VIP] }));
  return groupViewOf(routers, { masters, ...fields });
}

/** The node's judgement of `view` (linked, as NodeJudge makes it), or of an expected group not heard. */
function node(view: GroupView | undefined, fields: Partial<NodeGroupView> = {}): NodeGroupView {
  const key: GroupKey = view?.key ?? { interface: 'eth0', family: 'ipv4', vrid: 51 };
  return { key, view, expected: undefined, role: 'observer', roleFrom: undefined, vips: [], backupHolding: [], masterMissing: [], expectedWithoutMaster: false, advertsBlocked: false, mastersBeside: [], configDiffers: [], ...fields };
}

const expected: ExpectedGroup = { vrid: 51, interface: 'eth0', family: 'ipv4', vips: [VIP], advertInterval: 1, instance: 'VI_1', source: 'keepalived.conf:7' };

/** The findings of one heard group (and its node judgement). */
function of(view: GroupView | undefined, nodeFields?: Partial<NodeGroupView>, extra: Partial<FindingsInput> = {}): Finding[] {
  const groups = view === undefined ? [] : [view];
  const judged = nodeFields === undefined ? [] : [node(view, nodeFields)];
  return findings({ groups, node: judged, conflicts: new Map(), ...extra });
}

/** What every output makes of a finding: once's words, the live view's, the log line. */
function said(f: Finding): { kind: FindingKind; severity: string; scope: string; text: string; label: string | undefined; log: FindingLine | undefined } {
  return { kind: f.kind, severity: f.severity, scope: f.scope, text: findingText(f, NAME), label: findingLabel(f), log: findingLine(f) };
}

const seen = new Set<FindingKind>();
function one(list: Finding[]): ReturnType<typeof said> {
  assert.equal(list.length, 1, JSON.stringify(list.map((f) => f.kind)));
  const [f] = list as [Finding];
  seen.add(f.kind);
  return said(f);
}

describe('findings: each kind, its severity and its words in every output', () => {
  it('split_brain heard on the segment: critical; the log line comes from the Monitor events', () => {
    assert.deepEqual(one(of(group({ splitBrain: true }, [A, B]))), {
      kind: 'split_brain',
      severity: 'critical',
      scope: 'segment',
      text: `split-brain on ${NAME}: ${A}, ${B} are all master`,
      label: 'SPLIT-BRAIN',
      log: undefined,
    });
  });

  it('split_brain only this node can tell (keepalived MASTER here, another master heard, own adverts unseen)', () => {
    assert.deepEqual(one(of(group({}, [B]), { role: 'master', roleFrom: 'keepalived', mastersBeside: [B] })), {
      kind: 'split_brain',
      severity: 'critical',
      scope: 'node',
      text: `split-brain on ${NAME}: keepalived here is MASTER and ${B} advertises as master too; this node's adverts are not seen leaving it`,
      label: 'SPLIT-BRAIN (this node MASTER, adverts not seen leaving)',
      log: { level: 'error', msg: "split-brain: keepalived here is MASTER and another router advertises as master; this node's adverts are not seen leaving it", fields: { ...GROUP, finding: 'split_brain', routers: [B] } },
    });
  });

  it('split_brain seen both ways is one finding (the segment words), and the node line is still logged', () => {
    const f = one(of(group({ splitBrain: true }, [A, B]), { role: 'master', roleFrom: 'keepalived', mastersBeside: [B] }));
    assert.equal(f.scope, 'segment');
    assert.equal(f.text, `split-brain on ${NAME}: ${A}, ${B} are all master`);
    assert.deepEqual(f.log?.fields, { ...GROUP, finding: 'split_brain', routers: [B] });
  });

  it('vip_conflict: another VRID of the interface advertises the VIP, with the other VRIDs and their masters', () => {
    const g = group();
    assert.deepEqual(one(of(g, undefined, { conflicts: new Map([[g.key, [{ vip: VIP, vrids: [51, 52], masters: [[A], [B]], named: [A, B] }]]]) })), {
      kind: 'vip_conflict',
      severity: 'critical',
      scope: 'segment',
      text: `VIP ${VIP} of ${NAME} is also advertised by the master of VRID 52 (${B}): both hold it (virtual_router_id differs?)`,
      label: `VIP ${VIP} ALSO MASTERED IN VRID 52`,
      log: { level: 'error', msg: "split-brain across VRIDs: another VRID's master advertises this group's VIP", fields: { ...GROUP, finding: 'vip_conflict', vip: VIP, other_vrids: [52], routers: [B] } },
    });
  });

  it('vip_conflict: names eight of the other VRIDs\' masters and counts the rest (a flood of VRIDs sharing an address)', () => {
    const g = group();
    const flood = Array.from({ length: 30 }, (_, i) => `198.51.100.${i + 1}`);
    const f = one(of(g, undefined, { conflicts: new Map([[g.key, [{ vip: VIP, vrids: [51, 52], masters: [[A], flood], named: [A, ...flood] }]]]) }));
    assert.equal(f.text, `VIP ${VIP} of ${NAME} is also advertised by the master of VRID 52 (${flood.slice(0, 8).join(', ')} and 22 more): both hold it (virtual_router_id differs?)`);
    assert.deepEqual(f.log?.fields, { ...GROUP, finding: 'vip_conflict', vip: VIP, other_vrids: [52], routers: flood.slice(0, 8), more_routers: 22 });
  });

  it('vip_conflict: says so when the other VRIDs\' masters are this group\'s own (one router mastering several VRIDs)', () => {
    const g = group();
    const f = one(of(g, undefined, { conflicts: new Map([[g.key, [{ vip: VIP, vrids: [51, 52, 53], masters: [[A], [A], [A]], named: [A] }]]]) }));
    assert.equal(f.text, `VIP ${VIP} of ${NAME} is also advertised by the master of VRID 52, 53 (the same routers as this group's masters): both hold it (virtual_router_id differs?)`);
    assert.deepEqual(f.log?.fields, { ...GROUP, finding: 'vip_conflict', vip: VIP, other_vrids: [52, 53], routers: [], more_routers: 2 });
  });

  it('vip_conflict: names 16 VIPs of a group and counts the rest on the last one named', () => {
    const g = group();
    const vips = Array.from({ length: 40 }, (_, i) => `198.51.100.${i + 10}`);
    const list = of(g, undefined, { conflicts: new Map([[g.key, vips.map((vip) => ({ vip, vrids: [51, 52], masters: [[A], [B]], named: [A, B] }))]]) }).filter((f) => f.kind === 'vip_conflict');
    assert.deepEqual(list.map((f) => f.details.vip), vips.slice(0, 16));
    const last = list[15];
    assert.ok(last !== undefined);
    assert.equal(findingText(last, NAME), `VIP 198.51.100.25 of ${NAME} is also advertised by the master of VRID 52 (${B}): both hold it (virtual_router_id differs?); 24 more of its VIPs likewise`);
    assert.equal(findingLabel(last), 'VIP 198.51.100.25 ALSO MASTERED IN VRID 52 (+24 more VIPs)');
    assert.equal(findingLine(last)?.fields.more_vips, 24);
    assert.equal(list[14]?.details.moreVips, undefined);
  });

  it('backup_holding_vip: one per VIP, with what the role was learned from', () => {
    assert.deepEqual(one(of(group({}, [B]), { role: 'backup', roleFrom: 'config', backupHolding: [VIP] })), {
      kind: 'backup_holding_vip',
      severity: 'critical',
      scope: 'node',
      text: `this node holds VIP ${VIP} of ${NAME} but is not master`,
      label: `BACKUP HOLDS ${VIP}`,
      log: { level: 'error', msg: 'this node holds the VIP but is not master', fields: { ...GROUP, finding: 'backup_holding_vip', vip: VIP, role_from: 'config' } },
    });
    assert.deepEqual(of(group({}, [B]), { role: 'backup', backupHolding: [VIP, '192.0.2.101'] }).map((f) => f.details.vip), [VIP, '192.0.2.101']);
  });

  it('no_master of an expected group names where it was expected; a heard group that lost its master is logged by the Monitor', () => {
    assert.deepEqual(one(of(undefined, { expected, expectedWithoutMaster: true })), {
      kind: 'no_master',
      severity: 'critical',
      scope: 'node',
      text: `no master on ${NAME} (expected from keepalived.conf:7)`,
      label: 'NO MASTER',
      log: { level: 'error', msg: 'an expected group has no master', fields: { ...GROUP, finding: 'no_master', expected_from: 'keepalived.conf:7' } },
    });
    assert.deepEqual(one(of(group({ noMaster: true }, []))), { kind: 'no_master', severity: 'critical', scope: 'segment', text: `${NAME} lost its master`, label: 'NO MASTER', log: undefined });
    // Both at once: one finding, the expectation's.
    const both = of(group({ noMaster: true }, []), { expected, expectedWithoutMaster: true });
    assert.deepEqual(both.map((f) => [f.kind, f.scope]), [['no_master', 'node']]);
  });

  it('master_missing_vip: this node is master without the VIP', () => {
    assert.deepEqual(one(of(group(), { role: 'master', masterMissing: [VIP] })), {
      kind: 'master_missing_vip',
      severity: 'critical',
      scope: 'node',
      text: `this node is master of ${NAME} but does not hold VIP ${VIP}`,
      label: `MASTER WITHOUT ${VIP}`,
      log: { level: 'error', msg: 'this node is master but does not hold the VIP', fields: { ...GROUP, finding: 'master_missing_vip', vip: VIP } },
    });
  });

  it('auth_mismatch: a warning, logged by the Monitor events', () => {
    assert.deepEqual(one(of(group({ authMismatch: true }))), { kind: 'auth_mismatch', severity: 'warning', scope: 'segment', text: `auth mismatch on ${NAME}`, label: 'auth mismatch', log: undefined });
  });

  it("config_mismatch: the routers disagree (Monitor events log it), or the master disagrees with this node's config", () => {
    assert.deepEqual(one(of(group({ configMismatch: ['advert_interval'] }))), {
      kind: 'config_mismatch',
      severity: 'warning',
      scope: 'segment',
      text: `advert_interval mismatch on ${NAME}`,
      label: 'advert_interval mismatch',
      log: undefined,
    });
    assert.deepEqual(one(of(group(), { role: 'backup', expected, configDiffers: ['advert_interval'] })), {
      kind: 'config_mismatch',
      severity: 'warning',
      scope: 'node',
      text: `advert_interval of the master on ${NAME} differs from this node's keepalived.conf:7`,
      label: "advert_interval differs from this node's config",
      log: { level: 'warn', msg: "the master's adverts disagree with this node's config", fields: { ...GROUP, finding: 'config_mismatch', field: 'advert_interval', config: 'keepalived.conf:7' } },
    });
  });

  it('config_mismatch: one finding per field; a field both see is said as the routers, and logged as the node', () => {
    const list = of(group({ configMismatch: ['advert_interval', 'version'] }), { role: 'backup', expected, configDiffers: ['addresses', 'advert_interval'] });
    assert.deepEqual(list.map((f) => [f.details.field, f.scope, findingLine(f)?.fields.config]), [
      ['advert_interval', 'segment', 'keepalived.conf:7'],
      ['version', 'segment', undefined],
      ['addresses', 'node', 'keepalived.conf:7'],
    ]);
  });

  it('adverts_blocked: peers answer ping, the group is not heard', () => {
    assert.deepEqual(one(of(undefined, { expected, advertsBlocked: true })), {
      kind: 'adverts_blocked',
      severity: 'warning',
      scope: 'node',
      text: `no advertisement of ${NAME} arrives although peers answer ping: VRRP blocked?`,
      label: 'adverts blocked?',
      log: { level: 'warn', msg: 'peers answer ping but no advertisement of the group arrives: VRRP is blocked', fields: { ...GROUP, finding: 'adverts_blocked' } },
    });
  });

  it('unexpected_group and unexpected_router: only when once is given what to expect', () => {
    assert.deepEqual(of(group()), []);
    assert.deepEqual(one(of(group(), undefined, { haveExpectations: true })), { kind: 'unexpected_group', severity: 'warning', scope: 'segment', text: `unexpected ${NAME} from ${A}, ${B}`, label: 'unexpected group', log: undefined });
    assert.deepEqual(of(group(), { expected }, { haveExpectations: true }), []);
    assert.deepEqual(one(of(group(), undefined, { knownRouters: knownRoutersOf([A], []) })), { kind: 'unexpected_router', severity: 'warning', scope: 'segment', text: `unexpected router ${B} on ${NAME}`, label: `unexpected router ${B}`, log: undefined });
    assert.deepEqual(of(group(), undefined, { knownRouters: knownRoutersOf([], [B]) }), [], 'without peers nothing is judged');
  });

  it('capture_down and probe_down: findings of the host, not of a group', () => {
    const capture = of(group(), undefined, { captureProblems: ['eth1: no such device'] });
    assert.equal(capture[0]?.key, undefined);
    assert.deepEqual(one(capture), { kind: 'capture_down', severity: 'warning', scope: 'host', text: 'capture: eth1: no such device', label: undefined, log: undefined });
    // With nothing heard or expected the capture problem is the whole answer, not a finding.
    assert.deepEqual(of(undefined, undefined, { captureProblems: ['eth1: no such device'] }), []);
    const probes = [
      { target: B, role: 'peer' as const, up: false, rtt: undefined, loss: 1 },
      { target: '192.0.2.1', role: 'gateway' as const, up: true, rtt: 0.001, loss: 0 },
    ];
    assert.deepEqual(one(of(undefined, undefined, { probes })), { kind: 'probe_down', severity: 'warning', scope: 'host', text: `peer ${B} does not answer ping`, label: undefined, log: undefined });
  });

  it('lists a group worst first in the order of the kinds, each group in turn, then the host', () => {
    const g51 = group({ splitBrain: true, authMismatch: true, configMismatch: ['version'] }, [A, B]);
    const g52 = group({ key: { interface: 'eth0', family: 'ipv4', vrid: 52 }, authMismatch: true });
    const list = findings({
      groups: [g51, g52],
      node: [node(g51, { role: 'backup', backupHolding: [VIP] }), node(g52)],
      conflicts: new Map([[g51.key, [{ vip: VIP, vrids: [51, 52], masters: [[A], [B]], named: [A, B] }]]]),
      probes: [{ target: B, role: 'peer', up: false, rtt: undefined, loss: 1 }],
    });
    assert.deepEqual(
      list.map((f) => `${f.key?.vrid ?? 'host'} ${f.kind}`),
      ['51 split_brain', '51 vip_conflict', '51 backup_holding_vip', '51 auth_mismatch', '51 config_mismatch', '52 auth_mismatch', 'host probe_down'],
    );
    assert.deepEqual(
      list.map((f) => f.severity),
      ['critical', 'critical', 'critical', 'warning', 'warning', 'warning', 'warning'],
    );
  });

  it('foreign_traffic: a warning on the group whose VRID another protocol uses, naming it, its vhid and sources', () => {
    const episode = { start: 90, last: 99, packets: 10, sources: ['192.0.2.13', '192.0.2.14'], moreSources: 1 };
    assert.deepEqual(one(of(group(), undefined, { foreign: new Map([['eth0|ipv4|51', [{ protocol: 'carp' as const, vhid: 51, episode, until: 109 }]]]) })), {
      kind: 'foreign_traffic',
      severity: 'warning',
      scope: 'segment',
      text: `CARP traffic uses the VRID of ${NAME} (vhid 51 from 192.0.2.13, 192.0.2.14 and 1 more): its routers read it as their own adverts and flap`,
      label: 'FOREIGN CARP vhid 51 from 192.0.2.13, 192.0.2.14 and 1 more',
      log: { level: 'warn', msg: 'CARP traffic uses this VRID', fields: { ...GROUP, finding: 'foreign_traffic', protocol: 'carp', vhid: 51, sources: ['192.0.2.13', '192.0.2.14'], more_sources: 1 } },
    });
  });

  it('track_script_failing: a warning on the node whose advertised priority says which script fails', () => {
    const check = { kind: 'script' as const, name: 'check_nginx', weight: -5, reverse: false };
    const tracking = { configured: 150, healthy: 150, advertised: 145, solutions: [[check]], failing: [check], uncertain: [] };
    assert.deepEqual(one(of(group(), { role: 'master', expected, tracking })), {
      kind: 'track_script_failing',
      severity: 'warning',
      scope: 'node',
      text: `this node advertises ${NAME} with a lowered priority: priority 150 -> 145: check_nginx (weight -5) failing`,
      label: 'priority 150 -> 145: check_nginx (weight -5) failing',
      log: {
        level: 'warn',
        msg: "keepalived's trackers moved this node's priority: priority 150 -> 145: check_nginx (weight -5) failing",
        fields: { ...GROUP, finding: 'track_script_failing', configured_priority: 150, healthy_priority: 150, advertised_priority: 145, failing: ['check_nginx'], combinations: 1 },
      },
    });
  });

  it('VIP ownership on the wire: duplicate, foreign owner and unanswered are critical, each logged with its VIP', () => {
    const M1 = '02:00:00:00:00:11';
    const M2 = '02:00:00:00:00:12';
    const key: GroupKey = { interface: 'eth0', family: 'ipv4', vrid: 51 };
    const vip = (fields: Partial<VipView>): VipView => ({ interface: 'eth0', vip: VIP, family: 'ipv4', groups: [key], expected: false, hasMaster: true, owners: [], duplicate: false, foreign: [], unanswered: false, watched: false, mode: 'exclusive', ownerChanges: 0, lastAnnouncement: undefined, ...fields });
    const owners = (v: VipView): OwnershipView => ({ vips: [v], probes: new Map(), failoversWithoutGarp: [], missedGarps: [], ownerChanges: [], evicted: { vips: 0, macs: 0, bindings: 0, routerBindings: 0 } });
    const answering = [
      { mac: M1, router: A, local: false, kinds: ['reply' as const], since: 90, last: 99 },
      { mac: M2, router: undefined, local: false, kinds: ['reply' as const], since: 90, last: 99 },
    ];
    assert.deepEqual(of(group(), undefined, { owners: owners(vip({ owners: answering })) }), []);
    assert.deepEqual(one(of(group(), undefined, { owners: owners(vip({ owners: answering, duplicate: true })) })), {
      kind: 'vip_duplicate',
      severity: 'critical',
      scope: 'segment',
      text: `VIP ${VIP} of ${NAME} is answered by ${M1} (${A}), ${M2}: split-brain on the wire`,
      label: `VIP ${VIP} ANSWERED BY 2 MACS`,
      log: { level: 'error', msg: 'more than one MAC answers for the VIP: split-brain on the wire', fields: { ...GROUP, finding: 'vip_duplicate', vip: VIP, vip_interface: 'eth0', macs: [`${M1} (${A})`, M2] } },
    });
    assert.deepEqual(one(of(group(), undefined, { owners: owners(vip({ owners: answering, foreign: [M2] })) })), {
      kind: 'vip_foreign_owner',
      severity: 'critical',
      scope: 'segment',
      text: `VIP ${VIP} of ${NAME} is answered by ${M2}, which belongs to no master of the group (a real server without arp_ignore, a stale host?)`,
      label: `VIP ${VIP} ANSWERED BY FOREIGN ${M2}`,
      log: { level: 'error', msg: 'a MAC that belongs to no master answers for the VIP', fields: { ...GROUP, finding: 'vip_foreign_owner', vip: VIP, vip_interface: 'eth0', mac: M2 } },
    });
    // An expected group not heard (a witness of a unicast pair) lives on any interface: its VIPs are found.
    const any: GroupKey = { interface: 'any', family: 'ipv4', vrid: 51 };
    const unanswered = findings({ groups: [], node: [{ ...node(undefined, { expected: { ...expected, interface: undefined } }), key: any }], conflicts: new Map(), owners: owners(vip({ unanswered: true })) });
    assert.deepEqual(one(unanswered), {
      kind: 'vip_unanswered',
      severity: 'critical',
      scope: 'segment',
      text: `nobody answers ARP or NDP for VIP ${VIP} of ${NAME} although it has a master`,
      label: `VIP ${VIP} UNANSWERED`,
      log: { level: 'error', msg: 'the group has a master but nobody answers for the VIP', fields: { interface: 'any', family: 'ipv4', vrid: 51, finding: 'vip_unanswered', vip: VIP, vip_interface: 'eth0' } },
    });
  });

  it('failover_without_garp: a warning for ten minutes after the failover, logged by serve when counted, not as a start and an end', () => {
    const key: GroupKey = { interface: 'eth0', family: 'ipv4', vrid: 51 };
    const owners: OwnershipView = { vips: [], probes: new Map(), failoversWithoutGarp: [{ key, count: 1 }], missedGarps: [{ seq: 1, key, router: B, time: 50, vips: [VIP] }], ownerChanges: [], evicted: { vips: 0, macs: 0, bindings: 0, routerBindings: 0 } };
    assert.deepEqual(one(of(group(), undefined, { owners, now: 60 })), {
      kind: 'failover_without_garp',
      severity: 'warning',
      scope: 'segment',
      text: `the new master ${B} of ${NAME} sent no gratuitous ARP or unsolicited NA after its failover: clients may still send to the old master`,
      label: `no GARP from ${B} after failover`,
      log: undefined,
    });
    assert.deepEqual(of(group(), undefined, { owners, now: 50 + MISSED_GARP_FINDING_SECONDS + 1 }), []);
    assert.deepEqual(of(group({ key: { interface: 'eth0', family: 'ipv4', vrid: 52 } }), undefined, { owners, now: 60 }), []);
  });

  it('failover_risk: a warning while the group is at risk, with the window\'s near failovers and missing adverts; logged from the Monitor\'s events', () => {
    assert.deepEqual(of(group()), []);
    assert.deepEqual(one(of(group({ riskSince: 40, riskNear: 2, riskMissed: 7 }))), {
      kind: 'failover_risk',
      severity: 'warning',
      scope: 'segment',
      text: `the master of ${NAME} is at risk of a failover: its adverts come close to the takeover deadline (2 near failovers, 7 adverts missing in the last 60 intervals)`,
      label: 'FAILOVER RISK (2 near failovers, 7 adverts missing in the last 60 intervals)',
      log: undefined,
    });
  });

  it('every kind is covered above', () => {
    assert.deepEqual([...seen].sort(), [...FINDING_KINDS].sort());
  });
});

describe('judged groups', () => {
  it("takes the node's link to its view, adds the views it did not judge, and matches nothing by key", () => {
    const g51 = group();
    const g52 = group({ key: { interface: 'eth0', family: 'ipv4', vrid: 52 } });
    const linked = node(g51);
    const expectedOnly = node(undefined, { key: { interface: 'any', family: 'ipv4', vrid: 53 }, expected });
    const groups = judgedGroups({ groups: [g51, g52], node: [linked, expectedOnly] });
    assert.deepEqual(groups.map((g) => [g.key.vrid, g.view, g.node]), [[51, g51, linked], [53, undefined, expectedOnly], [52, g52, undefined]]);
    assert.deepEqual(judgedGroupsInOrder({ groups: [g51, g52], node: [linked, expectedOnly] }).map((g) => `${g.key.interface} ${g.key.vrid}`), ['any 53', 'eth0 51', 'eth0 52']);
  });
});

describe('finding log lines: one when a finding starts, one when it ends', () => {
  const holding = (vips: string[]): Finding[] => of(group({}, [B]), { role: 'backup', roleFrom: 'config', backupHolding: vips });
  const line = (vip: string): FindingLine => ({ level: 'error', msg: 'this node holds the VIP but is not master', fields: { ...GROUP, finding: 'backup_holding_vip', vip, role_from: 'config' } });

  it('starts once, says nothing while it lasts, ends once with the fields it started with', () => {
    let c = findingChanges(new Map(), holding([VIP]));
    assert.deepEqual(c.started, [{ ...line(VIP), id: 'eth0|ipv4|51|backup_holding_vip|192.0.2.100' }]);
    assert.deepEqual(c.ended, []);
    c = findingChanges(c.active, holding([VIP]));
    assert.deepEqual([c.started, c.ended], [[], []]);
    c = findingChanges(c.active, holding([VIP, '192.0.2.101']));
    assert.deepEqual(c.started, [{ ...line('192.0.2.101'), id: 'eth0|ipv4|51|backup_holding_vip|192.0.2.101' }]);
    c = findingChanges(c.active, holding(['192.0.2.101']));
    assert.deepEqual(c.started, []);
    assert.deepEqual(c.ended, [{ msg: 'ended: this node holds the VIP but is not master', fields: line(VIP).fields }]);
    c = findingChanges(c.active, []);
    assert.deepEqual(c.ended.map((e) => e.fields.vip), ['192.0.2.101']);
    assert.equal(c.active.size, 0);
  });

  it('never logs a finding the Monitor events log; ends the node line when only the routers still disagree', () => {
    assert.deepEqual(findingChanges(new Map(), of(group({ splitBrain: true, authMismatch: true, configMismatch: ['version'] }, [A, B]))).active.size, 0);
    const both = of(group({ configMismatch: ['advert_interval'] }), { role: 'backup', expected, configDiffers: ['advert_interval'] });
    let c = findingChanges(new Map(), both);
    assert.deepEqual(c.started.map((l) => l.msg), ["the master's adverts disagree with this node's config"]);
    c = findingChanges(c.active, of(group({ configMismatch: ['advert_interval'] }), { role: 'backup', expected }));
    assert.deepEqual(c.ended.map((l) => l.msg), ["ended: the master's adverts disagree with this node's config"]);
  });

  it('the same trouble seen first by the node, then by the segment too, is not said again', () => {
    let c = findingChanges(new Map(), of(group(), { role: 'backup', expected, configDiffers: ['advert_interval'] }));
    assert.equal(c.started.length, 1);
    c = findingChanges(c.active, of(group({ configMismatch: ['advert_interval'] }), { role: 'backup', expected, configDiffers: ['advert_interval'] }));
    assert.deepEqual([c.started, c.ended], [[], []]);
  });
});

describe('findings from the core, on a fixed clock', () => {
  const SELF = A;
  const local = (held: boolean): NodeObservations => ({ localAddresses: new Map(held ? [[SELF, 'eth0'], [VIP, 'eth0']] : [[SELF, 'eth0']]), keepalived: new Map(), peerAnswers: undefined });

  it('a backup left holding the VIP: no finding within the hold, one log line when it starts and one when it ends', () => {
    const s = new Scenario();
    const judge = new NodeJudge(0, [expected]);
    const log: string[] = [];
    let active: ReadonlyMap<string, FindingLine> = new Map();
    for (let t = 0; t <= 30; t++) {
      s.monitor.advert('eth0', advert({ src: B, priority: 150 }), t);
      s.monitor.settle(t);
      const views = [s.view() as GroupView];
      const node = judge.judge(views, local(t >= 10 && t < 20), t);
      const c = findingChanges(active, findings({ groups: views, node, conflicts: vipConflicts(views) }));
      for (const l of c.started) log.push(`${t} ${l.level} ${l.msg}`);
      for (const l of c.ended) log.push(`${t} info ${l.msg}`);
      active = c.active;
    }
    // Held from 10; the hold is 3 x 1 s + 0.5 s, so judged at 14; gone at 20.
    assert.deepEqual(log, ['14 error this node holds the VIP but is not master', '20 info ended: this node holds the VIP but is not master']);
  });

  it('a split-brain played through the Monitor is one critical finding with both masters', () => {
    const s = new Scenario();
    s.play([...every(1, 0, 20, advert({ src: A, priority: 150 })), ...every(1, 5.5, 20, advert({ src: B, priority: 100 }))], 15);
    const view = s.view() as GroupView;
    const list = findings({ groups: [view], node: [], conflicts: new Map() });
    assert.deepEqual(list.map((f) => [f.kind, f.severity, f.details.routers]), [['split_brain', 'critical', [A, B]]]);
  });
});
