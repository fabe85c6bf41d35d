import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { liveSettings, Pipeline, replaySettings } from '../../src/core/pipeline/pipeline.js';
import { DEFAULT_OWNER_SETTINGS } from '../../src/core/ownership/owner-settings.js';
import { arpReplyFrame, vrrpFrame } from '../helpers/fixtures.js';

/** The host the ARP replies go to. */
const HOST = { mac: '02:00:00:00:05:05', ip: '192.0.2.50' };

const ETHERNET = 1;
const T0 = 1_800_000_000;

/** The master's repeats take the short way through the pipeline: what they count must still be counted. */
describe('a master repeating the same advert', () => {
  it('counts a bad TTL on every repeat, as on the first advert', () => {
    const pipeline = new Pipeline(replaySettings(undefined));
    const frame = vrrpFrame(7, 11, 150);
    frame.writeUInt8(64, 14 + 8);
    for (let s = 0; s < 30; s++) pipeline.frame('eth0', ETHERNET, frame, 0, frame.length, T0 + s);
    const group = pipeline.monitor.group('eth0', 'ipv4', 7);
    assert.ok(group !== undefined);
    assert.deepEqual(pipeline.routerErrors.of(group), [{ router: '192.0.2.11', error: 'ttl', count: 30 }]);
  });

  it('keeps one priority entry for the master while 70 spoofed routers, heard once each, pass through the history', () => {
    const pipeline = new Pipeline(replaySettings(undefined));
    const master = vrrpFrame(7, 11, 150);
    for (let s = 0; s < 100; s++) {
      // A pause of three seconds (a near failover): the advert after it is judged, not a plain repeat.
      if (s !== 85 && s !== 86) pipeline.frame('eth0', ETHERNET, master, 0, master.length, T0 + s);
      // From the tenth second on, a spoofed router a second, each with priority 0 (never a master).
      if (s >= 10 && s < 80) {
        const spoof = vrrpFrame(7, 100 + s, 0);
        pipeline.frame('eth0', ETHERNET, spoof, 0, spoof.length, T0 + s + 0.5);
      }
    }
    const timeline = pipeline.timeline;
    assert.ok(timeline !== undefined);
    const [history] = timeline.histories(pipeline.monitor, pipeline.routerErrors);
    assert.ok(history !== undefined);
    // The timeline remembers 64 routers: the spoofed ones heard least recently went; the master, heard
    // every second by repeats that stop at the Monitor, stayed, so its advert after the pause is no new entry.
    assert.deepEqual(history.priorities.filter((p) => p.router === '192.0.2.11'), [{ router: '192.0.2.11', time: T0, priority: 150 }]);
    assert.equal(history.priorities.length, 71);
    assert.equal(history.advert_gaps.length, 1);
    assert.deepEqual(history.masters, [{ router: '192.0.2.11', start: T0, end: null }]);
  });
});

describe('groups appearing in a burst', () => {
  it('are all watched for VIP ownership at the next view, and a claim right after their masters appeared counts', () => {
    const pipeline = new Pipeline(liveSettings({ started: T0, expected: [], groupExpirySeconds: 600, sink: () => undefined, owners: DEFAULT_OWNER_SETTINGS }));
    // serve's first view begins VIP ownership; then 250 groups (VIP 198.51.100.VRID each) within 50 ms.
    pipeline.view(T0);
    for (let vrid = 1; vrid <= 250; vrid++) {
      const frame = vrrpFrame(vrid, 11, 150);
      pipeline.frame('eth0', ETHERNET, frame, 0, frame.length, T0 + 0.5 + vrid * 0.0002);
    }
    const claim = arpReplyFrame('02:00:00:00:00:0b', '198.51.100.200', HOST);
    pipeline.frame('eth0', ETHERNET, claim, 0, claim.length, T0 + 0.56);
    const view = pipeline.view(T0 + 0.57);
    assert.equal(view.owners.vips.length, 250);
    const vip = view.owners.vips.find((v) => v.vip === '198.51.100.200');
    assert.deepEqual(vip?.owners.map((o) => o.mac), ['02:00:00:00:00:0b']);
  });
});
