/**
 * What the CLI prints reaches its reader whole, through a real pipe (`| wc -l`, `| cat`) as into a file,
 * a reader that stops early (`| head -1`) ends the command quietly (serve: one line, exit 2), and a
 * reader that takes nothing for a while holds the replay instead of growing its memory. The captures are
 * made here: the fixture packets repeated far past the 64 KiB a pipe takes at once, and maximal adverts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '../../lab/lab.js';
import { logEntries } from '../../lab/log-match.js';
import { CLI, pcapFile, vrrpFrame } from '../helpers/fixtures.js';
import { writeMaximalCapture } from '../helpers/maximal.js';

/** Adverts in the capture: some 6 MB of `--packets` lines. */
const PACKETS = 20_000;

function sh(script: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('sh', ['-c', script], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const quote = (s: string): string => `'${s.replace(/'/g, "'\\''")}'`;

/**
 * Maximal adverts (255 addresses each) in the capture of the slow reader: some 55 MB of capture and
 * 210 MB of `--packets` lines, which a replay that ignored its reader held all at once (425 MiB peak).
 */
const MAXIMAL_ADVERTS = 50_000;
/** The replay's peak resident memory while its reader takes nothing (117 MiB measured; Node alone ~55). */
const HELD_PEAK_BOUND_KB = 200 * 1024;

/** What /proc says of a process: its command, state, CPU ticks, bytes read and peak resident memory. */
function proc(pid: number): { comm: string; state: string; ticks: number; rchar: number; hwmKb: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command is in parentheses and may hold spaces; the fields after it are numbered from 3.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return {
      comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
      state: fields[0] ?? '',
      ticks: Number(fields[11]) + Number(fields[12]),
      rchar: Number(/^rchar: (\d+)$/m.exec(io)?.[1]),
      hwmKb: Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1]),
    };
  } catch {
    return undefined;
  }
}

/**
 * Resolves with the process's peak memory once it is held: Node, asleep, and neither using CPU nor reading
 * for ten looks in a row. Rejects if it ends first.
 */
async function whenHeld(child: ChildProcess): Promise<number> {
  const pid = child.pid ?? 0;
  let last = '';
  let same = 0;
  while (child.exitCode === null && child.signalCode === null) {
    const p = proc(pid);
    if (p === undefined) break;
    const now = `${p.comm} ${p.state} ${p.ticks} ${p.rchar}`;
    same = now === last && p.comm === 'node' && p.state === 'S' ? same + 1 : 0;
    if (same >= 10) return p.hwmKb;
    last = now;
    await sleep(100);
  }
  throw new Error('the replay ended before its reader read anything');
}

/** Everything a child prints on stdout and stderr, and how it ended. */
function outcome(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve) => {
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

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

  it('holds replay --packets while its reader takes nothing, in bounded memory, then gives it every line', async () => {
    const maximal = join(dir, 'maximal.pcap');
    writeMaximalCapture(maximal, MAXIMAL_ADVERTS, 15);
    const fifo = join(dir, 'slow-reader');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    // The reader opens the pipe, then reads nothing until it is told to go, then counts the lines.
    const reader = spawn('sh', ['-c', 'exec 3< "$1"; read go; wc -l <&3', 'sh', fifo], { stdio: ['pipe', 'pipe', 'pipe'] });
    const read = outcome(reader);
    const replay = spawn('sh', ['-c', 'exec "$0" "$1" replay --packets "$2" > "$3"', process.execPath, CLI, maximal, fifo], { stdio: ['ignore', 'ignore', 'pipe'] });
    const replayed = outcome(replay);
    const heldPeakKb = await whenHeld(replay);
    reader.stdin.end('go\n');
    const [r, w] = await Promise.all([read, replayed]);
    assert.equal(w.stderr, '');
    assert.equal(w.code, 0);
    assert.equal(r.stderr, '');
    assert.equal(Number(r.stdout.trim()), MAXIMAL_ADVERTS);
    assert.ok(heldPeakKb < HELD_PEAK_BOUND_KB, `peak ${Math.round(heldPeakKb / 1024)} MiB while the reader took nothing (bound ${HELD_PEAK_BOUND_KB / 1024} MiB)`);
  });

  it('stops serve with one line and exit 2 when the reader of its log goes away', () => {
    const config = join(dir, 'serve.yml');
    writeFileSync(config, 'interfaces: [lo]\nweb:\n  listen_address: "127.0.0.1:19872"\n');
    const status = join(dir, 'serve-status');
    const stderr = join(dir, 'serve-stderr');
    const r = sh(`{ ${cli} serve -c ${quote(config)} 2> ${quote(stderr)}; echo $? > ${quote(status)}; } | head -1`);
    assert.equal(r.stdout.indexOf('\n'), r.stdout.length - 1, `one line: ${r.stdout}`);
    const [line] = logEntries(r.stdout);
    assert.equal(line?.level, 30, r.stdout);
    assert.equal(line.app, 'vrrpwatch');
    assert.equal(readFileSync(stderr, 'utf8'), 'vrrpwatch: stdout was closed by its reader (EPIPE): the log cannot be written; stopping.\n');
    assert.equal(readFileSync(status, 'utf8'), '2\n');
  });

  it('flushes --help, --version, usage errors and --check-config through a pipe', () => {
    const help = sh(`${cli} --help | cat`);
    const helpFile = join(dir, 'help.txt');
    sh(`${cli} --help > ${quote(helpFile)}`);
    // Whole through a pipe: the same text a file gets, to its last option.
    assert.match(help.stdout, /^usage:\n[\s\S]*\n {2}--vip ADDR {21}report who answered ARP\/NDP for ADDR over the capture \(repeatable\)\n$/);
    assert.equal(help.stdout, readFileSync(helpFile, 'utf8'));
    assert.match(sh(`${cli} --version | cat`).stdout, /^vrrpwatch \d+\.\d+\.\d+\n$/);
    const usage = sh(`${cli} replay 2>&1 | cat; exit 0`);
    assert.equal(usage.stdout, 'vrrpwatch: replay needs exactly one capture file, not 0 (see vrrpwatch replay --help)\n');
    const config = join(dir, 'vrrpwatch.yml');
    writeFileSync(config, 'interfaces: [lo]\n');
    assert.equal(sh(`${cli} serve -c ${quote(config)} --check-config | cat`).stdout, 'config ok: 0 expected groups, 0 probe targets, capture on lo, TLS off, basic auth off\n');
  });
});
