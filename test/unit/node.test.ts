import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { groupViewOf } from '../helpers/adverts.js';
import { NodeJudge, windowHoldSeconds } from '../../src/core/node/node.js';
import type { NodeObservations } from '../../src/core/node/node.js';
import { AuthSecret } from '../../src/core/base/secret.js';
import type { GroupView, RouterView } from '../../src/core/groups/views.js';
import type { ExpectedGroup } from '../../src/core/expect/types.js';

const SELF = '192.0.2.11';
const PEER = '192.0.2.12';
const VIP = '192.0.2.100';
const KEY = { interface: 'eth0', family: 'ipv4' as const, vrid: 51 };

function view(masters: string[], routers: { address: string; last: number; master: boolean }[]): GroupView {
  return groupViewOf(routers.map((r) => ({ ...r, adverts: 1, priority: 100, interval: 1, version: 2, addresses: [VIP] })), { masters });
}

function obs(holding: boolean, extra: Partial<NodeObservations> = {}): NodeObservations {
  const local = new Map([[SELF, 'eth0']]);
  if (holding) local.set(VIP, 'eth0');
  return { localAddresses: local, keepalived: new Map(), peerAnswers: undefined, ...extra };
}

const expected: ExpectedGroup = { vrid: 51, interface: 'eth0', family: 'ipv4', vips: [VIP], advertInterval: 1, instance: 'VI_1', source: 'k.conf:3' };

/** Judges at each time, returning the last result. */
function run(judge: NodeJudge, steps: [number, GroupView[], NodeObservations][]): ReturnType<NodeJudge['judge']> {
  let out: ReturnType<NodeJudge['judge']> = [];
  for (const [t, views, o] of steps) out = judge.judge(views, o, t);
  return out;
}

