import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findings } from '../../src/core/findings/findings.js';
import { findingLine, findingText } from '../../src/outputs/finding-words.js';
import { KeepalivedConfError, parseKeepalivedConf } from '../../src/core/expect/keepalived-conf.js';
import { NodeJudge } from '../../src/core/node/node.js';
import { attributePriority, trackText } from '../../src/core/expect/track.js';
import type { InstanceTracking, Tracker } from '../../src/core/expect/track.js';
import type { ExpectedGroup } from '../../src/core/expect/types.js';
import { Metrics } from '../../src/outputs/metrics.js';
import { groupViewOf } from '../helpers/adverts.js';

const CONF = `vrrp_script check_nginx {
    script "/usr/local/bin/check_nginx.sh"
    interval 2
    weight -5
}
vrrp_script check_db {
    script "/usr/local/bin/check_db.sh"
    weight 10
}
vrrp_script check_fault {
    script "/bin/true"
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority 150
    track_script {
        check_nginx
        check_db
        check_fault
    }
}
vrrp_instance VI_2 {
    interface eth0
    virtual_router_id 52
    priority 100
    track_script {
        check_nginx weight -20
    }
    track_interface {
        eth1 weight -30
        eth2
    }
    track_file {
        maintenance weight -1
    }
}
`;

function script(name: string, weight: number): Tracker {
  return { kind: 'script', name, weight, reverse: false };
}

const noResolve = (): string => 'no includes here';

describe('keepalived.conf tracking', () => {
  it('reads vrrp_script weights, track_script entries and per-instance overrides', () => {
    const conf = parseKeepalivedConf('/k.conf', CONF, noResolve);
    assert.deepEqual(conf.instances[0]?.tracking, { priority: 150, trackers: [script('check_nginx', -5), script('check_db', 10), script('check_fault', 0)] });
    assert.deepEqual(conf.instances[1]?.tracking, {
      priority: 100,
      trackers: [script('check_nginx', -20), { kind: 'interface', name: 'eth1', weight: -30, reverse: false }, { kind: 'interface', name: 'eth2', weight: 0, reverse: false }, { kind: 'file', name: 'maintenance', weight: -1, reverse: false }],
    });
  });

  it('reads `weight N reverse` and rejects a weight outside -253..253, naming file and line', () => {
    const conf = parseKeepalivedConf('/k.conf', 'vrrp_instance A {\n virtual_router_id 1\n track_script {\n  s weight 5 reverse\n }\n}\n', noResolve);
    assert.deepEqual(conf.instances[0]?.tracking.trackers, [{ kind: 'script', name: 's', weight: 5, reverse: true }]);
    assert.throws(() => parseKeepalivedConf('/k.conf', 'vrrp_script s {\n weight -300\n}\n', noResolve), new KeepalivedConfError('/k.conf:2: weight must be a whole number from -253 to 253, not "-300"'));
  });
});

describe('which trackers must be failing', () => {
  const nginx: InstanceTracking = { priority: 150, trackers: [script('check_nginx', -5)] };

  it('names the script whose weight is missing', () => {
    const j = attributePriority(nginx, 145);
    assert.ok(j);
    assert.deepEqual(j.failing.map((t) => t.name), ['check_nginx']);
    assert.equal(trackText(j), 'priority 150 -> 145: check_nginx (weight -5) failing');
    assert.equal(attributePriority(nginx, 150), undefined, 'healthy');
    assert.equal(attributePriority(nginx, 0), undefined, 'a resignation says nothing of the trackers');
  });

  it('counts a positive weight as added while the script succeeds', () => {
    const t: InstanceTracking = { priority: 100, trackers: [script('check_db', 10), script('check_nginx', -5)] };
    assert.equal(trackText(attributePriority(t, 100) ?? assert.fail()), 'priority 110 -> 100: check_db (weight 10) failing');
    assert.equal(trackText(attributePriority(t, 95) ?? assert.fail()), 'priority 110 -> 95: check_db (weight 10) failing and check_nginx (weight -5) failing');
  });

  it('reports combinations that fit equally as ambiguous, and a priority no combination explains', () => {
    const t: InstanceTracking = { priority: 150, trackers: [script('a', -5), script('b', -5), { kind: 'interface', name: 'eth1', weight: -10, reverse: false }] };
    const j = attributePriority(t, 140);
    assert.ok(j);
    assert.equal(j.solutions.length, 2);
    assert.deepEqual(j.failing, []);
    assert.equal(trackText(j), 'priority 150 -> 140: either interface eth1 (weight -10) down, or a (weight -5) failing and b (weight -5) failing');
    assert.equal(trackText(attributePriority(t, 137) ?? assert.fail()), 'priority 150 -> 137: no combination of the tracked weights explains it');
  });

  it('never blames a script for what a track_file may have done, and knows keepalived clamps at 1', () => {
    const t: InstanceTracking = { priority: 100, trackers: [script('check_nginx', -20), { kind: 'file', name: 'maintenance', weight: -1, reverse: false }] };
    assert.equal(trackText(attributePriority(t, 80) ?? assert.fail()), 'priority 100 -> 80: check_nginx (weight -20) failing (track_file maintenance may move it too)');
    assert.equal(trackText(attributePriority(t, 77) ?? assert.fail()), 'priority 100 -> 77: no combination of the weights vrrpwatch can combine explains it (track_file maintenance may move it too)');
    const low: InstanceTracking = { priority: 10, trackers: [script('check_nginx', -20)] };
    assert.deepEqual(attributePriority(low, 1)?.failing.map((x) => x.name), ['check_nginx']);
  });
});

