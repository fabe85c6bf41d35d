/**
 * Every packet fixture decoded by vrrpwatch and by tshark: the header fields must agree, and where they
 * disagree on purpose (checksum forms tshark does not know, CARP) the difference is spelled out here.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeFrame } from '../../src/core/wire/decode.js';
import { allPacketFixtures, pcapFile } from '../helpers/fixtures.js';

const FIELDS = ['vrrp.version', 'vrrp.virt_rtr_id', 'vrrp.prio', 'vrrp.addr_count', 'vrrp.ip_addr', 'vrrp.ipv6_addr', 'vrrp.adver_int', 'vrrp.short_adver_int', 'vrrp.auth_type', 'vrrp.checksum.status'];

/** Checksum forms real routers use that tshark 4.0 does not verify (it reports them as bad). */
// keepalived 2.4's auth_hmac over IPv4 leaves its trailer out of the checksum; tshark sums the whole payload.
const TSHARK_CALLS_BAD = new Set(['v3-ipv4-message-checksum', 'v3-ipv4-unicast-multicast-checksum', 'v2-ipv6-keepalived', 'v2-ipv4-hmac-trailer', 'v3-ipv4-auth-hmac']);

interface TsharkView {
  version: string;
  vrid: string;
  priority: string;
  count: string;
  addresses: string;
  interval: string;
  authType: string;
  checksumGood: boolean;
}

let dir = '';
function tshark(linkType: number, bytes: Uint8Array): TsharkView {
  const file = join(dir, 'one.pcap');
  writeFileSync(file, pcapFile(linkType, [{ ts: 1, bytes }]));
  const out = execFileSync('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=|', ...FIELDS.flatMap((f) => ['-e', f])], { stdio: ['ignore', 'pipe', 'ignore'] });
  const [version = '', vrid = '', priority = '', count = '', v4 = '', v6 = '', int2 = '', int3 = '', authType = '', status = ''] = out.toString().trim().split('|');
  return { version, vrid, priority, count, addresses: v4 || v6, interval: int2 || String(Number(int3) / 100), authType, checksumGood: status === '1' };
}

describe('fixtures agree with tshark', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vrrpwatch-tshark-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  for (const f of allPacketFixtures()) {
    it(`${f.name}: ${f.description}`, () => {
      const t = tshark(f.linkType, f.bytes);
      const d = decodeFrame(f.linkType, f.bytes);
      if (f.name.startsWith('carp')) {
        // tshark misreads CARP as a VRRPv2 router resigning (its advskew read as priority 0, its vhid as
        // the VRID); vrrpwatch must not, and reads the same vhid.
        assert.equal(t.version, '2');
        assert.ok(d.kind === 'invalid' && d.reason === 'not_vrrp' && d.foreign !== undefined, JSON.stringify(d));
        assert.equal(t.priority, String(d.foreign.advskew));
        assert.equal(t.vrid, String(d.foreign.vhid));
        return;
      }
      if (d.kind !== 'advert') {
        assert.equal(d.kind, 'invalid');
        if (d.reason === 'bad_checksum') assert.equal(t.checksumGood, false, 'tshark also finds the checksum bad');
        if (d.reason === 'bad_version') assert.equal(t.version, '4');
        if (d.reason === 'bad_interval') assert.equal(t.interval, '0');
        if (d.reason === 'addr_count_mismatch') assert.notEqual(Number(t.count), t.addresses.split(',').filter((a) => a === '192.0.2.100').length);
        return;
      }
      const a = d.advert;
      assert.equal(t.version, String(a.version));
      assert.equal(t.vrid, String(a.vrid));
      assert.equal(t.priority, String(a.priority));
      assert.equal(t.count, String(a.addresses.length));
      assert.equal(t.addresses, a.addresses.join(','));
      assert.equal(Number(t.interval), a.advertInterval);
      assert.equal(t.authType, a.authType === undefined ? '' : String(a.authType));
      assert.equal(t.checksumGood, !TSHARK_CALLS_BAD.has(f.name), `tshark checksum verdict for ${f.name}`);
    });
  }
});
