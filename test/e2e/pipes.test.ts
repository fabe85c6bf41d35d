/**
 * What the CLI prints reaches its reader whole, through a real pipe (`| wc -l`, `| cat`) as into a file,
 * and a reader that stops early (`| head -1`) ends the command quietly (serve: one line, exit 2). The
 * capture is made here: the fixture packets repeated far past the 64 KiB a pipe takes at once.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, pcapFile, vrrpFrame } from '../helpers/fixtures.js';

/** Adverts in the capture: some 6 MB of `--packets` lines. */
const PACKETS = 20_000;

function sh(script: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('sh', ['-c', script], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const quote = (s: string): string => `'${s.replace(/'/g, "'\\''")}'`;

describe('output through pipes', () => {
  let dir = '';
  let capture = '';
  let cli = '';

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'vrrpwatch-pipes-'));
    capture = join(dir, 'big.pcap');
    // 255 groups, two routers taking turns in each: a report of several hundred KiB too.
    const frames = Array.from({ length: PACKETS }, (_, i) => ({ ts: 1_795_390_000 + i * 0.01, bytes: vrrpFrame(1 + (i % 255), 11 + (Math.floor(i / 255) % 2), 100) }));
    writeFileSync(capture, pcapFile(1, frames));
    cli = `${quote(process.execPath)} ${quote(CLI)}`;
  });

  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives `| wc -l` every --packets line that a file gets', () => {
    const file = join(dir, 'packets.jsonl');
    const toFile = sh(`${cli} replay --packets ${quote(capture)} > ${quote(file)}`);
    assert.equal(toFile.code, 0, toFile.stderr);
    const lines = readFileSync(file, 'utf8').split('\n').length - 1;
    assert.equal(lines, PACKETS);
    const piped = sh(`${cli} replay --packets ${quote(capture)} | wc -l`);
    assert.equal(piped.stderr, '');
    assert.equal(Number(piped.stdout.trim()), lines);
  });

  it('gives `| cat` the whole JSON report and the whole text report', () => {
    const json = sh(`${cli} replay --format json ${quote(capture)} | cat`);
    assert.equal(json.stderr, '');
    const report = JSON.parse(json.stdout) as { packets: number; groups: { vrid: number }[] };
    assert.equal(report.packets, PACKETS);
    assert.equal(report.groups.length, 255);
    assert.ok(json.stdout.length > 256 << 10, `a report of ${json.stdout.length} bytes`);
    const file = join(dir, 'report.txt');
    assert.equal(sh(`${cli} replay ${quote(capture)} > ${quote(file)}`).code, 0);
    assert.equal(sh(`${cli} replay ${quote(capture)} | cat`).stdout, readFileSync(file, 'utf8'));
  });

  it('ends quietly with exit 0 when the reader stops early (`| head -1`)', () => {
    const status = join(dir, 'status');
    const r = sh(`{ ${cli} replay --packets ${quote(capture)}; echo $? > ${quote(status)}; } | head -1`);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout.split('\n').length, 2);
    assert.match(r.stdout, /^\{"ts":1795390000,.*"vrid":1,/);
    assert.equal(readFileSync(status, 'utf8'), '0\n');
  });

  it('stops serve with one line and exit 2 when the reader of its log goes away', () => {
    const config = join(dir, 'serve.yml');
    writeFileSync(config, 'interfaces: [lo]\nweb:\n  listen_address: "127.0.0.1:19872"\n');
    const status = join(dir, 'serve-status');
    const stderr = join(dir, 'serve-stderr');
    const r = sh(`{ ${cli} serve -c ${quote(config)} 2> ${quote(stderr)}; echo $? > ${quote(status)}; } | head -1`);
    assert.match(r.stdout, /^\{"level":30,.*"app":"vrrpwatch".*\}\n$/);
    assert.equal(readFileSync(stderr, 'utf8'), 'vrrpwatch: stdout was closed by its reader (EPIPE): the log cannot be written; stopping.\n');
    assert.equal(readFileSync(status, 'utf8'), '2\n');
  });

  it('flushes --help, --version, usage errors and --check-config through a pipe', () => {
    const help = sh(`${cli} --help | cat`);
    assert.match(help.stdout, /^usage:\n[\s\S]*--packets {22}print one JSON line per VRRP packet instead of the report\n$/);
    assert.match(sh(`${cli} --version | cat`).stdout, /^vrrpwatch \d+\.\d+\.\d+\n$/);
    const usage = sh(`${cli} replay 2>&1 | cat; exit 0`);
    assert.match(usage.stdout, /^vrrpwatch: replay needs exactly one capture file\nusage:\n[\s\S]*instead of the report\n\n$/);
    const config = join(dir, 'vrrpwatch.yml');
    writeFileSync(config, 'interfaces: [lo]\n');
    assert.equal(sh(`${cli} serve -c ${quote(config)} --check-config | cat`).stdout, 'config ok: 0 expected groups, 0 probe targets, capture on lo, TLS off, basic auth off\n');
  });
});
