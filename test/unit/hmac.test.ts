import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { replay } from '../../src/app/replay.js';
import { hmacGroups } from '../../src/app/settings.js';
import { hmacSha256, sha256 } from '../../src/core/base/sha256.js';
import { AuthSecret } from '../../src/core/base/secret.js';
import { HmacGroups, parseHmacKey } from '../../src/core/expect/hmac-groups.js';
import { decodeFrame } from '../../src/core/wire/decode.js';
import { hmacWindow } from '../../src/core/wire/hmac-trailer.js';
import type { ExpectedGroup } from '../../src/core/expect/types.js';
import type { ReplayGroup } from '../../src/outputs/report.js';
import { renderText } from '../../src/outputs/report.js';
import { packetFixture, pcapFile } from '../helpers/fixtures.js';
import { signedAdvertFrame, VECTOR_KEY } from '../helpers/hmac-adverts.js';
import type { SignedAdvert } from '../helpers/hmac-adverts.js';

const T0 = 1_800_000_000;

describe('the pure SHA-256 and HMAC-SHA256', () => {
  it('equal node:crypto on any input and key', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 100 }), (data, key) => {
        assert.equal(Buffer.from(sha256(data)).toString('hex'), createHash('sha256').update(data).digest('hex'));
        assert.equal(Buffer.from(hmacSha256(key, data)).toString('hex'), createHmac('sha256', key).update(data).digest('hex'));
      }),
    );
  });
});

describe('the auth_hmac trailer in the decoder', () => {
  it('reads the upstream test vector: key id, clock, counter, and the HMAC the vector key gives', () => {
    const f = packetFixture('v3-ipv4-auth-hmac');
    const d = decodeFrame(f.linkType, f.bytes);
    assert.equal(d.kind, 'advert');
    const t = d.advert.hmac;
    assert.ok(t !== undefined);
    assert.deepEqual({ keyId: t.keyId, seconds: t.seconds, fraction: t.fraction, counter: t.counter, time: t.time }, { keyId: 1, seconds: 0x68000000, fraction: 0x8000, counter: 0, time: 0x68000000 + 0.5 });
    assert.equal(Buffer.from(t.tag).toString('hex'), '1b84bc4e8e43892dc6d98448f8ee2265');
    assert.equal(new AuthSecret(VECTOR_KEY).signs(t.signed, t.tag), true);
    const other = Buffer.from(VECTOR_KEY);
    other[31] = 0;
    assert.equal(new AuthSecret(other).signs(t.signed, t.tag), false);
    assert.equal(d.advert.checksumForm, 'pseudo_header');
    assert.equal(d.advert.trailerLength, 28);
  });

  it('reads an IPv6 trailer, whose checksum covers the trailer too', () => {
    const f = packetFixture('v3-ipv6-auth-hmac');
    const d = decodeFrame(f.linkType, f.bytes);
    assert.equal(d.kind, 'advert');
    const t = d.advert.hmac;
    assert.ok(t !== undefined);
    assert.equal(t.keyId, 7);
    assert.equal(t.counter, 3);
    assert.equal(new AuthSecret(VECTOR_KEY).signs(t.signed, t.tag), true);
  });

  it('refuses a trailer of another type or with reserved bytes set as hmac_malformed', () => {
    for (const bad of [{ type: 2 }, { reserved: 1 }, { type: 0 }]) {
      const d = decodeFrame(1, signedAdvertFrame({ src: '192.0.2.11', time: T0, ...bad }));
      assert.equal(d.kind, 'invalid');
      assert.equal(d.reason, 'hmac_malformed', JSON.stringify(bad));
    }
  });

  it('signs what the draft says: the HMAC changes with the source, the VRID and the message, not with the checksum', () => {
    const key = new AuthSecret(VECTOR_KEY);
    const d = decodeFrame(1, signedAdvertFrame({ src: '192.0.2.11', time: T0 + 0.25, counter: 9 }));
    assert.equal(d.kind, 'advert');
    assert.ok(d.advert.hmac !== undefined && key.signs(d.advert.hmac.signed, d.advert.hmac.tag));
    const forged = signedAdvertFrame({ src: '192.0.2.11', time: T0 + 0.25, counter: 9 });
    // Raise the priority after signing, and fix the checksum: the HMAC no longer matches.
    forged[14 + 20 + 2] = 250;
    forged.writeUInt16BE(0, 14 + 20 + 6);
    const sum = (b: Buffer): number => {
      let s = 0;
      for (let i = 0; i < b.length; i += 2) s += ((b[i] ?? 0) << 8) + (b[i + 1] ?? 0);
      while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
      return ~s & 0xffff;
    };
    forged.writeUInt16BE(sum(Buffer.concat([forged.subarray(26, 34), Buffer.from([0, 112, 0, 12]), forged.subarray(34, 46)])), 14 + 20 + 6);
    const f = decodeFrame(1, forged);
    assert.equal(f.kind, 'advert');
    assert.ok(f.advert.hmac !== undefined);
    assert.equal(key.signs(f.advert.hmac.signed, f.advert.hmac.tag), false);
  });
});