describe('node judgement', () => {
  it('a master holding its VIP is fine', () => {
    const [g] = run(new NodeJudge(0, [expected]), [[10, [view([SELF], [{ address: SELF, last: 9.5, master: true }])], obs(true)]]);
    assert.equal(g?.role, 'master');
    assert.equal(g.roleFrom, 'adverts');
    assert.deepEqual(g.vips, [{ vip: VIP, heldOn: 'eth0' }]);
    assert.deepEqual(g.backupHolding, []);
    assert.deepEqual(g.masterMissing, []);
  });

  it('a backup still holding the VIP is reported once it persists past the hold, not before', () => {
    const judge = new NodeJudge(0, [expected]);
    const peerMaster = [view([PEER], [{ address: PEER, last: 0, master: true }])];
    const steps = (t: number): [number, GroupView[], NodeObservations] => [t, peerMaster, obs(true)];
    assert.deepEqual(run(judge, [steps(10), steps(12)])[0]?.backupHolding, []);
    const [g] = run(judge, [steps(13.5)]);
    assert.deepEqual(g?.backupHolding, [VIP]);
    assert.equal(g.role, 'backup');
    // Once the address is gone the finding ends at once, and a new episode starts a new hold.
    assert.deepEqual(run(judge, [[14, peerMaster, obs(false)]])[0]?.backupHolding, []);
    assert.deepEqual(run(judge, [[15, peerMaster, obs(true)]])[0]?.backupHolding, []);
  });

  it('a reload with the same expectations keeps an open finding open, and the start-up grace', () => {
    const judge = new NodeJudge(0, [expected]);
    const peerMaster = [view([PEER], [{ address: PEER, last: 0, master: true }])];
    assert.deepEqual(run(judge, [[10, peerMaster, obs(true)], [14, peerMaster, obs(true)]])[0]?.backupHolding, [VIP]);
    judge.expect([{ ...expected }]);
    assert.deepEqual(run(judge, [[14.5, peerMaster, obs(true)]])[0]?.backupHolding, [VIP], 'no end and start again');
    const silent = new NodeJudge(0, [expected]);
    assert.equal(run(silent, [[8, [], obs(false)], [10, [], obs(false)]])[0]?.expectedWithoutMaster, true);
    silent.expect([{ ...expected }]);
    assert.equal(run(silent, [[10.5, [], obs(false)]])[0]?.expectedWithoutMaster, true, 'the grace is not started again');
  });

  it('with expectations, a spoofed group listing this node\'s address for another VRID raises no node finding', () => {
    const judge = new NodeJudge(0, [expected]);
    const spoofed = groupViewOf([{ address: '192.0.2.66', last: 9.5, master: true, adverts: 1, priority: 100, interval: 1, version: 2, addresses: [SELF] }], { masters: ['192.0.2.66'], key: { ...KEY, vrid: 77 } });
    const out = run(judge, [[5, [spoofed], obs(false)], [10, [spoofed], obs(false)]]);
    const g = out.find((n) => n.key.vrid === 77);
    assert.deepEqual([g?.backupHolding, g?.masterMissing, g?.mastersBeside], [[], [], []]);
    const witness = run(new NodeJudge(0, []), [[5, [spoofed], obs(false)], [10, [spoofed], obs(false)]]);
    assert.deepEqual(witness[0]?.backupHolding, [SELF], 'without expectations every heard group is judged');
  });

  it("once's hold: a master missing its VIP is judged at the end of the default window even when its first advert came a whole interval in", () => {
    // once listens from 0 to 3.5 s, judging every 0.1 s; the node's first advert is heard at 1.0 s.
    const judge = new NodeJudge(-3600, [expected], (interval) => windowHoldSeconds(3.5, interval));
    const steps: [number, GroupView[], NodeObservations][] = [];
    for (let t = 0; t <= 3.5 + 1e-9; t = Math.round((t + 0.1) * 10) / 10) {
      const heard = t >= 1 ? [view([SELF], [{ address: SELF, last: Math.floor(t), master: true }])] : [];
      steps.push([t, heard, obs(false)]);
    }
    assert.deepEqual(run(judge, steps)[0]?.masterMissing, [VIP]);
    // Still longer than a failover's moment, and never longer than the general hold.
    assert.ok(windowHoldSeconds(3.5, 1) >= 2 && windowHoldSeconds(3.5, 1) <= 3.5 - 1.5);
    assert.equal(windowHoldSeconds(60, 1), 3.5);
  });

  it('keepalived killed with SIGKILL: no adverts of its own, the VIP still here, role from the config', () => {
    const judge = new NodeJudge(0, [expected]);
    const [g] = run(judge, [[10, [], obs(true)], [14, [], obs(true)]]);
    assert.equal(g?.role, 'backup');
    assert.equal(g.roleFrom, 'config');
    assert.deepEqual(g.backupHolding, [VIP]);
  });

  it("keepalived's own word (notify_fifo) decides the role", () => {
    const judge = new NodeJudge(0, [expected]);
    const ka = (state: 'MASTER' | 'BACKUP'): NodeObservations => obs(true, { keepalived: new Map([['VI_1', state]]) });
    const [m] = run(judge, [[10, [], ka('MASTER')], [14, [], ka('MASTER')]]);
    assert.equal(m?.role, 'master');
    assert.equal(m.roleFrom, 'keepalived');
    assert.deepEqual(m.backupHolding, []);
    const [b] = run(judge, [[15, [], ka('BACKUP')], [19, [], ka('BACKUP')]]);
    assert.deepEqual(b?.backupHolding, [VIP]);
  });

  it("keepalived MASTER here, its adverts unseen, another master heard: a split-brain only this node tells, after the hold", () => {
    const judge = new NodeJudge(0, [expected]);
    const master = obs(true, { keepalived: new Map([['VI_1', 'MASTER']]) });
    const peerMaster = [view([PEER], [{ address: PEER, last: 0, master: true }])];
    assert.deepEqual(run(judge, [[10, peerMaster, master], [13, peerMaster, master]])[0]?.mastersBeside, []);
    const [g] = run(judge, [[13.5, peerMaster, master]]);
    assert.deepEqual(g?.mastersBeside, [PEER]);
    assert.deepEqual(g.backupHolding, [], 'keepalived says MASTER: not a backup holding the VIP');
    // Ends as soon as the peer is no longer master, or keepalived here says BACKUP.
    assert.deepEqual(run(judge, [[14, [view([], [{ address: PEER, last: 0, master: false }])], master]])[0]?.mastersBeside, []);
    const backup = obs(true, { keepalived: new Map([['VI_1', 'BACKUP']]) });
    assert.deepEqual(run(judge, [[20, peerMaster, backup], [30, peerMaster, backup]])[0]?.mastersBeside, []);
  });

  it('not that split when this node is heard too (the group judges that), or its role comes only from adverts', () => {
    const judge = new NodeJudge(0, [expected]);
    const master = obs(true, { keepalived: new Map([['VI_1', 'MASTER']]) });
    const both = [view([SELF, PEER], [{ address: SELF, last: 0, master: true }, { address: PEER, last: 0, master: true }])];
    assert.deepEqual(run(judge, [[10, both, master], [20, both, master]])[0]?.mastersBeside, []);
    const peerMaster = [view([PEER], [{ address: PEER, last: 0, master: true }])];
    const [g] = run(new NodeJudge(0, [expected]), [[10, peerMaster, obs(true)], [20, peerMaster, obs(true)]]);
    assert.deepEqual(g?.mastersBeside, []);
    assert.deepEqual(g.backupHolding, [VIP], 'without keepalived\'s word this node looks like a backup holding the VIP');
  });

  it('takes at most 64 VIPs of a group from adverts (keepalived sends at most 20; a spoofed advert lists 255)', () => {
    const many = Array.from({ length: 255 }, (_, i) => `10.0.0.${i}`);
    const v = groupViewOf([{ address: PEER, adverts: 1, priority: 100, interval: 1, last: 9.5, master: true, version: 2, addresses: many }], { masters: [PEER] });
    const [g] = run(new NodeJudge(0, [expected]), [[10, [v], obs(false)]]);
    assert.equal(g?.vips.length, 1 + 64);
    assert.equal(g.vips[0]?.vip, '10.0.0.0');
    assert.ok(g.vips.some((x) => x.vip === VIP), 'the expected VIP is always among them');
  });

  it("a master whose adverts disagree with this node's config (interval, addresses) is reported after the hold", () => {
    const heard = (interval: number, addresses: string[], address = PEER): GroupView[] => [
      groupViewOf([{ address, adverts: 1, priority: 150, interval, last: 9.5, master: true, version: 2, addresses }], { masters: [address] }),
    ];
    const mine: ExpectedGroup = { ...expected, advertInterval: 2 };
    const judge = new NodeJudge(0, [mine]);
    // The hold follows this node's interval: 3 x 2 s + 0.5 s.
    assert.deepEqual(run(judge, [[10, heard(1, [VIP]), obs(false)], [16, heard(1, [VIP]), obs(false)]])[0]?.configDiffers, []);
    assert.deepEqual(run(judge, [[16.5, heard(1, [VIP]), obs(false)]])[0]?.configDiffers, ['advert_interval']);
    // Agreement ends it at once.
    assert.deepEqual(run(judge, [[17, heard(2, [VIP]), obs(false)]])[0]?.configDiffers, []);
    const other = new NodeJudge(0, [expected]);
    assert.deepEqual(run(other, [[10, heard(1, [VIP, '192.0.2.101']), obs(false)], [14, heard(1, [VIP, '192.0.2.101']), obs(false)]])[0]?.configDiffers, ['addresses']);
    // The same addresses in another order agree; this node's own adverts are not compared with itself.
    const same = new NodeJudge(0, [{ ...expected, vips: ['192.0.2.101', VIP] }]);
    assert.deepEqual(run(same, [[10, heard(1, [VIP, '192.0.2.101']), obs(false)], [14, heard(1, [VIP, '192.0.2.101']), obs(false)]])[0]?.configDiffers, []);
    const own = new NodeJudge(0, [mine]);
    assert.deepEqual(run(own, [[10, heard(1, [VIP], SELF), obs(true)], [14, heard(1, [VIP], SELF), obs(true)]])[0]?.configDiffers, []);
    // keepalived never advertises a VIP of the other family (it moves it to virtual_ipaddress_excluded).
    const mixed = new NodeJudge(0, [{ ...expected, vips: [VIP, '2001:db8::100'] }]);
    assert.deepEqual(run(mixed, [[10, heard(1, [VIP]), obs(false)], [14, heard(1, [VIP]), obs(false)]])[0]?.configDiffers, []);
    // More than 20 VIPs never all travel in an advert (keepalived): not compared.
    const many = Array.from({ length: 21 }, (_, i) => `192.0.2.${150 + i}`);
    const big = new NodeJudge(0, [{ ...expected, vips: many }]);
    assert.deepEqual(run(big, [[10, heard(1, many.slice(0, 20)), obs(false)], [14, heard(1, many.slice(0, 20)), obs(false)]])[0]?.configDiffers, []);
  });

  it('a master without its VIP is reported after the hold', () => {
    const judge = new NodeJudge(0, [expected]);
    const own = [view([SELF], [{ address: SELF, last: 0, master: true }])];
    const [g] = run(judge, [[10, own, obs(false)], [13.6, own, obs(false)]]);
    assert.deepEqual(g?.masterMissing, [VIP]);
  });

  it('a witness is an observer and holds nothing', () => {
    const judge = new NodeJudge(0, []);
    const [g] = run(judge, [[10, [view([PEER], [{ address: PEER, last: 9.9, master: true }])], { localAddresses: new Map([['192.0.2.20', 'eth0']]), keepalived: new Map(), peerAnswers: true }]]);
    assert.equal(g?.role, 'observer');
    assert.deepEqual(g.vips, [{ vip: VIP, heldOn: undefined }]);
    assert.equal(g.advertsBlocked, false);
    assert.equal(g.expected, undefined);
  });

  it('lists each VIP once, sorted, from the config and from adverts heard within their master-down interval', () => {
    const other = '192.0.2.99';
    const stale = '192.0.2.98';
    const judge = new NodeJudge(0, [{ ...expected, vips: [VIP, other, VIP] }]);
    const fresh = { address: PEER, last: 9.9, master: true, adverts: 1, priority: 100, interval: 1, version: 2 as const, addresses: [VIP, '192.0.2.101'] };
    const gone = { address: '192.0.2.13', last: 5, master: false, adverts: 1, priority: 90, interval: 1, version: 2 as const, addresses: [stale] };
    const [g] = run(judge, [[10, [groupViewOf([fresh, gone], { masters: [PEER] })], obs(true)]]);
    assert.deepEqual(g?.vips, [
      { vip: VIP, heldOn: 'eth0' },
      { vip: '192.0.2.101', heldOn: undefined },
      { vip: other, heldOn: undefined },
    ]);
  });

  it('an expected group without adverts: no master after the start-up grace; blocked only while a peer answers ping', () => {
    const judge = new NodeJudge(100, [{ ...expected, instance: undefined }]);
    const w = { localAddresses: new Map([['192.0.2.20', 'eth0']]), keepalived: new Map(), peerAnswers: true };
    assert.equal(run(judge, [[101, [], w]])[0]?.expectedWithoutMaster, false);
    assert.equal(run(judge, [[104.5, [], w]])[0]?.expectedWithoutMaster, false, 'not before it outlasts a takeover');
    const [g] = run(judge, [[106, [], w]]);
    assert.equal(g?.expectedWithoutMaster, true);
    assert.equal(g.advertsBlocked, true);
    assert.deepEqual(g.key, KEY);
    assert.equal(run(judge, [[105, [], { ...w, peerAnswers: false }]])[0]?.advertsBlocked, false);
    assert.equal(run(judge, [[106, [view([PEER], [{ address: PEER, last: 105.5, master: true }])], w]])[0]?.advertsBlocked, false);
  });
});

