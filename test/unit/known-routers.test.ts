/** `once --peer`: which advert sources are judged unexpected, in each address scope the peers are written in. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { groupViewOf } from '../helpers/adverts.js';
import { findings } from '../../src/core/findings/findings.js';
import { findingText } from '../../src/outputs/finding-words.js';
import { knownRoutersOf, routerAddress } from '../../src/core/expect/known-routers.js';
import type { KnownRouters } from '../../src/core/expect/known-routers.js';
import type { Family } from '../../src/core/base/keys.js';

const A = '192.0.2.11';
const B = '192.0.2.12';
/** keepalived's and FRR's IPv6 adverts: from link-local sources (RFC 5798 5.1.2.1). */
const LL_A = 'fe80::a8c1:abff:fe00:11';
const LL_B = 'fe80::a8c1:abff:fe00:12';
const G6_A = '2001:db8::11';

function unexpected(known: KnownRouters, family: Family, routers: readonly string[]): string[] {
  const view = groupViewOf(
    routers.map((address, i) => ({ address, adverts: 3, priority: 150 - i, interval: 1, last: 99, master: i === 0, version: 3 as const, addresses: [family === 'ipv4' ? '192.0.2.100' : '2001:db8::100'] })),
    { key: { interface: 'eth0', family, vrid: 51 } },
  );
  return findings({ groups: [view], node: [], conflicts: new Map(), knownRouters: known }).map((f) => findingText(f, 'VRID 51 on eth0'));
}

describe('once --peer: unexpected routers', () => {
  it('IPv4 peers judge the IPv4 group, and say nothing of the IPv6 group\'s link-local sources', () => {
    const known = knownRoutersOf([A, B], ['192.0.2.13', 'fe80::1']);
    assert.deepEqual(unexpected(known, 'ipv4', [A, B]), []);
    assert.deepEqual(unexpected(known, 'ipv4', [A, '198.51.100.7']), ['unexpected router 198.51.100.7 on VRID 51 on eth0']);
    assert.deepEqual(unexpected(known, 'ipv6', [LL_A, LL_B]), [], 'no peer is written link-local: those sources are not judged');
  });

  it('a global IPv6 peer judges global IPv6 sources (unicast), not link-local ones', () => {
    const known = knownRoutersOf([A, G6_A], []);
    assert.deepEqual(unexpected(known, 'ipv6', [G6_A, '2001:db8::99']), ['unexpected router 2001:db8::99 on VRID 51 on eth0']);
    assert.deepEqual(unexpected(known, 'ipv6', [LL_A]), []);
  });

  it('link-local peers (with their zone) judge link-local sources, matched without the zone', () => {
    const known = knownRoutersOf([A, `${LL_A}%eth0`, 'FE80:0:0:0:a8c1:abff:fe00:12%eth0'], []);
    assert.deepEqual(unexpected(known, 'ipv6', [LL_A, LL_B]), []);
    assert.deepEqual(unexpected(known, 'ipv6', [LL_A, 'fe80::66']), ['unexpected router fe80::66 on VRID 51 on eth0']);
  });

  it('this host\'s addresses are known but never make a scope judged; peers given as host names judge nothing', () => {
    assert.deepEqual(unexpected(knownRoutersOf([A], ['fe80::1']), 'ipv6', ['fe80::1', LL_B]), []);
    assert.deepEqual(unexpected(knownRoutersOf([], [A]), 'ipv4', [B]), [], 'no peer: no check');
    assert.deepEqual(unexpected(knownRoutersOf(['peer-b.example'], [A]), 'ipv4', [B]), [], 'a host name is no address a source could be');
    assert.deepEqual(unexpected(knownRoutersOf([B], [A]), 'ipv4', [A, B]), [], 'this host advertising is no stranger');
  });

  it('tells the scope of an address, zone removed', () => {
    assert.deepEqual(routerAddress('fe80::1%eth0'), { address: 'fe80::1', scope: 'ipv6-link-local' });
    assert.deepEqual(routerAddress('febf::1'), { address: 'febf::1', scope: 'ipv6-link-local' });
    assert.deepEqual(routerAddress('fec0::1'), { address: 'fec0::1', scope: 'ipv6' });
    assert.deepEqual(routerAddress('2001:DB8::1'), { address: '2001:db8::1', scope: 'ipv6' });
    assert.deepEqual(routerAddress(A), { address: A, scope: 'ipv4' });
    assert.equal(routerAddress('peer-b.example'), undefined);
  });
});
