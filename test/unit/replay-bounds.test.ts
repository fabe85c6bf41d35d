import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replay } from '../../src/app/replay.js';
import { DECODER_MAX_BYTES } from '../../src/core/wire/decoder.js';
import { ADVERT_VIPS_KEPT, GROUP_BYTES, ROUTER_BYTES, listBytes } from '../../src/core/groups/router-addresses.js';
import { DEFAULT_SETTINGS } from '../../src/core/groups/state.js';
import { MAX_REPORT_ENTRIES } from '../../src/core/history/timeline.js';
import type { ReplayGroup } from '../../src/outputs/report.js';
import { HTML_LIST_MAX, renderHtmlReport } from '../../src/outputs/html-replay.js';
import { MAXIMAL, writeMaximalCapture } from '../helpers/maximal.js';

describe('replay of maximal adverts stays within its bounds', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vrrpwatch-bounds-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps 64 addresses per router with the count, and tables, decoder and report under their byte and entry bounds', async () => {
    const file = join(dir, 'maximal.pcap');
    // 20,000 adverts of 255 addresses: 625 groups of 32 routers, more than the byte bound holds.
    writeMaximalCapture(file, 20_000, 1.1);
    const { report, error, sizes } = await replay({ file });
    assert.equal(error, undefined);
    assert.equal(report.adverts, 20_000);
    assert.deepEqual(report.invalid, {});

    assert.ok(sizes.bytes <= DEFAULT_SETTINGS.maxBytes, `tables ${sizes.bytes} bytes`);
    assert.ok(sizes.decoderBytes <= DECODER_MAX_BYTES, `decoder ${sizes.decoderBytes} bytes`);
    assert.ok(sizes.reportEntries <= MAX_REPORT_ENTRIES);
    assert.ok(sizes.groups <= DEFAULT_SETTINGS.maxGroups && sizes.routers <= sizes.groups * DEFAULT_SETTINGS.maxRoutersPerGroup);
    // The estimate is the sum of what each kept router and group costs: nothing goes uncounted.
    const routers = report.groups.flatMap((g) => g.routers);
    assert.equal(routers.length, sizes.routers);
    const estimate = sizes.groups * GROUP_BYTES + routers.reduce((n, r) => n + ROUTER_BYTES + listBytes(r.addresses), 0);
    assert.equal(sizes.bytes, estimate);

    // The byte bound, not the group bound, is what evicted: 625 groups are far under maxGroups.
    assert.ok(report.evicted.groups > 0);
    assert.equal(report.groups.length + report.evicted.groups, 625);
    for (const r of routers) {
      assert.equal(r.addresses.length, ADVERT_VIPS_KEPT);
      assert.equal(r.address_count, MAXIMAL.addresses);
    }
    // The groups kept are the most recently heard: the last VRIDs of the capture.
    const last = report.groups.at(-1);
    assert.equal(last?.routers.length, MAXIMAL.sources);
  });
});

describe('the HTML report of a long history stays a page', () => {
  it('lists and draws at most HTML_LIST_MAX events of a group and says how many more there were', () => {
    const t0 = 1_800_000_000;
    const gaps = Array.from({ length: HTML_LIST_MAX + 500 }, (_, i) => ({ router: '192.0.2.11', start: t0 + 10 * i, end: t0 + 10 * i + 3, seconds: 3, intervals: 3 }));
    const group: ReplayGroup = {
      interface: 'eth0', family: 'ipv4', vrid: 7,
      routers: [{ address: '192.0.2.11', adverts: 9000, priorities: [150], version: 2, advert_interval: 1, auth_type: null, checksum_form: 'message', first_seen: t0, last_seen: t0 + 15_000, addresses: ['192.0.2.100'], address_count: 1, errors: {} }],
      masters: [{ router: '192.0.2.11', start: t0, end: null }],
      failovers: [], split_brain: [], mismatches: [], no_master: [], vip_conflicts: [], priorities: [], advert_gaps: gaps, failover_risk: [], omitted: 0,
      vip_owners: [], vip_duplicates: [], vip_foreign_owners: [], vip_unanswered: [], failovers_without_garp: [], vip_omitted: 0, foreign_traffic: [],
    };
    const html = renderHtmlReport({ file: 'long.pcap', format: 'pcap', packets: 9000, adverts: 9000, invalid: {}, invalid_times: [], neighbor_messages: 0, neighbor_invalid: {}, start: t0, end: t0 + 15_000, groups: [group], vips: [], evicted: { groups: 0, routers: 0 } });
    assert.equal(html.match(/<rect class="gap"/g)?.length, HTML_LIST_MAX);
    // The master's interval is the first event; then the first 999 gaps.
    assert.equal(html.match(/near failover: master 192.0.2.11/g)?.length, HTML_LIST_MAX - 1);
    assert.match(html, /501 later events not listed here \(the JSON report has them\)\./);
  });
});
