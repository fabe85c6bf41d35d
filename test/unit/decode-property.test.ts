import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeFrame, LinkType, PROTO_AH, PROTO_VRRP } from '../../src/core/wire/decode.js';
import { Decoder } from '../../src/core/wire/decoder.js';
import { readLinkHeader } from '../../src/core/wire/link-header.js';
import { INVALID_REASONS } from '../../src/core/wire/types.js';
import type { Decoded } from '../../src/core/wire/types.js';
import { allPacketFixtures } from '../helpers/fixtures.js';
import { maximalAdvert } from '../helpers/maximal.js';
import { signedAdvertFrame, VECTOR_KEY } from '../helpers/hmac-adverts.js';
import { AuthSecret } from '../../src/core/base/secret.js';

const LINK_TYPES = [LinkType.ETHERNET, LinkType.LINUX_SLL, LinkType.LINUX_SLL2, LinkType.RAW, LinkType.DLT_RAW, LinkType.DLT_RAW_OPENBSD, LinkType.IPV4, LinkType.IPV6, 0, 147, 65535];

/** The IP protocol of an IPv4 frame as its header states it, read apart from the decoder (undefined: not IPv4). */
function ipv4Protocol(linkType: number, bytes: Uint8Array): number | undefined {
  const link = readLinkHeader(linkType, bytes);
  if (link === undefined || link.etherType !== 0x0800 || link.vlans.length > 2) return undefined;
  return bytes[link.offset + 9];
}

/**
 * The decoder's promise for one frame: an advert, a rejection with one of the listed reasons, or
 * `other`, and `other` only for a frame that does not carry IP protocol 112 (directly, or inside AH).
 */
function checkTotal(linkType: number, bytes: Uint8Array): Decoded {
  const d = decodeFrame(linkType, bytes);
  assert.ok(['advert', 'invalid', 'other'].includes(d.kind), JSON.stringify(d));
  if (d.kind === 'invalid') assert.ok((INVALID_REASONS as readonly string[]).includes(d.reason), d.reason);
  const proto = ipv4Protocol(linkType, bytes);
  if (d.kind === 'other') assert.notEqual(proto, PROTO_VRRP, 'a frame carrying IPv4 protocol 112 was passed over');
  else if (proto !== undefined) assert.ok(proto === PROTO_VRRP || proto === PROTO_AH, `protocol ${proto} decoded as ${d.kind}`);
  return d;
}

describe('decodeFrame on any bytes (property-based)', () => {
  const fixtures = allPacketFixtures();
  const frames = [...fixtures.map((f) => ({ linkType: f.linkType, bytes: f.bytes })), { linkType: LinkType.ETHERNET, bytes: Uint8Array.from(maximalAdvert(201, 7, 3, 150)) }];

  it('never throws and yields an advert, a listed reason, or not-VRRP, for random bytes of any link type and length', () => {
    fc.assert(
      fc.property(fc.constantFrom(...LINK_TYPES), fc.uint8Array({ maxLength: 1200 }), (linkType, bytes) => {
        checkTotal(linkType, bytes);
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps its promise on fixtures cut at any length, with bytes changed anywhere, under any link type', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...frames),
        fc.nat(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.option(fc.constantFrom(...LINK_TYPES), { freq: 4 }),
        (f, cut, changes, otherLink) => {
          const bytes = Uint8Array.from(f.bytes.subarray(0, cut % (f.bytes.length + 1)));
          for (const [at, value] of changes) if (bytes.length > 0) bytes[at % bytes.length] = value;
          checkTotal(otherLink ?? f.linkType, bytes);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('decodes through the remembering Decoder exactly as decodeFrame does, at any offset in a reused buffer', () => {
    const decoder = new Decoder();
    const buffer = new Uint8Array(4096);
    fc.assert(
      fc.property(fc.constantFrom(...frames), fc.nat(), fc.nat(), fc.option(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }))), (f, offsetSeed, cut, change) => {
        const bytes = Uint8Array.from(f.bytes.subarray(0, f.bytes.length - (cut % 3 === 0 ? cut % (f.bytes.length + 1) : 0)));
        if (change !== null && bytes.length > 0) bytes[change[0] % bytes.length] = change[1];
        const offset = offsetSeed % (buffer.length - bytes.length + 1);
        buffer.fill(0xee);
        buffer.set(bytes, offset);
        // Twice: the second time it may come from what the Decoder remembers.
        for (let i = 0; i < 2; i++) assert.deepEqual(decoder.decode(f.linkType, buffer, offset, bytes.length), decodeFrame(f.linkType, bytes));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('the auth_hmac trailer (property-based)', () => {
  it('reads any trailer field back exactly, refuses exactly the malformed ones, and the HMAC checks under its key only', () => {
    const key = new AuthSecret(VECTOR_KEY);
    fc.assert(
      fc.property(
        fc.record({
          v6: fc.boolean(),
          vrid: fc.integer({ min: 1, max: 255 }),
          keyId: fc.integer({ min: 0, max: 255 }),
          seconds: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
          fraction: fc.integer({ min: 0, max: 65535 }),
          counter: fc.integer({ min: 0, max: 65535 }),
          type: fc.oneof(fc.constant(1), fc.integer({ min: 0, max: 255 })),
          reserved: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 65535 })),
        }),
        (t) => {
          const frame = signedAdvertFrame({ src: t.v6 ? 'fe80::b' : '192.0.2.11', vrid: t.vrid, keyId: t.keyId, time: t.seconds + t.fraction / 65536, counter: t.counter, type: t.type, reserved: t.reserved });
          const d = checkTotal(LinkType.ETHERNET, frame);
          if (t.type !== 1 || t.reserved !== 0) {
            assert.equal(d.kind === 'invalid' ? d.reason : d.kind, 'hmac_malformed');
            return;
          }
          assert.equal(d.kind, 'advert');
          const h = d.advert.hmac;
          assert.ok(h !== undefined);
          assert.deepEqual([h.keyId, h.seconds, h.fraction, h.counter, h.time], [t.keyId, t.seconds, t.fraction, t.counter, t.seconds + t.fraction / 65536]);
          assert.equal(key.signs(h.signed, h.tag), true);
          // One bit off anywhere in what is signed, or in the HMAC, and it no longer checks.
          const i = (t.counter * 7919) % (h.signed.length + h.tag.length);
          const signed = Uint8Array.from(h.signed);
          const tag = Uint8Array.from(h.tag);
          if (i < signed.length) signed[i] = (signed[i] ?? 0) ^ 1;
          else tag[i - signed.length] = (tag[i - signed.length] ?? 0) ^ 1;
          assert.equal(key.signs(signed, tag), false);
        },
      ),
    );
  });
});