describe('node judgement through a failover', () => {
  const w = { localAddresses: new Map([[SELF, 'eth0']]), keepalived: new Map(), peerAnswers: true };
  const resigned = { address: SELF, last: 200, master: false, adverts: 100, priority: 0, interval: 1, version: 2 as const, addresses: [VIP] };
  const backup = (last: number): RouterView => ({ address: PEER, last, master: true, adverts: 1, priority: 100, interval: 1, version: 2 as const, addresses: [VIP] });

  it('a graceful stop here (priority 0), the peer taking over within its skew, is no finding, judged every second', () => {
    const judge = new NodeJudge(0, [expected]);
    const before = groupViewOf([{ ...resigned, last: 199.5, priority: 150, master: true }], { masters: [SELF] });
    const gap = groupViewOf([resigned], { masters: [] });
    const after = groupViewOf([resigned, backup(200.6)], { masters: [PEER] });
    for (const [t, v] of [[199.6, before], [200.1, gap], [201.1, after], [202.1, after]] as const) {
      const [g] = judge.judge([v], w, t);
      assert.equal(g?.expectedWithoutMaster, false, `no master at ${t}`);
      assert.equal(g.advertsBlocked, false, `adverts blocked at ${t}`);
    }
  });

  it('a gap without a master or the peer\'s adverts that outlasts a takeover is a finding', () => {
    const judge = new NodeJudge(0, [expected]);
    const gap = groupViewOf([resigned], { masters: [] });
    const judged = [200.1, 201.1, 202.1].map((t) => judge.judge([gap], w, t)[0]);
    assert.deepEqual(judged.map((g) => g?.expectedWithoutMaster), [false, false, true]);
    assert.deepEqual(judged.map((g) => g?.advertsBlocked), [false, false, true]);
  });
});

describe('AuthSecret', () => {
  it('keeps its own copy of the bytes (the capture reuses its buffer)', () => {
    const buffer = Buffer.from('s3cr3tpw');
    const secret = new AuthSecret(buffer.subarray(0, 8));
    buffer.write('otherpw!');
    assert.ok(secret.equals(new AuthSecret(Buffer.from('s3cr3tpw'))));
    assert.ok(!secret.equals(new AuthSecret(Buffer.from('otherpw!'))));
    assert.equal(JSON.stringify({ secret }), '{"secret":"<redacted>"}');
  });
});
