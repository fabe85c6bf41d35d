/** The one parser of addresses people write: what each input accepts, written canonically. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addressBytes, canonicalIp, parseAddress } from '../../src/core/base/addr.js';

describe('parseAddress', () => {
  it('writes IPv4 and IPv6 canonically (RFC 5952), as the adverts are written', () => {
    const cases: [string, string][] = [
      ['192.0.2.1', '192.0.2.1'],
      ['0.0.0.0', '0.0.0.0'],
      ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
      ['2001:db8::0:1', '2001:db8::1'],
      ['2001:0db8:0000:0000:0001:0000:0000:0001', '2001:db8::1:0:0:1'],
      ['::ffff:192.0.2.1', '::ffff:c000:201'],
      ['::', '::'],
    ];
    for (const [text, canonical] of cases) assert.deepEqual(parseAddress(text, 'no-zone'), { family: text.includes(':') ? 'ipv6' : 'ipv4', address: canonical }, text);
  });

  it('refuses what is not an address, and octets with leading zeros', () => {
    for (const bad of ['01.2.3.4', '192.0.2.256', '1.2.3', '1.2.3.4.5', '2130706433', '999.0.0.1', '2001:db8:::1', '1:2:3:4:5:6:7:8:9', 'g::1', '', ' 192.0.2.1']) {
      assert.deepEqual(parseAddress(bad, 'link-local-zone'), { problem: `${JSON.stringify(bad)} is not an IP address` }, bad);
      assert.equal(canonicalIp(bad), undefined, bad);
    }
  });

  it('takes a zone only where it allows one, on a link-local address, naming an interface', () => {
    assert.deepEqual(parseAddress('FE80::0:1%eth0', 'link-local-zone'), { family: 'ipv6', address: 'fe80::1%eth0' });
    assert.deepEqual(parseAddress('fe80::1%eth0', 'no-zone'), { problem: '"fe80::1%eth0" has a zone ("%eth0"): only a link-local peer to ping may have one, never a virtual address' });
    assert.deepEqual(parseAddress('2001:db8::1%eth0', 'link-local-zone'), { problem: '"2001:db8::1%eth0" has a zone, which only a link-local (fe80::/10) address may have' });
    assert.deepEqual(parseAddress('fe80::1%a/b', 'link-local-zone'), { problem: '"fe80::1%a/b" does not name an interface after "%"' });
    assert.deepEqual(parseAddress('192.0.2.1%eth0', 'link-local-zone'), { problem: '"192.0.2.1%eth0" is not an IP address' });
  });
});

describe('addressBytes', () => {
  it('gives the bytes of the text canonicalIp takes, and nothing for the rest', () => {
    assert.deepEqual([...(addressBytes('192.0.2.1') ?? [])], [192, 0, 2, 1]);
    assert.deepEqual([...(addressBytes('2001:DB8::1') ?? [])], [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    assert.deepEqual([...(addressBytes('fe80::1:2') ?? [])], [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2]);
    assert.deepEqual([...(addressBytes('::ffff:192.0.2.1') ?? [])], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1]);
    for (const text of ['01.2.3.4', '192.0.2', 'fe80::1%eth0', '1::2::3', 'host.example', '']) {
      assert.equal(addressBytes(text), undefined, text);
      assert.equal(canonicalIp(text), undefined, text);
    }
  });
});
