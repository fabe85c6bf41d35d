import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { advert, every, groupViewOf } from '../helpers/adverts.js';
import { DEFAULT_SETTINGS, Monitor } from '../../src/core/groups/state.js';
import { Timeline } from '../../src/core/history/timeline.js';
import type { GroupView } from '../../src/core/groups/views.js';
import { othersOf, vipConflictIntervals, vipConflicts } from '../../src/core/groups/vips.js';
import type { VipSpan } from '../../src/core/groups/vips.js';

const A = '192.0.2.11';
const B = '192.0.2.12';
const VIP = '192.0.2.100';

/** A group on `iface` whose routers (address → addresses advertised) are masters when listed in `masters`. */
function group(vrid: number, routers: Record<string, string[]>, masters: string[], iface = 'eth0'): GroupView {
  const list = Object.entries(routers).map(([address, addresses]) => ({ address, adverts: 3, priority: 100, interval: 1, last: 10, master: masters.includes(address), version: 2 as const, addresses }));
  const v = groupViewOf(list, { masters });
  return { ...v, key: { interface: iface, family: 'ipv4', vrid } };
}

describe('a VIP mastered in two VRIDs (split-brain across VRIDs)', () => {
  it('is found when masters of two VRIDs on one interface advertise one address, on both groups', () => {
    const g51 = group(51, { [A]: [VIP] }, [A]);
    const g52 = group(52, { [B]: ['192.0.2.101', VIP] }, [B]);
    const found = vipConflicts([g52, g51]);
    const conflict = { vip: VIP, vrids: [51, 52], masters: [[A], [B]], named: [A, B] };
    assert.deepEqual(found.get(g51.key), [conflict]);
    assert.deepEqual(found.get(g52.key), [conflict]);
    assert.deepEqual(othersOf(conflict, g51), { vrids: [52], routers: [B], moreRouters: 0 });
    assert.deepEqual(othersOf(conflict, g52), { vrids: [51], routers: [A], moreRouters: 0 });
  });

  it('is not found for dual-master (a VIP each), a backup listing it, another interface, or a split within one VRID', () => {
    assert.equal(vipConflicts([group(51, { [A]: [VIP] }, [A]), group(52, { [B]: ['192.0.2.101'] }, [B])]).size, 0);
    assert.equal(vipConflicts([group(51, { [A]: [VIP] }, [A]), group(52, { [B]: [VIP] }, [])]).size, 0);
    assert.equal(vipConflicts([group(51, { [A]: [VIP] }, [A], 'eth0'), group(52, { [B]: [VIP] }, [B], 'eth1')]).size, 0);
    assert.equal(vipConflicts([group(51, { [A]: [VIP], [B]: [VIP] }, [A, B])]).size, 0);
  });

  it('names every other VRID when three share it', () => {
    const [g51, g52, g53] = [51, 52, 53].map((vrid, i) => group(vrid, { [`192.0.2.${11 + i}`]: [VIP] }, [`192.0.2.${11 + i}`]));
    assert.ok(g51 !== undefined && g52 !== undefined && g53 !== undefined);
    const [conflict] = vipConflicts([g51, g52, g53]).get(g52.key) ?? [];
    assert.ok(conflict !== undefined);
    assert.deepEqual(othersOf(conflict, g52), { vrids: [51, 53], routers: [A, '192.0.2.13'], moreRouters: 0 });
  });

  it('names at most eight of the other VRIDs\' masters and counts the rest, never this group\'s own', () => {
    // VRID 51 with 4 masters (a split), VRIDs 52-54 with 4 each; 192.0.2.11 masters 51 and 52 alike.
    const masters = (vrid: number) => Array.from({ length: 4 }, (_, i) => `198.51.100.${10 * (vrid - 50) + i}`);
    const m51 = [A, ...masters(51).slice(1)];
    const gs = [51, 52, 53, 54].map((vrid) => {
      const list = vrid === 52 ? [A, ...masters(52).slice(1)] : vrid === 51 ? m51 : masters(vrid);
      return group(vrid, Object.fromEntries(list.map((r) => [r, [VIP]])), list);
    });
    const g51 = gs[0];
    assert.ok(g51 !== undefined);
    const [conflict] = vipConflicts(gs).get(g51.key) ?? [];
    assert.ok(conflict !== undefined);
    const others = othersOf(conflict, g51);
    assert.deepEqual(others.vrids, [52, 53, 54]);
    assert.equal(others.routers.length, 8);
    assert.ok(!others.routers.includes(A), 'a master of this group too is not named as the other side');
    assert.deepEqual(others.routers.slice(0, 3), masters(52).slice(1));
    // 12 masters of the other VRIDs (A counted among them): 8 named, 4 counted.
    assert.equal(others.moreRouters, 4);
  });

  it('looks at the first 64 addresses of an advert', () => {
    const many = Array.from({ length: 255 }, (_, i) => `10.0.0.${i}`);
    assert.equal(vipConflicts([group(51, { [A]: many }, [A]), group(52, { [B]: ['10.0.0.63'] }, [B])]).size, 2);
    assert.equal(vipConflicts([group(51, { [A]: many }, [A]), group(52, { [B]: ['10.0.0.64'] }, [B])]).size, 0);
  });

  it('costs one conflict per address, not per pair, when a flood of VRIDs shares one', () => {
    const gs = Array.from({ length: 250 }, (_, i) => group(i + 1, { [`198.51.100.${i + 1}`]: [VIP] }, [`198.51.100.${i + 1}`]));
    const found = vipConflicts(gs);
    assert.equal(found.size, 250);
    const shared = new Set([...found.values()].flat());
    assert.equal(shared.size, 1);
    assert.equal([...shared][0]?.vrids.length, 250);
  });
});

