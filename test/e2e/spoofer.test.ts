/**
 * A spoofer on the segment, in a namespace lab (keepalived on a and b, the spoofer c, the witness w on
 * one bridge, documentation addresses only): what it can make vrrpwatch `serve` on the witness send and
 * judge. The spoofer sends raw adverts with python3 (test/helpers/raw-frames.ts); what the witness sends
 * is captured with tcpdump on c. Needs root.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADDRESS, valueOf, VIP, waitFor } from '../../lab/lab.js';
import type { Lab, Sample } from '../../lab/lab.js';
import { sendFrames, vrrpV2Frame } from '../helpers/raw-frames.js';
import { useLab } from '../helpers/lab.js';

const V4 = { interface: 'eth0', vip: VIP.v4 };
const W = ADDRESS.w.v4;
/** What the spoofed adverts list beside unicast addresses of the subnet: nothing a probe may target. */
const FORBIDDEN = ['0.0.0.0', '255.255.255.255', '127.0.0.1', '224.0.0.1', '192.0.2.255', '169.254.1.1', W];
const CAPTURE_S = 10;

let lab: Lab;

function m(): Sample[] | undefined {
  return lab.metrics('w');
}

/** 254 spoofed groups a second (every VRID but 51), each listing the forbidden addresses and 13 of 100 addresses of the subnet. */
function spoofedAdverts(): Uint8Array[] {
  const frames: Uint8Array[] = [];
  for (let vrid = 1; vrid <= 255; vrid++) {
    if (vrid === 51) continue;
    const unicast = Array.from({ length: 13 }, (_, k) => `192.0.2.${150 + ((vrid * 13 + k) % 100)}`);
    frames.push(vrrpV2Frame({ srcMac: '02:00:00:00:0c:99', src: ADDRESS.c.v4, vrid, addresses: [...FORBIDDEN, ...unicast] }));
  }
  return frames;
}

/** What w sends in `seconds`, as tcpdump on c prints it (ARP and ICMPv6 from w's MAC). */
function captureFromWitness(seconds: number): string[] {
  const r = spawnSync('ip', ['netns', 'exec', lab.ns('c'), 'timeout', String(seconds), 'tcpdump', '-i', 'eth0', '-nn', '-l', '-q', `ether src ${lab.macOf('w')} and (arp or icmp6)`], { encoding: 'utf8', timeout: (seconds + 10) * 1000 });
  return r.stdout.split('\n').filter((l) => l.trim() !== '');
}

describe('a spoofer flooding adverts (real keepalived, raw spoofed adverts, a capture of the probe)', () => {
  lab = useLab(['a', 'b', 'c', 'w']);

  it('the probe sends at most 10 frames a second, never for what no probe may target, and still probes the real VIP from the witness address', async (t) => {
    lab.keepalived('a', [{ name: 'VI_1', vrid: 51, priority: 150 }]);
    lab.keepalived('b', [{ name: 'VI_1', vrid: 51, priority: 100 }]);
    const config = join(lab.dir, 'w.yml');
    // 60 of the 100 learned VIPs get a place: 61 VIPs a 2 s round ask for 30 frames a second, the bound gives 10.
    writeFileSync(config, `interfaces: [eth0]\nvip_probe: { learned_vips: 60 }\ngroups:\n  - vrid: 51\n    interface: eth0\n    vips: [${VIP.v4}]\n`);
    lab.serve('w', ['-c', config]);
    await waitFor('a answering for the VIP', () => valueOf(m(), 'vrrpwatch_vip_owner_info', { ...V4, mac: lab.macOf('a'), router: ADDRESS.a.v4 }) === 1, 60_000);
    sendFrames(lab, 'c', 'spoofer', 'eth0', spoofedAdverts(), 1, 60);
    await waitFor('the spoofed groups heard', () => (valueOf(m(), 'vrrpwatch_vip_probes_skipped_total', { reason: 'learned_budget' }) ?? 0) > 0, 30_000);
    const lines = captureFromWitness(CAPTURE_S);
    t.diagnostic(`${lines.length} probe frames in ${CAPTURE_S} s under 254 spoofed groups a second`);
    const arp = lines.filter((l) => l.includes('ARP'));
    const tells = new Set(arp.map((l) => /tell (\S+),/.exec(l)?.[1]));
    const targets = new Set(arp.map((l) => /who-has (\S+) tell/.exec(l)?.[1]));
    // A token bucket of 10 a second holding one second's worth: at most 10 + 10 x seconds.
    assert.ok(lines.length <= 10 * (CAPTURE_S + 1), `${lines.length} frames in ${CAPTURE_S} s:\n${lines.slice(0, 20).join('\n')}`);
    assert.ok(lines.length >= 5 * CAPTURE_S, `the bound is used, not wasted: ${lines.length} frames`);
    assert.deepEqual([...tells], [W], 'always sent as the witness address: never 0.0.0.0, never an address an advert lists');
    for (const f of FORBIDDEN) assert.equal(targets.has(f), false, `${f} probed`);
    assert.ok(targets.has(VIP.v4), `the expected VIP is probed during the flood: ${[...targets].join(' ')}`);
    const skipped = (reason: string): number => valueOf(m(), 'vrrpwatch_vip_probes_skipped_total', { reason }) ?? 0;
    for (const reason of ['unspecified', 'broadcast', 'loopback', 'multicast', 'link_local', 'own_address', 'learned_budget', 'rate']) assert.ok(skipped(reason) > 0, `${reason} counted`);
    const summary = await lab.waitForLog('vrrpwatch-w', { msg: 'VIPs not probed (by reason; logged at most every 60 s)' });
    assert.equal(typeof (summary.skipped as Record<string, unknown> | undefined)?.learned_budget, 'number', JSON.stringify(summary));
    const logged = lab.logs('vrrpwatch-w', { msg: /^VIPs not probed/ });
    assert.equal(logged.length, 1, 'one summary a minute');
    assert.equal(valueOf(m(), 'vrrpwatch_vip_duplicate', V4), 0);
    assert.equal(valueOf(m(), 'vrrpwatch_vip_owner_info', { ...V4, mac: lab.macOf('a'), router: ADDRESS.a.v4 }), 1, 'the real VIP still judged');
  });
});
