/**
 * A node names its failing track_script: keepalived on a (priority 150) tracks check_nginx with weight
 * -5, b is the backup (100); vrrpwatch serve on a reads a's keepalived.conf. When the check starts
 * failing, a stays master at 145 and its own adverts say which script fails: the per-script gauge, a
 * log line when it starts and ends, and `once` WARNING. Needs root and keepalived.
 */
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ADDRESS, CLI, valueOf, waitFor } from '../../lab/lab.js';
import type { Lab } from '../../lab/lab.js';
import { useLab } from '../helpers/lab.js';

const G51 = { interface: 'eth0', family: 'ipv4', vrid: '51' };
const NGINX = { keepalived_instance: 'VI_1', script: 'check_nginx' };

let lab: Lab;

describe('track_script on a node', { timeout: 120_000 }, () => {
  lab = useLab(['gw', 'a', 'b']);

  it('names the failing check from the priority its own adverts carry, and says when it recovers', async () => {
    lab.track('check_nginx', true);
    const conf = lab.keepalived('a', [{ name: 'VI_1', vrid: 51, priority: 150, trackFile: { name: 'check_nginx', weight: -5 } }]);
    lab.keepalived('b', [{ name: 'VI_1', vrid: 51, priority: 100 }]);
    lab.serve('a', ['--keepalived-config', conf]);
    const m = (): ReturnType<Lab['metrics']> => lab.metrics('a');
    await waitFor('a to advertise as master at 150', () => valueOf(m(), 'vrrpwatch_router_priority', { ...G51, router: ADDRESS.a.v4 }) === 150 && valueOf(m(), 'vrrpwatch_vrid_master_info', { ...G51, router: ADDRESS.a.v4 }) === 1, 20_000);
    assert.equal(valueOf(m(), 'vrrpwatch_keepalived_track_script_failing', NGINX), 0);

    lab.track('check_nginx', false);
    await waitFor('the gauge to name check_nginx as failing', () => valueOf(m(), 'vrrpwatch_keepalived_track_script_failing', NGINX) === 1, 15_000);
    assert.equal(valueOf(m(), 'vrrpwatch_router_priority', { ...G51, router: ADDRESS.a.v4 }), 145);
    await lab.waitForLog('vrrpwatch-a', {
      finding: 'track_script_failing',
      configured_priority: 150,
      healthy_priority: 150,
      advertised_priority: 145,
      failing: ['check_nginx'],
      combinations: 1,
      msg: "keepalived's trackers moved this node's priority: priority 150 -> 145: check_nginx (weight -5) failing",
    });
    const r = spawnSync('ip', ['netns', 'exec', lab.ns('a'), process.execPath, CLI, 'once', '--keepalived-config', conf], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^VRRP WARNING - this node advertises VRID 51 on eth0 with a lowered priority: priority 150 -> 145: check_nginx \(weight -5\) failing/);

    lab.track('check_nginx', true);
    await waitFor('the gauge to clear', () => valueOf(m(), 'vrrpwatch_keepalived_track_script_failing', NGINX) === 0, 15_000);
    await lab.waitForLog('vrrpwatch-a', { finding: 'track_script_failing', msg: /^ended: keepalived's trackers moved this node's priority/ });
  });
});
