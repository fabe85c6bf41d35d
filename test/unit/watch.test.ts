import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { interfaceLabel, Watcher } from '../../src/app/watch.js';
import { vrrpFrame } from '../helpers/fixtures.js';

describe('the live pipeline (frames to groups)', () => {
  it('names a group by its capture interface and VLAN tags', () => {
    assert.equal(interfaceLabel('eth0', []), 'eth0');
    const tags = [101, 7];
    assert.equal(interfaceLabel('eth0', tags), 'eth0.101.7');
    // The same (remembered) tag list seen on another capture interface gets that interface's name.
    assert.equal(interfaceLabel('eth1', tags), 'eth1.101.7');
    assert.equal(interfaceLabel('eth0', tags), 'eth0.101.7');
  });

  it('puts the same VRID on two VLANs and two interfaces into four groups, through one reused buffer', () => {
    const watcher = new Watcher(0, [], 600, () => undefined);
    const buffer = Buffer.alloc(512);
    let t = 100;
    for (let round = 0; round < 3; round++) {
      for (const iface of ['eth0', 'eth1']) {
        for (const vlan of [101, 102]) {
          const frame = vrrpFrame(51, 11, 150, vlan);
          frame.copy(buffer);
          watcher.onFrame(iface, 1, buffer, frame.length, (t += 0.1));
        }
      }
    }
    assert.deepEqual([...watcher.monitor.groups.keys()].sort(), ['eth0.101|ipv4|51', 'eth0.102|ipv4|51', 'eth1.101|ipv4|51', 'eth1.102|ipv4|51']);
    for (const g of watcher.monitor.groups.values()) assert.equal(g.routers[0]?.adverts, 3, g.id);
    assert.equal(watcher.adverts, 12);
  });
});
