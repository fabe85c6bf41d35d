/** `vrrpwatch replay` as users run it: the built CLI on real keepalived captures and on bad input. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CAPTURES, CLI, packetFixture, pcapFile, vrrpFrame } from '../helpers/fixtures.js';
import type { ReplayReport } from '../../src/outputs/report.js';

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json(file: string): ReplayReport {
  const r = run('replay', file, '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as ReplayReport;
}

const A = '192.0.2.11';
const B = '192.0.2.12';
const MAC_A = '02:00:00:00:01:01';
const MAC_B = '02:00:00:00:02:01';
let dir = '';

describe('replay of real keepalived captures', () => {
  it('judges the firewall split-brain: one interval, both routers, start at the second master', () => {
    const report = json(join(CAPTURES, 'keepalived-v2-split-brain.pcap'));
    assert.equal(report.packets, 22);
    assert.equal(report.adverts, 22);
    assert.deepEqual(report.invalid, {});
    const [g] = report.groups;
    assert.ok(g);
    assert.deepEqual([g.interface, g.family, g.vrid], ['if0', 'ipv4', 51]);
    assert.equal(g.split_brain.length, 1);
    const [split] = g.split_brain;
    assert.deepEqual(split?.routers, [A, B]);
    const firstB = Math.min(...packets(join(CAPTURES, 'keepalived-v2-split-brain.pcap')).filter((p) => p.src === B).map((p) => p.ts));
    assert.equal(split.start, firstB);
    assert.ok(split.judged - split.start <= 3, `judged after ${split.judged - split.start} s`);
    assert.equal(typeof split.end, 'number');
    assert.deepEqual(g.failovers, []);
    assert.deepEqual(g.mismatches, []);
    assert.deepEqual(g.routers.map((r) => [r.address, r.priorities]), [[A, [150]], [B, [100]]]);
  });

  it('shows a graceful stop and a preemption as two failovers and no split-brain', () => {
    const report = json(join(CAPTURES, 'keepalived-v2-pass-failover.pcap'));
    const [g] = report.groups;
    assert.ok(g);
    assert.deepEqual(g.split_brain, []);
    assert.deepEqual(g.failovers.map((f) => [f.from, f.to]), [[A, B], [B, A]]);
    assert.deepEqual(g.masters.map((m) => m.router), [A, B, A]);
    assert.equal(g.masters.at(-1)?.end, null, 'the last master is still open at the end of the capture');
    assert.deepEqual(g.no_master, [], 'the gap between the priority-0 advert and the backup taking over is its skew, not a finding');
  });

  it('judges a wrong virtual_router_id (b on VRID 52 with a\'s VIP) as a VIP conflict across VRIDs, not a split', () => {
    const file = join(CAPTURES, 'keepalived-v2-wrong-vrid.pcap');
    const report = json(file);
    const [g51, g52] = report.groups;
    assert.ok(g51 && g52);
    assert.deepEqual([g51.vrid, g52.vrid], [51, 52]);
    assert.deepEqual([g51.split_brain, g52.split_brain], [[], []]);
    const fromB = packets(file).filter((p) => p.src === B);
    const start = Math.min(...fromB.map((p) => p.ts));
    // b's graceful stop (priority 0) on VRID 52 ends it.
    const end = fromB.find((p) => p.priority === 0)?.ts;
    assert.deepEqual(g51.vip_conflicts, [{ vip: '192.0.2.100', vrids: [52], start, end }]);
    assert.deepEqual(g52.vip_conflicts, [{ vip: '192.0.2.100', vrids: [51], start, end }]);
    assert.match(run('replay', file).stdout, /VIP CONFLICT: 192\.0\.2\.100 also advertised by the master of VRID 52 until /);
  });

  it('gives the same judgement for the pcapng copy', () => {
    const a = json(join(CAPTURES, 'keepalived-v2-split-brain.pcap'));
    const b = json(join(CAPTURES, 'keepalived-v2-split-brain.pcapng'));
    assert.deepEqual(b.groups.map((g) => ({ ...g, interface: 'x' })), a.groups.map((g) => ({ ...g, interface: 'x' })));
    assert.equal(b.format, 'pcapng');
  });

  it('prints a readable text timeline', () => {
    const r = run('replay', join(CAPTURES, 'keepalived-v2-split-brain.pcap'));
    assert.equal(r.code, 0);
    assert.match(r.stdout, /group vrid 51 ipv4 on if0: SPLIT-BRAIN x1/);
    assert.match(r.stdout, /SPLIT-BRAIN 192\.0\.2\.11 \+ 192\.0\.2\.12 \(judged after [0-9.]+ s\) until /);
  });

  it('--packets gives one line per VRRP packet, as many as tshark counts, with the contract fields', () => {
    for (const name of ['keepalived-v2-split-brain.pcap', 'keepalived-v2-wrong-vrid.pcap', 'keepalived-v3-linux-sll.pcap', 'keepalived-v3-linux-sll2.pcap', 'keepalived-unicast-v3-and-ah.pcap', 'keepalived-v3-ipv6.pcap']) {
      const file = join(CAPTURES, name);
      const lines = packets(file);
      const tsharkCount = execFileSync('tshark', ['-r', file, '-Y', 'vrrp'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim().split('\n').length;
      assert.equal(lines.length, tsharkCount, name);
      for (const p of lines) {
        for (const key of ['ts', 'src', 'dst', 'ttl', 'family', 'ok', 'version', 'type', 'vrid', 'priority', 'addresses', 'advert_interval', 'checksum', 'checksum_form', 'ttl_ok']) {
          assert.ok(key in p, `${name}: ${key} missing`);
        }
      }
    }
    const ah = packets(join(CAPTURES, 'keepalived-unicast-v3-and-ah.pcap'));
    assert.deepEqual(new Set(ah.map((p) => `${p.version}/${p.auth_type ?? '-'}/${p.checksum_form}`)), new Set(['2/2/message', '3/-/pseudo_header']));
  });

  it('judges VIP ownership from the ARP in the capture: the split on the wire is one duplicate, the graceful failover none', () => {
    const file = join(CAPTURES, 'keepalived-v2-arp-split.pcap');
    const report = json(file);
    assert.ok(report.neighbor_messages > 100, `${report.neighbor_messages} ARP messages`);
    assert.deepEqual(report.neighbor_invalid, {});
    const [g] = report.groups;
    assert.ok(g);
    const [split] = g.split_brain;
    assert.ok(split !== undefined && split.end !== null && g.split_brain.length === 1);
    // b answers from the split on (both routers master, both answer the client) until the split heals.
    const bDuring = g.vip_owners.find((o) => o.mac === MAC_B);
    assert.ok(bDuring !== undefined && bDuring.end !== null && bDuring.router === B, JSON.stringify(g.vip_owners));
    assert.equal(g.vip_duplicates.length, 1, JSON.stringify(g.vip_duplicates));
    const [dup] = g.vip_duplicates;
    assert.ok(dup !== undefined && dup.end !== null);
    assert.deepEqual([dup.vip, dup.macs], ['192.0.2.100', [MAC_A, MAC_B]]);
    assert.equal(dup.start, bDuring.start, 'from when the second MAC began answering');
    assert.ok(Math.abs(dup.start - split.start) < 1, `duplicate from ${dup.start}, split-brain from ${split.start}`);
    assert.ok(dup.judged - dup.start > 4 && dup.judged - dup.start <= 8, `judged after ${dup.judged - dup.start} s`);
    assert.ok(dup.end > bDuring.end && dup.end - bDuring.end <= 4 && dup.end <= split.end, `ended ${dup.end - bDuring.end} s after b's last answer`);
    // The graceful failover to b: a stops answering as b announces itself; nothing is judged.
    const [failover] = g.failovers;
    assert.ok(failover !== undefined && failover.cause === 'resigned' && g.failovers.length === 1);
    assert.ok(g.vip_duplicates.every((d) => d.end !== null && d.end < failover.time));
    assert.deepEqual([g.vip_foreign_owners, g.vip_unanswered, g.failovers_without_garp], [[], [], []]);
    assert.deepEqual(
      g.vip_owners.filter((o) => o.start >= failover.time - 1).map((o) => [o.mac, o.router, o.end]),
      [[MAC_B, B, null]],
      'b owns the VIP from its takeover to the end of the capture',
    );
    const text = run('replay', file).stdout;
    assert.match(text, /\nARP\/NDP: \d+ messages, VIP ownership judged from them\n/);
    assert.match(text, /group vrid 51 ipv4 on if0: SPLIT-BRAIN x1, VIP DUPLICATE x1\n/);
    assert.match(text, /\n {2}[\d: .-]+ {2}VIP DUPLICATE 192\.0\.2\.100: 2 MACs answered \(02:00:00:00:01:01, 02:00:00:00:02:01\) \(judged after [\d.]+ s\) until /);
    const html = run('replay', file, '--format', 'html').stdout;
    assert.equal((html.match(/<g class="vip-finding" data-finding="vip_duplicate" /g) ?? []).length, 1, 'one duplicate band on the findings lane');
    assert.match(html, /<g class="vip-finding" data-finding="vip_duplicate" data-start="[\d.]+" data-end="[\d.]+">/);
    assert.match(html, /CRITICAL<\/span>VIP 192\.0\.2\.100 of VRID \d+ on \S+ is answered by 02:00:00:00:01:01, 02:00:00:00:02:01: split-brain on the wire/);
    assert.doesNotMatch(html, /data-finding="(vip_foreign_owner|vip_unanswered|failover_without_garp)"/);
    // --packets keeps its contract: VRRP packets only, no line for ARP.
    assert.equal(packets(file).length, report.adverts);
  });

  it('never prints the PASS password', () => {
    const file = join(CAPTURES, 'keepalived-v2-pass-failover.pcap');
    assert.ok(readFileSync(file).includes('s3cr3t'), 'the capture does carry it');
    for (const args of [[], ['--format', 'json'], ['--packets']]) {
      const r = run('replay', file, ...args);
      assert.ok(!r.stdout.includes('s3cr3t') && !r.stderr.includes('s3cr3t'), `replay ${args.join(' ')}`);
    }
  });
});

interface PacketLine {
  ts: number;
  src: string;
  version: number;
  auth_type?: number;
  checksum_form: string;
  [key: string]: unknown;
}

function packets(file: string): PacketLine[] {
  const r = run('replay', file, '--packets');
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as PacketLine);
}

describe('replay of bad input', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vrrpwatch-replay-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const oneError = (r: { code: number | null; stderr: string }, pattern: RegExp): void => {
    assert.equal(r.code, 2);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0] ?? '', pattern);
    assert.doesNotMatch(r.stderr, /\bat .*\.js:\d+/, 'no stack trace');
  };

  it('a missing file', () => {
    oneError(run('replay', join(dir, 'nope.pcap')), /^vrrpwatch: cannot read .*nope\.pcap: no such file$/);
  });

  it('a directory', () => {
    oneError(run('replay', dir), /it is a directory$/);
  });

  it('a file that is not a capture', () => {
    const f = join(dir, 'notes.txt');
    writeFileSync(f, 'this is not a capture at all\n');
    oneError(run('replay', f), /notes\.txt: not a pcap or pcapng file \(starts with 0x74686973\)$/);
  });

  it('an empty file', () => {
    const f = join(dir, 'empty.pcap');
    writeFileSync(f, '');
    oneError(run('replay', f), /empty\.pcap: the file is empty$/);
  });

  it('an unreadable file (as an unprivileged user)', () => {
    const f = join(dir, 'secret.pcap');
    writeFileSync(f, pcapFile(1, []));
    chmodSync(f, 0o600);
    chmodSync(dir, 0o755);
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, CLI, 'replay', f], { encoding: 'utf8' });
    oneError({ code: r.status, stderr: r.stderr }, /secret\.pcap: permission denied$/);
  });

  it('a truncated capture reports what it read, then the error, exit 2', () => {
    const whole = readFileSync(join(CAPTURES, 'keepalived-v2-split-brain.pcap'));
    const f = join(dir, 'cut.pcap');
    writeFileSync(f, whole.subarray(0, whole.length - 10));
    const r = run('replay', f, '--format', 'json');
    oneError(r, /cut\.pcap: truncated: the capture ends inside a record after 21 packets$/);
    assert.equal((JSON.parse(r.stdout) as ReplayReport).packets, 21);
  });

  it('a capture without VRRP says so', () => {
    const f = join(dir, 'novrrp.pcap');
    const udp = packetFixture('v2-ipv4-pass').bytes.slice();
    udp[14 + 9] = 17;
    writeFileSync(f, pcapFile(1, [{ ts: 1, bytes: udp }]));
    const r = run('replay', f);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /1 packets, 0 VRRP advertisements/);
    assert.match(r.stdout, /no VRRP advertisements in .*novrrp\.pcap/);
  });

  it('counts invalid packets by reason', () => {
    const f = join(dir, 'bad.pcap');
    const frames = ['bad-checksum', 'bad-checksum', 'carp', 'v2-ipv4-pass'].map((n, i) => ({ ts: 10 + i, bytes: packetFixture(n).bytes }));
    writeFileSync(f, pcapFile(1, frames));
    const report = json(f);
    assert.deepEqual(report.invalid, { bad_checksum: 2, not_vrrp: 1 });
    assert.equal(report.adverts, 1);
    const lines = packets(f);
    assert.deepEqual(lines.map((l) => [l.ok, l.reason ?? null]), [[false, 'bad_checksum'], [false, 'bad_checksum'], [false, 'not_vrrp'], [true, null]]);
  });

  it('bad arguments are one line pointing to the help, and exit 2', () => {
    for (const args of [['replay'], ['replay', 'a', 'b'], ['replay', 'x.pcap', '--format', 'xml'], ['replay', 'x.pcap', '--bogus'], ['frobnicate']]) {
      const r = run(...args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /^vrrpwatch: [^\n]* \(see vrrpwatch (replay )?--help\)\n$/);
      assert.equal(r.stdout, '');
    }
  });

  it('names the format it wants, and refuses --output with --packets', () => {
    const file = join(CAPTURES, 'keepalived-v2-split-brain.pcap');
    assert.match(run('replay', file, '--format', 'xml').stderr, /^vrrpwatch: --format must be text, json or html, not "xml" \(see vrrpwatch replay --help\)\n$/);
    assert.match(run('replay', file, '--packets', '--output', join(dir, 'p.txt')).stderr, /^vrrpwatch: --output writes the report; --packets prints packets to standard output, so they cannot be combined \(see vrrpwatch replay --help\)\n$/);
  });

  it('--output writes the report to a file, and says why it cannot', () => {
    const file = join(CAPTURES, 'keepalived-v2-split-brain.pcap');
    const out = join(dir, 'incident.html');
    const r = run('replay', file, '--format', 'html', '--output', out);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(readFileSync(out, 'utf8'), /^<!doctype html>\n<html lang="en">.*<g class="split-brain"/s);
    const text = join(dir, 'incident.txt');
    assert.equal(run('replay', file, '-o', text).code, 0);
    assert.equal(readFileSync(text, 'utf8'), run('replay', file).stdout);
    oneError(run('replay', file, '--format', 'html', '--output', join(dir, 'no', 'such', 'dir.html')), new RegExp(`^vrrpwatch: cannot write the report to ${join(dir, 'no', 'such', 'dir.html')}: no such file$`));
  });

  it('--version and --help', () => {
    assert.match(run('--version').stdout, /^vrrpwatch \d+\.\d+\.\d+\n$/);
    assert.equal(run('--help').code, 0);
  });
});

describe('replay says why each failover happened', () => {
  it('the real graceful stop and preemption: resigned, then preempted, with their priorities and silences', () => {
    const file = join(CAPTURES, 'keepalived-v2-pass-failover.pcap');
    const [g] = json(file).groups;
    assert.ok(g);
    assert.deepEqual(
      g.failovers.map((f) => [f.from, f.to, f.cause, f.from_priority_before, f.from_priority_after, f.to_priority]),
      [
        [A, B, 'resigned', 150, 0, 100],
        [B, A, 'preempted', 100, 100, 150],
      ],
    );
    assert.ok(g.failovers.every((f) => typeof f.silent_seconds === 'number' && f.silent_seconds < 1), JSON.stringify(g.failovers));
    assert.deepEqual(g.routers.map((r) => r.errors), [{ priority_zero: 1 }, {}], 'the priority-0 advert is counted for the router that sent it');
    const text = run('replay', file).stdout;
    assert.match(text, /failover 192\.0\.2\.11 -> 192\.0\.2\.12: the master sent priority 0: a graceful stop \(old master priority 150 -> 0, new master priority 100, old master last heard 0\.6 s before\)/);
    assert.match(text, /failover 192\.0\.2\.12 -> 192\.0\.2\.11: preempted: the old master was still advertising \(old master priority 100, new master priority 150, /);
  });

  it('a crash, a falling priority and a stalling master: master_down, priority_drop and a near failover', () => {
    const t0 = 1_800_000_000;
    const frames: { ts: number; bytes: Buffer }[] = [];
    const send = (vrid: number, src: number, priority: number, from: number, to: number): void => {
      for (let t = from; t < to - 1e-9; t += 1) frames.push({ ts: t0 + t, bytes: vrrpFrame(vrid, src, priority) });
    };
    send(1, 11, 150, 0, 5);
    send(1, 12, 100, 7.61, 14);
    send(2, 11, 150, 0, 5);
    send(2, 11, 90, 5, 9);
    send(2, 12, 100, 8.6, 14);
    send(3, 11, 150, 0, 10);
    send(3, 11, 150, 11.5, 14);
    const bad = vrrpFrame(3, 11, 150);
    bad[bad.length - 1] = (bad[bad.length - 1] ?? 0) ^ 0xff;
    frames.push({ ts: t0 + 12.2, bytes: bad });
    frames.sort((a, b) => a.ts - b.ts);
    const tmp = mkdtempSync(join(tmpdir(), 'vrrpwatch-causes-'));
    try {
      const file = join(tmp, 'causes.pcap');
      writeFileSync(file, pcapFile(1, frames));
      const report = json(file);
      const [g1, g2, g3] = report.groups;
      assert.ok(g1 && g2 && g3);
      assert.deepEqual(g1.failovers.map((f) => [f.cause, f.silent_seconds]), [['master_down', 3.61]]);
      assert.deepEqual(g2.failovers.map((f) => [f.cause, f.from_priority_before, f.from_priority_after, f.to_priority]), [['priority_drop', 150, 90, 100]]);
      assert.deepEqual(g3.failovers, []);
      assert.deepEqual(g3.advert_gaps, [{ router: '192.0.2.11', start: t0 + 9, end: t0 + 11.5, seconds: 2.5, intervals: 2.5 }]);
      assert.deepEqual(g3.routers.map((r) => r.errors), [{ checksum: 1 }]);
      const text = run('replay', file).stdout;
      assert.match(text, /: the master fell silent for its Master_Down_Interval \(old master priority 150, new master priority 100, old master last heard 3\.6 s before\)/);
      assert.match(text, /: the master's own priority fell below the backup's \(a track_script weight\?\) \(old master priority 150 -> 90, new master priority 100, /);
      assert.match(text, /near failover: master 192\.0\.2\.11 sent nothing for 2\.5 s \(2\.5 intervals\) and stayed master/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
