/**
 * docs/metrics.md from the code: a scrape of a realistic view (a node of a keepalived pair after a
 * graceful failover, with its keepalived.conf, notify_fifo, VIP owners on the wire, CARP on its VRID,
 * pings, captures and the HTTP server) is rendered by the real Metrics, and every family it shows is
 * written as a table row from its HELP and TYPE lines and the labels of its samples. `npm run
 * docs:metrics` writes the file; test/unit/metrics-doc.test.ts fails when the file and the code drift.
 */
import { join } from 'node:path';
import { readCaptureFile } from '../../src/adapters/capture-file.js';
import { expectationsOf } from '../../src/adapters/keepalived.js';
import { parseKeepalivedConf } from '../../src/core/expect/keepalived-conf.js';
import { DEFAULT_OWNER_SETTINGS } from '../../src/core/ownership/owner-settings.js';
import { liveSettings, Pipeline } from '../../src/core/pipeline/pipeline.js';
import { familyCollectors, Metrics } from '../../src/outputs/metrics.js';
import { COLLECTORS } from '../../src/outputs/collectors.js';
import type { MetricsSnapshot } from '../../src/outputs/metrics.js';
import { pipelineSnapshot } from '../../src/outputs/scrape.js';
import { CAPTURES, packetFixture } from './fixtures.js';
import { signedAdvertFrame } from './hmac-adverts.js';

/** The node of the view: the backup that took over from 192.0.2.11 in keepalived-v2-arp-split.pcap. */
const NODE_CONF = `
vrrp_script chk_nginx {
    script "/usr/bin/pgrep nginx"
    weight -20
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority 120
    advert_int 1
    virtual_ipaddress {
        192.0.2.100
    }
    track_script {
        chk_nginx
    }
}
vrrp_instance VI_2 {
    interface eth0
    virtual_router_id 52
    priority 100
    advert_int 1
    virtual_ipaddress {
        192.0.2.101
    }
}
`;
const NODE_ADDRESS = '192.0.2.12';
const NODE_MAC = '02:00:00:00:02:01';
const VIP = '192.0.2.100';
/** After the failover of the capture (882.7 s), before its last packet. */
const NOW = 1_796_160_888;

/** The exposition of one scrape of the view. */
export async function docScrape(): Promise<string> {
  const expected = expectationsOf(parseKeepalivedConf('/etc/keepalived/keepalived.conf', NODE_CONF, () => []));
  const watcher = new Pipeline(liveSettings({ started: NOW - 40, expected, groupExpirySeconds: 600, sink: () => undefined, owners: DEFAULT_OWNER_SETTINGS }));
  await readCaptureFile(join(CAPTURES, 'keepalived-v2-arp-split.pcap'), (p) => {
    if (p.ts <= NOW) watcher.onFrame('eth0', p.linkType, p.data, p.length, p.ts);
  });
  // ucarp on the same segment with vhid 51: foreign traffic on the group's VRID.
  const carp = packetFixture('carp-ucarp');
  for (let t = NOW - 4; t < NOW; t++) watcher.onFrame('eth0', carp.linkType, carp.bytes, carp.bytes.length, t);
  for (let t = NOW - 8; t < NOW; t += 2) watcher.owners.observeProbe('eth0', VIP, t);
  // A keepalived 2.4 pair on the segment signs VRID 53 with auth_hmac (its clock 0.25 s ahead).
  for (let t = NOW - 4; t < NOW; t++) {
    const frame = signedAdvertFrame({ src: '192.0.2.13', vrid: 53, vip: '192.0.2.103', keyId: 1, time: t + 0.25, counter: t % 65536 });
    watcher.onFrame('eth0', 1, frame, frame.length, t);
  }
  const observations = { localAddresses: new Map([[NODE_ADDRESS, 'eth0'], [VIP, 'eth0']]), keepalived: new Map([['VI_1', 'MASTER'], ['VI_2', 'BACKUP']] as const), peerAnswers: true };
  const links = { details: new Map([['eth0', { mac: NODE_MAC, addresses: [{ address: NODE_ADDRESS, prefixLength: 24 }] }]]), only: 'eth0' };
  // This node, master, announces its VIP a second before the scrape (keepalived's garp_master_refresh),
  // heard once the VIP is watched (a judgement a second before).
  watcher.view(NOW - 1, observations, links);
  watcher.owners.observeClaim({ interface: 'eth0', ip: VIP, mac: NODE_MAC, kind: 'garp', time: NOW - 1 });
  const view = watcher.view(NOW, observations, links);
  const snapshot: MetricsSnapshot = {
    ...pipelineSnapshot(view, watcher),
    captures: [{ interface: 'eth0', up: true, problem: undefined, dropped: 0, received: 280 }],
    probes: [
      { target: '192.0.2.11', role: 'peer', up: true, rtt: 0.0004, loss: 0, at: NOW * 1000 },
      { target: '192.0.2.1', role: 'gateway', up: true, rtt: 0.0006, loss: 0, at: NOW * 1000 },
    ],
    keepalived: new Map([['VI_1', 'MASTER'], ['VI_2', 'BACKUP']]),
    config: { lastReloadOk: true, lastReloadAt: NOW - 40 },
    web: { rejected: { server: 0, client: 0 }, acceptErrors: 0, open: 1 },
    uncaughtErrors: 0,
    notifyFifoLinesDropped: 0,
    logLinesHeldBack: new Map([['failover', 0]]),
    probesSkipped: new Map([['learned_budget', 0]]),
    sources: [
      { source: 'keepalived_config', path: '/etc/keepalived/keepalived.conf', problem: undefined },
      { source: 'notify_fifo', path: '/run/keepalived-vrrpwatch.fifo', problem: undefined },
    ],
  };
  const rendered = await new Metrics({ version: '0.1.0', revision: 'unknown', nodejs: 'v20.19.0', libpcap: '1.10.3' }).render(snapshot);
  return rendered.body.toString();
}