describe('a node names its failing track_script', () => {
  const SELF = '192.0.2.11';
  const expected: ExpectedGroup = { vrid: 51, interface: 'eth0', family: 'ipv4', vips: ['192.0.2.100'], advertInterval: 1, instance: 'VI_1', source: '/k.conf:12', tracking: { priority: 150, trackers: [script('check_nginx', -5)] } };
  const local = { localAddresses: new Map([[SELF, 'eth0'], ['192.0.2.100', 'eth0']]), keepalived: new Map(), peerAnswers: undefined };
  const heard = (priority: number, last: number): ReturnType<typeof groupViewOf> =>
    groupViewOf([{ address: SELF, last, master: true, adverts: 10, priority, interval: 1, version: 2, addresses: ['192.0.2.100'] }], { masters: [SELF] });

  it('from its own fresh adverts, as a WARNING with a log line and a gauge, and not once the priority is healthy again', async () => {
    const judge = new NodeJudge(0, [expected]);
    const [degraded] = judge.judge([heard(145, 99.5)], local, 100);
    assert.equal(degraded?.ownPriority, 145);
    const list = findings({ groups: [heard(145, 99.5)], node: judge.judge([heard(145, 99.5)], local, 100), conflicts: new Map() });
    const f = list.find((x) => x.kind === 'track_script_failing');
    assert.ok(f);
    assert.equal(f.severity, 'warning');
    assert.equal(findingText(f, 'VRID 51 on eth0'), 'this node advertises VRID 51 on eth0 with a lowered priority: priority 150 -> 145: check_nginx (weight -5) failing');
    assert.deepEqual(findingLine(f)?.fields, { interface: 'eth0', family: 'ipv4', vrid: 51, finding: 'track_script_failing', configured_priority: 150, healthy_priority: 150, advertised_priority: 145, failing: ['check_nginx'], combinations: 1 });
    const scrape = async (node: ReturnType<NodeJudge['judge']>): Promise<string> =>
      (await new Metrics({ version: '1', revision: 'unknown', nodejs: 'v20.0.0', libpcap: '1.10.3' }).render({ groups: [], node, conflicts: new Map(), invalid: new Map(), captures: [], probes: [], evictions: { group: 0, router: 0 }, keepalived: new Map(), config: { lastReloadOk: true, lastReloadAt: 1 } })).body.toString();
    assert.match(await scrape(judge.judge([heard(145, 99.5)], local, 100)), /^vrrpwatch_keepalived_track_script_failing\{keepalived_instance="VI_1",script="check_nginx"\} 1$/m);
    assert.match(await scrape(judge.judge([heard(150, 100.5)], local, 101)), /^vrrpwatch_keepalived_track_script_failing\{keepalived_instance="VI_1",script="check_nginx"\} 0$/m);
    assert.doesNotMatch(await scrape(judge.judge([heard(150, 100.5)], local, 110)), /^vrrpwatch_keepalived_track_script_failing\{/m, 'absent while this node does not advertise');
    const [healthy] = judge.judge([heard(150, 100.5)], local, 101);
    assert.equal(healthy?.tracking, undefined);
    const [silent] = judge.judge([heard(145, 99.5)], local, 110);
    assert.equal(silent?.tracking, undefined, 'adverts older than the Master_Down_Interval say nothing');
    assert.equal(silent?.ownPriority, undefined);
  });
});