describe('auth_hmac settings', () => {
  it('reads a key file in hex and says what is wrong with one without quoting it', () => {
    assert.deepEqual(parseHmacKey('0001 02ff\n'), new Uint8Array([0, 1, 2, 255]));
    assert.deepEqual(parseHmacKey('s3cr3t'), { problem: 'the key must be written in hexadecimal digits' });
    assert.deepEqual(parseHmacKey('abc'), { problem: 'the key has an odd number of hexadecimal digits' });
    assert.deepEqual(parseHmacKey(' \n'), { problem: 'the key file is empty' });
  });

  it("takes keepalived's freshness window, max(3 x interval, 5 s), unless the group sets one", () => {
    assert.equal(hmacWindow(1, undefined), 5);
    assert.equal(hmacWindow(3, undefined), 9);
    assert.equal(hmacWindow(1, 2), 2);
  });

  it('never prints the key: a bad key file names the file only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vrrpwatch-hmac-key-'));
    try {
      const file = join(dir, 'key');
      writeFileSync(file, 'not-a-secret-in-hex');
      const group: ExpectedGroup = { vrid: 51, interface: undefined, family: 'ipv4', vips: [], advertInterval: undefined, instance: undefined, source: 'config', hmacKeyFile: file };
      assert.throws(() => hmacGroups({ groups: [group] }), (err: Error) => err.message === `${file}: the key must be written in hexadecimal digits`);
      writeFileSync(file, VECTOR_KEY.toString('hex'));
      const groups = hmacGroups({ groups: [group] });
      const key = groups.key({ interface: 'eth0', family: 'ipv4', vrid: 51 });
      assert.ok(key !== undefined);
      assert.equal(JSON.stringify({ key }), '{"key":"<redacted>"}');
      assert.equal(String(key), '<redacted>');
      assert.equal(groups.key({ interface: 'eth0', family: 'ipv4', vrid: 52 }), undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('replay of generated auth_hmac captures', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vrrpwatch-hmac-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  let n = 0;
  /** Replays frames (each at its capture time) and returns the --packets lines and the one group's report. */
  const run = async (frames: [number, SignedAdvert][], hmac?: HmacGroups): Promise<{ lines: Record<string, unknown>[]; group: ReplayGroup; text: string }> => {
    const file = join(dir, `c${n++}.pcap`);
    const sorted = [...frames].sort((x, y) => x[0] - y[0]);
    writeFileSync(file, pcapFile(1, sorted.map(([ts, a]) => ({ ts, bytes: signedAdvertFrame(a) }))));
    const lines: Record<string, unknown>[] = [];
    await replay({ file, onPacket: (l) => lines.push(JSON.parse(l) as Record<string, unknown>), hmac });
    const { report } = await replay({ file, hmac });
    const group = report.groups[0];
    assert.ok(group !== undefined);
    return { lines, group, text: renderText(report) };
  };
  /** `count` adverts of one router a second apart from T0 + `from`, its trailer clock `skew` seconds off. */
  const series = (a: Omit<SignedAdvert, 'time'>, from: number, count: number, skew = 0): [number, SignedAdvert][] =>
    Array.from({ length: count }, (_, i) => [T0 + from + i, { ...a, time: T0 + from + i + skew, counter: i }]);
  const errorsOf = (g: ReplayGroup, router: string): Record<string, number> => g.routers.find((r) => r.address === router)?.errors ?? {};

  it('gives --packets hmac_key_id, hmac_time and hmac_counter, and ok:false hmac_malformed for a bad trailer', async () => {
    const { lines, group } = await run([
      [T0, { src: '192.0.2.11', time: T0 + 0.5, keyId: 3, counter: 41 }],
      [T0 + 1, { src: '192.0.2.11', time: T0 + 1, type: 2 }],
      [T0 + 2, { src: '192.0.2.11', time: T0 + 2, counter: 43 }],
    ]);
    assert.deepEqual(
      lines.map((l) => [l.ok, l.reason, l.hmac_key_id, l.hmac_time, l.hmac_counter]),
      [
        [true, undefined, 3, T0 + 0.5, 41],
        [false, 'hmac_malformed', undefined, undefined, undefined],
        [true, undefined, 1, T0 + 2, 43],
      ],
    );
    assert.deepEqual(errorsOf(group, '192.0.2.11'), { hmac_malformed: 1 });
    assert.equal(group.routers[0]?.hmac_key_id, 1);
  });

  it('counts a sequence no newer than the last as hmac_replay, but not the copies unicast to several peers', async () => {
    const a = { src: '192.0.2.11' };
    const { group } = await run([
      [T0, { ...a, dst: '192.0.2.12', time: T0, counter: 1 }],
      [T0, { ...a, dst: '192.0.2.13', time: T0, counter: 1 }],
      [T0 + 1, { ...a, dst: '192.0.2.12', time: T0 + 1, counter: 2 }],
      [T0 + 1, { ...a, dst: '192.0.2.13', time: T0 + 1, counter: 2 }],
      // A capture of the first advert sent again, and the last one again to the same peer.
      [T0 + 2, { ...a, dst: '192.0.2.12', time: T0, counter: 1 }],
      [T0 + 2, { ...a, dst: '192.0.2.13', time: T0 + 1, counter: 2 }],
      [T0 + 3, { ...a, dst: '192.0.2.12', time: T0 + 3, counter: 3 }],
    ]);
    assert.deepEqual(errorsOf(group, '192.0.2.11'), { hmac_replay: 2 });
  });

  it('finds auth_hmac (one signs, one does not), hmac_key_id and hmac_clock mismatches, each named by its field', async () => {
    const signedAndNot = await run([...series({ src: '192.0.2.11', priority: 200 }, 0, 5), ...series({ src: '192.0.2.12', priority: 100, unsigned: true }, 0.5, 5)]);
    assert.deepEqual(signedAndNot.group.mismatches.map((m) => m.field), ['auth_hmac']);

    const keys = await run([...series({ src: '192.0.2.11', keyId: 1 }, 0, 5), ...series({ src: '192.0.2.12', keyId: 2, priority: 100 }, 0.5, 5)]);
    assert.deepEqual(keys.group.mismatches.map((m) => m.field), ['hmac_key_id']);

    // The window is max(3 x 1 s, 5 s) = 5 s: clocks 2 s apart are fine, 3 s apart are over half of it.
    const near = await run([...series({ src: '192.0.2.11' }, 0, 5), ...series({ src: '192.0.2.12', priority: 100 }, 0.5, 5, 2)]);
    assert.deepEqual(near.group.mismatches, []);
    const far = await run([...series({ src: '192.0.2.11' }, 0, 5), ...series({ src: '192.0.2.12', priority: 100 }, 0.5, 5, 3)]);
    assert.deepEqual(far.group.mismatches.map((m) => m.field), ['hmac_clock']);
    assert.equal(far.group.routers.find((r) => r.address === '192.0.2.12')?.hmac_clock_offset, 3);

    // A group's own window: 10 s makes 3 s apart fine.
    const match: ExpectedGroup = { vrid: 51, interface: undefined, family: 'ipv4', vips: [], advertInterval: undefined, instance: undefined, source: 'config' };
    const wide = await run([...series({ src: '192.0.2.11' }, 0, 5), ...series({ src: '192.0.2.12', priority: 100 }, 0.5, 5, 3)], new HmacGroups([{ match, window: 10, key: undefined }]));
    assert.deepEqual(wide.group.mismatches, []);
  });

  it('names an hmac mismatch as the likely cause of the split-brain it comes with', async () => {
    const { group, text } = await run([...series({ src: '192.0.2.11', keyId: 1 }, 0, 8), ...series({ src: '192.0.2.12', keyId: 2, priority: 100 }, 0.5, 8)]);
    assert.equal(group.split_brain.length, 1);
    assert.equal(group.split_brain[0]?.likely_cause, 'hmac_key_id');
    assert.match(text, /likely cause: hmac_key_id mismatch/);
  });

  it('checks the HMAC with the group key from a key file: hmac_invalid for the router signing with another key', async () => {
    const match: ExpectedGroup = { vrid: 51, interface: undefined, family: 'ipv4', vips: [], advertInterval: undefined, instance: undefined, source: 'config' };
    const hmac = new HmacGroups([{ match, window: undefined, key: new AuthSecret(VECTOR_KEY) }]);
    const wrong = Buffer.alloc(32, 7);
    const { group } = await run([...series({ src: '192.0.2.11' }, 0, 3), ...series({ src: '192.0.2.12', priority: 100, key: wrong }, 0.5, 3)], hmac);
    assert.deepEqual(errorsOf(group, '192.0.2.11'), {});
    assert.deepEqual(errorsOf(group, '192.0.2.12'), { hmac_invalid: 3 });
    // Without a key nothing is verified.
    const unkeyed = await run([...series({ src: '192.0.2.12', key: wrong }, 0, 3)]);
    assert.deepEqual(errorsOf(unkeyed.group, '192.0.2.12'), {});
  });
});