export interface Family {
  name: string;
  type: string;
  help: string;
  /** Label names of its samples, in the order they are written; undefined when the scrape has none. */
  labels: string[] | undefined;
}

/** The families of an exposition, in its order, with the label names their samples carry. */
export function familiesOf(exposition: string): Family[] {
  const families = new Map<string, Family>();
  const of = (name: string): Family => {
    let f = families.get(name);
    if (f === undefined) families.set(name, (f = { name, type: '', help: '', labels: undefined }));
    return f;
  };
  for (const line of exposition.split('\n')) {
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta !== null) {
      const f = of(meta[2] ?? '');
      if (meta[1] === 'HELP') f.help = (meta[3] ?? '').replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
      else f.type = meta[3] ?? '';
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? /.exec(line);
    if (sample === null) continue;
    const base = baseName(sample[1] ?? '', families);
    const f = families.get(base);
    if (f === undefined) continue;
    const names = [...(sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)].map((m) => m[1] ?? '').filter((n) => n !== 'le' && n !== 'quantile');
    f.labels ??= [];
    for (const n of names) if (!f.labels.includes(n)) f.labels.push(n);
  }
  return [...families.values()];
}

/** A histogram's or summary's sample names its family with a suffix. */
function baseName(sample: string, families: ReadonlyMap<string, Family>): string {
  if (families.has(sample)) return sample;
  for (const suffix of ['_bucket', '_sum', '_count']) if (sample.endsWith(suffix) && families.has(sample.slice(0, -suffix.length))) return sample.slice(0, -suffix.length);
  return sample;
}

export const BEGIN = '<!-- generated by `npm run docs:metrics` from the HELP strings: edit the code, not this table -->';
export const END = '<!-- end of the generated table -->';

/** The generated table (between BEGIN and END). */
export function metricsTable(families: readonly Family[]): string {
  const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const collectorOf = familyCollectors();
  const rows = families.map((f) => `| \`${f.name}\` | ${f.type} | ${(f.labels ?? []).map((l) => `\`${l}\``).join(', ')} | ${collectorOf.get(f.name) ?? 'always'} | ${cell(f.help)} |`);
  const collectors = COLLECTORS.map((c) => `| \`${c.name}\` | ${cell(c.what)} | ${cell(c.cardinality)} |`);
  return [
    BEGIN,
    '',
    '| metric | type | labels | collector | meaning (its HELP) |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    'The collectors: `serve --no-collector.NAME` leaves its families out of every scrape, `--collector.NAME` keeps them (every collector is on by default).',
    '',
    '| collector | what it writes | series |',
    '| --- | --- | --- |',
    ...collectors,
    '',
    END,
  ].join('\n');
}

/** docs/metrics.md with its generated table replaced by `table`; the hand-written text around it stays. */
export function withTable(doc: string, table: string): string {
  const start = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (start < 0 || end < start) throw new Error(`docs/metrics.md has no generated table: put the lines\n${BEGIN}\n${END}\nwhere it goes`);
  return doc.slice(0, start) + table + doc.slice(end + END.length);
}

/** The families of the doc's scrape that show no sample there (their labels would be unknown). */
export function unsampled(families: readonly Family[]): string[] {
  return families.filter((f) => f.labels === undefined).map((f) => f.name);
}
