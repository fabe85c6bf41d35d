/**
 * The families added for fleet alerting: a group's segment (vrrpwatch_vrid_vip_info), the exporter's
 * own process (process_*) and vrrpwatch_build_info's labels, as a scrape writes them.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { groupViewOf } from '../helpers/adverts.js';
import type { NodeGroupView } from '../../src/core/node/node.js';
import type { GroupView } from '../../src/core/groups/views.js';
import { Metrics } from '../../src/outputs/metrics.js';
import type { MetricsSnapshot } from '../../src/outputs/metrics.js';
import { groupAddresses } from '../../src/outputs/segment.js';

const BUILD = { version: '1.2.3', revision: '0123456789ab', nodejs: 'v20.19.0', libpcap: '1.10.3' };

function router(address: string, master: boolean, addresses: string[]): GroupView['routers'][number] {
  return { address, adverts: 3, priority: master ? 150 : 100, interval: 1, last: 99.5, master, version: 2, addresses };
}

function snapshot(groups: GroupView[], node: NodeGroupView[] = []): MetricsSnapshot {
  return { groups, node, conflicts: new Map(), invalid: new Map(), captures: [], probes: [], evictions: { group: 0, router: 0 }, keepalived: new Map(), config: { lastReloadOk: true, lastReloadAt: 1 } };
}

async function scrape(s: MetricsSnapshot): Promise<string[]> {
  const r = await new Metrics(BUILD).render(s);
  const text = r.body.toString();
  r.release();
  return text.split('\n');
}

const vipInfo = (lines: string[]): string[] => lines.filter((l) => l.startsWith('vrrpwatch_vrid_vip_info{'));

describe('vrrpwatch_vrid_vip_info: a group named across exporters by its addresses', () => {
  it('two pairs reusing VRID 51 on two segments get two segments; a split keeps its one', async () => {
    const lan = groupViewOf([router('192.0.2.11', true, ['192.0.2.101', '192.0.2.100']), router('192.0.2.12', false, ['192.0.2.101', '192.0.2.100'])]);
    const dmz = groupViewOf([router('198.51.100.11', true, ['198.51.100.100'])], { key: { interface: 'eth0.20', family: 'ipv4', vrid: 51 } });
    assert.deepEqual(vipInfo(await scrape(snapshot([lan, dmz]))), [
      'vrrpwatch_vrid_vip_info{interface="eth0",family="ipv4",vrid="51",segment="192.0.2.100",vip="192.0.2.100"} 1',
      'vrrpwatch_vrid_vip_info{interface="eth0",family="ipv4",vrid="51",segment="192.0.2.100",vip="192.0.2.101"} 1',
      'vrrpwatch_vrid_vip_info{interface="eth0.20",family="ipv4",vrid="51",segment="198.51.100.100",vip="198.51.100.100"} 1',
    ]);
    // Both masters of a split advertise the same list: the group keeps its segment.
    const split = groupViewOf([router('192.0.2.11', true, ['192.0.2.100']), router('192.0.2.12', true, ['192.0.2.100'])], { splitBrain: true });
    assert.deepEqual(vipInfo(await scrape(snapshot([split]))), ['vrrpwatch_vrid_vip_info{interface="eth0",family="ipv4",vrid="51",segment="192.0.2.100",vip="192.0.2.100"} 1']);
  });

  it("names a group by its masters' addresses, every router's without a master, the expected VIPs while not heard", async () => {
    // A backup with a stale list does not change the master's segment.
    const drift = groupViewOf([router('192.0.2.11', true, ['192.0.2.100']), router('192.0.2.12', false, ['192.0.2.50'])]);
    assert.match(vipInfo(await scrape(snapshot([drift]))).join('\n'), /^[^\n]*segment="192\.0\.2\.100",vip="192\.0\.2\.100"\} 1$/);
    const masterless = groupViewOf([router('192.0.2.11', false, ['192.0.2.100']), router('192.0.2.12', false, ['192.0.2.50'])], { noMaster: true });
    assert.deepEqual(vipInfo(await scrape(snapshot([masterless]))).map((l) => /segment="([^"]*)",vip="([^"]*)"/.exec(l)?.slice(1).join(' ')), ['192.0.2.50 192.0.2.50', '192.0.2.50 192.0.2.100']);
    const expected = { vrid: 52, interface: 'eth0', family: 'ipv4' as const, vips: ['192.0.2.120'], advertInterval: 1, instance: 'VI_2', source: 'k.conf:9' };
    const node: NodeGroupView = { key: { interface: 'eth0', family: 'ipv4', vrid: 52 }, view: undefined, expected, role: 'backup', roleFrom: undefined, vips: [], backupHolding: [], masterMissing: [], expectedWithoutMaster: true, advertsBlocked: false, mastersBeside: [], configDiffers: [] };
    assert.deepEqual(vipInfo(await scrape(snapshot([], [node]))), ['vrrpwatch_vrid_vip_info{interface="eth0",family="ipv4",vrid="52",segment="192.0.2.120",vip="192.0.2.120"} 1']);
  });

  it('prefers an address that is not link-local, sorts by bytes, writes at most 16 addresses', () => {
    assert.deepEqual(groupAddresses(['fe80::1', '2001:db8:10::1', '2001:db8:9::1']), { segment: '2001:db8:9::1', vips: ['2001:db8:9::1', '2001:db8:10::1', 'fe80::1'] });
    assert.equal(groupAddresses(['fe80::2', 'fe80::1'])?.segment, 'fe80::1');
    assert.equal(groupAddresses(['169.254.0.1', '192.0.2.9', '192.0.2.10'])?.segment, '192.0.2.9');
    assert.equal(groupAddresses([]), undefined);
    const many = Array.from({ length: 40 }, (_, i) => `192.0.2.${200 - i}`);
    const named = groupAddresses(many);
    assert.equal(named?.segment, '192.0.2.161');
    assert.equal(named.vips.length, 16);
  });
});

describe('self-metrics', () => {
  it('vrrpwatch_build_info carries version, revision, Node.js and libpcap', async () => {
    const lines = await scrape(snapshot([]));
    assert.ok(lines.includes('vrrpwatch_build_info{version="1.2.3",revision="0123456789ab",nodejs="v20.19.0",libpcap="1.10.3"} 1'), lines.join('\n'));
  });

  it('the process families: start time, resident memory, CPU seconds, open and maximum descriptors', async () => {
    const lines = await scrape(snapshot([]));
    const value = (name: string): number => {
      const line = lines.find((l) => l.startsWith(`${name} `));
      assert.ok(line !== undefined, `no ${name}`);
      return Number(line.split(' ')[1]);
    };
    assert.ok(lines.includes('# TYPE process_cpu_seconds_total counter'));
    const start = value('process_start_time_seconds');
    assert.ok(Math.abs(start - (Date.now() / 1000 - process.uptime())) < 2, String(start));
    assert.ok(value('process_resident_memory_bytes') > 10 * 1024 * 1024);
    assert.ok(value('process_cpu_seconds_total') > 0);
    assert.ok(Math.abs(value('process_cpu_seconds_total') - value('process_cpu_user_seconds_total') - value('process_cpu_system_seconds_total')) < 0.05);
    const open = value('process_open_fds');
    assert.ok(open >= 3 && open < value('process_max_fds'), String(open));
  });
});
