import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LARGEST_ADVERT_FRAME, SNAP_LENGTH } from '../../src/adapters/capture-params.js';
import { decodeFrame, LinkType } from '../../src/core/wire/decode.js';
import { largeIpv6Advert } from '../helpers/fixtures.js';

/**
 * The largest advertisement the capture must hold, as the `any` device gives it: a Linux cooked header,
 * two VLAN tags, IPv6 with a 256-byte hop-by-hop header, VRRPv3 with 255 addresses and a 36-byte trailer.
 */
function largestAdvert(): Uint8Array {
  return largeIpv6Advert({ link: 'sll', hopByHop: 256, trailer: 36 });
}

describe('the live capture holds the largest legal advertisement', () => {
  it('its snap length covers 255 IPv6 addresses behind two VLAN tags and extension headers, decoded whole', () => {
    const frame = largestAdvert();
    assert.equal(frame.length, LARGEST_ADVERT_FRAME);
    assert.equal(SNAP_LENGTH, 4608);
    assert.ok(frame.length <= SNAP_LENGTH);
    const d = decodeFrame(LinkType.LINUX_SLL, frame.subarray(0, Math.min(frame.length, SNAP_LENGTH)));
    assert.equal(d.kind, 'advert', JSON.stringify(d));
    assert.equal(d.advert.addresses.length, 255);
    assert.equal(d.advert.addresses[254], '2001:db8::ff');
    assert.deepEqual(d.vlans, [100, 200]);
    assert.equal(d.advert.checksumForm, 'pseudo_header');
  });

  it('cut at the former 512 bytes, the same advert was lost as truncated', () => {
    const d = decodeFrame(LinkType.LINUX_SLL, largestAdvert().subarray(0, 512));
    assert.equal(d.kind, 'invalid');
    assert.equal(d.reason, 'truncated');
  });
});