describe('the same rule over time (replay)', () => {
  const span = (group: string, vrid: number, start: number, end: number | null, iface = 'eth0'): VipSpan<string> => ({ group, vrid, interface: iface, vip: VIP, start, end });

  it('gives each group the time both masters held the address', () => {
    const found = vipConflictIntervals([span('g51', 51, 0, 30), span('g52', 52, 10, null)]);
    assert.deepEqual(found.get('g51'), [{ vip: VIP, vrids: [52], start: 10, end: 30 }]);
    assert.deepEqual(found.get('g52'), [{ vip: VIP, vrids: [51], start: 10, end: 30 }]);
  });

  it('keeps an interval open at the end of the capture, and none for a handover at one instant', () => {
    assert.deepEqual(vipConflictIntervals([span('g51', 51, 0, null), span('g52', 52, 5, null)]).get('g51'), [{ vip: VIP, vrids: [52], start: 5, end: null }]);
    assert.equal(vipConflictIntervals([span('g51', 51, 0, 10), span('g52', 52, 10, 20)]).size, 0);
  });

  it('joins a group\'s back-to-back masters (a failover inside it) into one interval; other interfaces stay apart', () => {
    const found = vipConflictIntervals([span('g51', 51, 0, 10), span('g51', 51, 10, 40), span('g52', 52, 5, 20), span('g52b', 52, 0, 50, 'eth1')]);
    assert.deepEqual(found.get('g51'), [{ vip: VIP, vrids: [52], start: 5, end: 20 }]);
    assert.equal(found.has('g52b'), false);
  });
});

describe('replay reports a VIP mastered in two VRIDs', () => {
  it('from the master intervals of a capture: b on the wrong VRID from t=10 until it is fixed at t=30', () => {
    const timeline = new Timeline();
    const monitor = new Monitor({ ...DEFAULT_SETTINGS, groupExpirySeconds: Infinity }, timeline.onEvent);
    const adverts = [...every(1, 0, 40, advert({ src: A, priority: 150 })), ...every(1, 10, 30, advert({ src: B, vrid: 52 })), [30, advert({ src: B, vrid: 52, priority: 0 })] as const].sort((x, y) => x[0] - y[0]);
    for (const [t, a] of adverts) monitor.advert('if0', a, t);
    monitor.settle(40);
    const [g51, g52] = timeline.histories(monitor);
    assert.deepEqual(g51?.vip_conflicts, [{ vip: VIP, vrids: [52], start: 10, end: 30 }]);
    assert.deepEqual(g52?.vip_conflicts, [{ vip: VIP, vrids: [51], start: 10, end: 30 }]);
    assert.deepEqual(g51.routers[0]?.addresses, [VIP]);
  });
});
