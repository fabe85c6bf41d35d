/**
 * The shipped alert rules and dashboards: they equal what the mixin generates, promtool checks and
 * unit tests, the runbook behind every alert, and the real path: Prometheus (Debian `prometheus`),
 * started with packaging/prometheus.yml, scrapes the exporters of two keepalived sites that reuse
 * VIP and VRID 51, loads the rules, and Alertmanager (`prometheus-alertmanager`), started with
 * packaging/alertmanager.yml's route and inhibit rules, pages no one while both sites are healthy and
 * delivers the split-brain page of one site (and nothing of its consequences, which it holds back), and
 * its resolution, to a webhook receiver. Every dashboard expression is run against that Prometheus.
 * Before it, the same Alertmanager config is given the alerts of a split seen by three exporters of a
 * site with many segments: one page.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ADDRESS, PORT, ROOT, sleep, VIP, waitFor } from '../../lab/lab.js';
import type { KeepalivedInstance } from '../../lab/lab.js';
import { useLab } from '../helpers/lab.js';

const RULES = join(ROOT, 'alerts', 'vrrpwatch.rules.yml');
const AM_SNIPPET = join(ROOT, 'alerts', 'vrrpwatch.alertmanager.yml');
/** The runbook the generated rules link to (mixin/config.libsonnet's runbookBaseURL). */
const RUNBOOK_BASE = 'https://github.com/vrrpwatch/vrrpwatch/blob/main/docs/runbook.md';
const DASHBOARDS = join(ROOT, 'dashboards');
const PACKAGING = join(ROOT, 'packaging');
/** The overview's fleet table: empty while every site is healthy. */
const FINDINGS_PANEL = 'Findings now, by site and group';
/** Site b's hosts as site a's witness reaches them (its second interface is on site b's segment). */
const SITE_B = { a: '198.51.100.11', b: '198.51.100.12', w: '198.51.100.20' };

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

function rules(): Rule[] {
  const doc = parse(readFileSync(RULES, 'utf8')) as { groups: { rules: Rule[] }[] };
  return doc.groups.flatMap((g) => g.rules);
}

interface Dashboard {
  uid: string;
  __inputs?: unknown;
  templating: { list: { name: string; type: string; definition?: string; allValue?: string }[] };
  links: { url: string; keepTime: boolean; includeVars: boolean }[];
  annotations: { list: { name: string; expr: string }[] };
  panels: {
    title: string;
    type: string;
    targets?: { expr: string }[];
    fieldConfig?: { overrides: { properties: { value: { url: string }[] }[] }[] };
  }[];
}

function dashboards(): { file: string; d: Dashboard }[] {
  return readdirSync(DASHBOARDS)
    .filter((f) => f.endsWith('.json'))
    .map((file) => ({ file, d: JSON.parse(readFileSync(join(DASHBOARDS, file), 'utf8')) as Dashboard }));
}

/** Every PromQL expression of every shipped dashboard. */
function dashboardExpressions(): { dashboard: string; panel: string; expr: string }[] {
  return dashboards().flatMap(({ file, d }) => d.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ dashboard: file, panel: p.title, expr: t.expr }))));
}

/** A dashboard expression with Grafana's variables replaced as "All" would. */
function concrete(expr: string): string {
  return expr.replace(/\$cluster/g, '.*').replace(/\$job|\$instance|\$vrid/g, '.+').replace(/\$__rate_interval/g, '30s').replace(/\$__range/g, '5m');
}

function promtool(args: string[]): { code: number | null; out: string } {
  const r = spawnSync('promtool', args, { encoding: 'utf8', cwd: ROOT });
  return { code: r.status, out: r.stdout + r.stderr };
}

const ALERT_TESTS = readdirSync(join(ROOT, 'test', 'alerts')).filter((f) => f.endsWith('.yml')).map((f) => join('test', 'alerts', f));

describe('alert rules and dashboards, statically', () => {
  it('the committed rules and dashboards are what the mixin generates (scripts/mixin.sh --check)', () => {
    const r = spawnSync(join(ROOT, 'scripts', 'mixin.sh'), ['--check'], { encoding: 'utf8', cwd: ROOT });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  it('promtool check rules accepts the rules', () => {
    const r = promtool(['check', 'rules', RULES]);
    assert.equal(r.code, 0, r.out);
  });

  it('promtool test rules passes: every alert just before and after its for:, failovers never page, the fleet shapes', () => {
    assert.ok(ALERT_TESTS.includes('test/alerts/fleet.test.yml') && ALERT_TESTS.includes('test/alerts/vrrpwatch.test.yml'), ALERT_TESTS.join(' '));
    const r = promtool(['test', 'rules', ...ALERT_TESTS]);
    assert.equal(r.code, 0, r.out);
    // Every file of test/alerts: vrrpwatch.test.yml and fleet.test.yml, and wire.test.yml for the ARP/NDP alerts.
    const tests = ALERT_TESTS.map((f) => readFileSync(join(ROOT, f), 'utf8')).join('\n');
    for (const rule of rules()) assert.ok(tests.includes(`alertname: ${rule.alert}\n        exp_alerts:\n          - exp_labels`), `no firing case for ${rule.alert}`);
    const fleet = tests;
    for (const alert of ['VrrpVipOnSeveralNodes', 'VrrpObserversDisagree', 'VrrpVipDuplicate']) assert.ok(fleet.includes(`alertname: ${alert}\n        exp_alerts:\n          - exp_labels: {"cluster": "site-a"`), `no fleet case firing ${alert} at one site`);
  });

  it('every aggregation and every match of the rules keeps the cluster label, so sites never mix', () => {
    for (const r of rules()) {
      const clauses = [...r.expr.matchAll(/\b(by|on) \(([^)]*)\)/g)];
      if (r.alert !== 'VrrpwatchDown') assert.ok(clauses.length > 0, `${r.alert} aggregates`);
      for (const c of clauses) assert.ok((c[2] ?? '').split(', ').includes('cluster'), `${r.alert}: ${c[0]}`);
      for (const m of (r.annotations?.description ?? '').matchAll(/printf `([^`]*)`/g)) assert.ok(m[1]?.includes("cluster='%s'"), `${r.alert}: its description's query stays in the alert's cluster`);
      assert.ok(r.expr.includes('{job="vrrpwatch"'), `${r.alert} selects the exporters with the mixin's selector`);
    }
  });

  it('the mixin follows its config: another job selector and cluster label reach every rule, and promtool accepts them', () => {
    const override = '((import "mixin.libsonnet") + { _config+:: { vrrpwatchSelector: \'job="vrrp"\', clusterLabel: "site", runbookBaseURL: "https://wiki.example.net/vrrp" } }).prometheusAlerts';
    const r = spawnSync('jsonnet', ['-J', 'mixin', '-e', override], { encoding: 'utf8', cwd: ROOT });
    assert.equal(r.status, 0, r.stderr);
    const file = join(mkdtempSync(join(tmpdir(), 'vrrpwatch-mixin-')), 'rules.json');
    writeFileSync(file, r.stdout);
    const check = promtool(['check', 'rules', file]);
    assert.equal(check.code, 0, check.out);
    const custom = (JSON.parse(r.stdout) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
    assert.deepEqual(custom.map((x) => x.alert), rules().map((x) => x.alert));
    for (const x of custom) {
      const text = JSON.stringify(x);
      assert.ok(!text.includes('cluster') && !text.includes('job="vrrpwatch"'), `${x.alert} uses only the configured names: ${text}`);
      assert.ok(x.expr.includes('{job="vrrp"'), `${x.alert}: ${x.expr}`);
      assert.equal(x.annotations?.runbook_url, `https://wiki.example.net/vrrp#${x.alert.toLowerCase()}`);
      for (const c of x.expr.matchAll(/\b(by|on) \(([^)]*)\)/g)) assert.ok((c[2] ?? '').split(', ').includes('site'), `${x.alert}: ${c[0]}`);
    }
    rmSync(dirname(file), { recursive: true, force: true });
  });

  it('follows the mixin conventions: Vrrp names, severity, summary, description, a runbook entry that exists', () => {
    const runbook = readFileSync(join(ROOT, 'docs', 'runbook.md'), 'utf8');
    const anchors = new Set([...runbook.matchAll(/^## (\S+)$/gm)].map((m) => (m[1] ?? '').toLowerCase()));
    const names = rules().map((r) => r.alert);
    for (const required of ['VrrpSplitBrain', 'VrrpBackupHoldsVip', 'VrrpNoMaster', 'VrrpAuthMismatch', 'VrrpConfigMismatch', 'VrrpMasterFlapping', 'VrrpAdvertsBlocked', 'VrrpGatewayUnreachable', 'VrrpwatchCaptureDown', 'VrrpwatchDroppingPackets', 'VrrpwatchDown', 'VrrpVipOnSeveralNodes', 'VrrpObserversDisagree']) {
      assert.ok(names.includes(required), `missing ${required}`);
    }
    const alertingDoc = readFileSync(join(ROOT, 'docs', 'alerting.md'), 'utf8');
    for (const r of rules()) {
      assert.match(r.alert, /^Vrrp(watch)?[A-Z][A-Za-z]+$/);
      assert.ok(r.labels?.severity === 'critical' || r.labels?.severity === 'warning', `${r.alert} severity`);
      assert.ok((r.annotations?.summary ?? '').includes('{{'), `${r.alert} summary is templated`);
      assert.ok((r.annotations?.description ?? '').length > 40, `${r.alert} description`);
      assert.ok(r.for !== undefined, `${r.alert} has for:`);
      // Absolute, so that it is a link in a pager or a chat: the mixin's runbookBaseURL, then the section.
      const anchor = new RegExp(`^${RUNBOOK_BASE.replace(/[.]/g, '\\.')}#(\\S+)$`).exec(r.annotations?.runbook_url ?? '')?.[1];
      assert.ok(anchor !== undefined && anchors.has(anchor), `${r.alert} runbook_url points at a section of docs/runbook.md: ${r.annotations?.runbook_url ?? ''}`);
      assert.ok(alertingDoc.includes(`| \`${r.alert}\` | ${r.labels.severity} |`), `${r.alert} is in the alerts table of docs/alerting.md`);
    }
    for (const r of rules().filter((x) => x.labels?.severity === 'critical')) {
      // Pages within a minute of a real split-brain, given a 15 s scrape and evaluation.
      assert.ok(/^\d+s$/.test(r.for ?? '') && Number.parseInt(r.for ?? '', 10) <= 30, `${r.alert} for: ${r.for ?? ''}`);
    }
  });

  it('dashboards are importable: no __inputs to fill in, cluster, job, instance and VRID variables used by every query, any job name, links, annotations, the fleet first', () => {
    for (const { file, d } of dashboards()) {
      assert.ok(d.uid.length > 0);
      // The data source is the dashboards' own variable: an __inputs entry would be asked for on import and used by nothing.
      assert.equal(d.__inputs, undefined, file);
      assert.deepEqual(d.templating.list.map((v) => v.name), ['datasource', 'cluster', 'job', 'instance', 'vrid'], file);
      // "All" clusters must also match series without the label (a single site).
      assert.equal(d.templating.list[1]?.allValue, '.*', file);
      for (const v of d.templating.list.slice(2)) assert.ok(v.definition?.includes('cluster=~"$cluster"'), `${file}: variable ${v.name} follows the cluster`);
      // The job variable lists every job exporting vrrpwatch_build_info, whatever its name; no query names a job.
      assert.equal(d.templating.list[2]?.definition, 'label_values(vrrpwatch_build_info{cluster=~"$cluster"}, job)', file);
      assert.doesNotMatch(JSON.stringify(d), /job=\\"(?!\$)|job=~\\"(?!\$job)/, `${file} names no job`);
      assert.ok(d.panels.length > 3, file);
      for (const p of d.panels) for (const t of p.targets ?? []) assert.ok(t.expr.includes('cluster=~"$cluster"') && t.expr.includes('job=~"$job"'), `${file} "${p.title}" filters by cluster and job: ${t.expr}`);
      assert.deepEqual(d.annotations.list.map((a) => a.name), ['Failovers', 'Split-brains'], file);
      for (const a of d.annotations.list) assert.ok(a.expr.includes('cluster=~"$cluster"') && a.expr.includes('segment'), `${file} annotation ${a.name}: ${a.expr}`);
      const other = file === 'vrrpwatch-overview.json' ? '/d/vrrpwatch-node' : '/d/vrrpwatch-overview';
      assert.deepEqual(d.links.map((l) => [l.url, l.keepTime, l.includeVars]), [[other, true, true]], file);
      const exporters = d.panels.find((p) => p.type === 'table' && p.title.startsWith('Exporters'));
      assert.equal(exporters?.fieldConfig?.overrides[0]?.properties[0]?.value[0]?.url, 'http://${__value.raw}/', `${file}: each exporter's status page`);
    }
    const overview = dashboards().find((x) => x.file === 'vrrpwatch-overview.json')?.d;
    assert.equal(overview?.panels[0]?.type, 'row');
    assert.match(overview.panels[0].title, /^Fleet/);
    assert.deepEqual(overview.panels.slice(1, 4).map((p) => p.title), ['Sites with findings', 'Groups with findings', FINDINGS_PANEL]);
    assert.ok(dashboardExpressions().length >= 20);
  });
});

describe('Alertmanager: one page per incident', () => {
  interface AmConfig {
    route: Route;
    inhibit_rules: { source_matchers: string[]; target_matchers: string[]; equal: string[] }[];
  }
  const snippet = (): AmConfig => parse(readFileSync(AM_SNIPPET, 'utf8')) as AmConfig;

  it("packaging/alertmanager.yml carries the mixin's group_by and inhibit rules, and amtool check-config accepts it", () => {
    const shipped = parse(readFileSync(join(PACKAGING, 'alertmanager.yml'), 'utf8')) as AmConfig;
    assert.deepEqual(shipped.route.group_by, snippet().route.group_by);
    assert.deepEqual(snippet().route.group_by, ['cluster', 'family', 'vrid', 'segment']);
    assert.deepEqual(shipped.inhibit_rules, snippet().inhibit_rules);
    const check = spawnSync('amtool', ['check-config', join(PACKAGING, 'alertmanager.yml')], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    assert.match(check.stdout, / - 4 inhibit rules\n/);
    // Every alert an inhibit rule names exists.
    const names = new Set(rules().map((r) => r.alert));
    for (const r of snippet().inhibit_rules) {
      for (const m of [...r.source_matchers, ...r.target_matchers]) for (const name of (/alertname=~?"([^"]+)"/.exec(m)?.[1] ?? '').split('|')) assert.ok(names.has(name), `${m}: ${name}`);
    }
  });

  const lab = useLab(['w']);
  it('a split-brain seen by three exporters, with its VIP answered by two MACs and held by two hosts, is one page; a duplicate on another segment of the site pages on its own', { timeout: 120_000 }, async () => {
    const receiver = "require('node:http').createServer((q,s)=>{let b='';q.on('data',c=>b+=c);q.on('end',()=>{console.log(JSON.stringify(JSON.parse(b)));s.end('ok')})}).listen(9095,'127.0.0.1')";
    lab.start('receiver', 'w', [process.execPath, '-e', receiver]);
    const amConfig = join(lab.dir, 'alertmanager.yml');
    writeFileSync(amConfig, alertmanagerConfig());
    lab.start('alertmanager', 'w', ['prometheus-alertmanager', `--config.file=${amConfig}`, `--storage.path=${join(lab.dir, 'am')}`, '--web.listen-address=127.0.0.1:9093', '--cluster.listen-address=']);
    await waitFor('Alertmanager to be ready', () => lab.fetch('w', 'http://127.0.0.1:9093/-/ready')?.status === 200, 30_000, 500);

    // The alerts test/alerts/segments.test.yml's split in LAN fires (labels as the rules give them),
    // with the consequences LAN's witness may add, and a duplicate VIP on DMZ (VRID 51 too).
    const lan = { cluster: 'site-a', family: 'ipv4', vrid: '51', segment: '192.0.2.100' };
    const fired = [
      ...['lb1:9842', 'lb2:9842', 'witness:9842'].map((instance) => ({ alertname: 'VrrpSplitBrain', severity: 'critical', ...lan, job: 'vrrpwatch', instance, interface: instance === 'witness:9842' ? 'eth0.10' : 'eth0' })),
      { alertname: 'VrrpVipDuplicate', severity: 'critical', ...lan, vip: '192.0.2.100' },
      { alertname: 'VrrpVipOnSeveralNodes', severity: 'critical', ...lan, vip: '192.0.2.100' },
      { alertname: 'VrrpObserversDisagree', severity: 'warning', ...lan },
      { alertname: 'VrrpVipDuplicate', severity: 'critical', cluster: 'site-a', family: 'ipv4', vrid: '51', segment: '198.51.100.100', vip: '198.51.100.100' },
    ];
    const post = lab.fetch('w', 'http://127.0.0.1:9093/api/v2/alerts', ['-X', 'POST', '-H', 'Content-Type: application/json', '--data', JSON.stringify(fired.map((labels) => ({ labels })))]);
    assert.equal(post?.status, 200, post?.body);

    const notifications = (): { receiver: string; groupLabels: Record<string, string>; alerts: { labels: Record<string, string> }[] }[] =>
      lab
        .log('receiver')
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { receiver: string; groupLabels: Record<string, string>; alerts: { labels: Record<string, string> }[] });
    await waitFor('both pages', () => notifications().length >= 2, 30_000, 250);
    await sleep(3_000); // group_wait and group_interval are 1 s here: anything else would have come
    const got = notifications()
      .map((n) => `${n.receiver} ${n.groupLabels.segment ?? ''}: ${n.alerts.map((a) => `${a.labels.alertname ?? ''}@${a.labels.instance ?? a.labels.vip ?? ''}`).sort().join(' ')}`)
      .sort();
    assert.deepEqual(got, [
      'pager 192.0.2.100: VrrpSplitBrain@lb1:9842 VrrpSplitBrain@lb2:9842 VrrpSplitBrain@witness:9842',
      'pager 198.51.100.100: VrrpVipDuplicate@198.51.100.100',
    ]);
    // Alertmanager itself says why the others were not sent: inhibited by the split-brain.
    const all = lab.fetch('w', 'http://127.0.0.1:9093/api/v2/alerts');
    const alerts = JSON.parse(all?.body ?? '[]') as { labels: Record<string, string>; status: { state: string; inhibitedBy: string[] } }[];
    const state = alerts.map((a) => `${a.labels.alertname ?? ''} ${a.labels.segment ?? ''} ${a.status.state}${a.status.inhibitedBy.length > 0 ? ' by the split-brain' : ''}`).sort();
    assert.deepEqual(state, [
      'VrrpObserversDisagree 192.0.2.100 suppressed by the split-brain',
      'VrrpSplitBrain 192.0.2.100 active',
      'VrrpSplitBrain 192.0.2.100 active',
      'VrrpSplitBrain 192.0.2.100 active',
      'VrrpVipDuplicate 192.0.2.100 suppressed by the split-brain',
      'VrrpVipDuplicate 198.51.100.100 active',
      'VrrpVipOnSeveralNodes 192.0.2.100 suppressed by the split-brain',
    ]);
  });
});

/** The lab's address for each target of packaging/prometheus.yml. */
const TARGETS: Record<string, string> = {
  'lb1.site-a.example.net:9842': `${ADDRESS.a.v4}:${PORT}`,
  'lb2.site-a.example.net:9842': `${ADDRESS.b.v4}:${PORT}`,
  'witness.site-a.example.net:9842': `${ADDRESS.w.v4}:${PORT}`,
  'lb1.site-b.example.net:9842': `${SITE_B.a}:${PORT}`,
  'lb2.site-b.example.net:9842': `${SITE_B.b}:${PORT}`,
};

interface StaticConfig {
  targets: string[];
  labels?: Record<string, string>;
}
interface PrometheusConfig {
  global: Record<string, string>;
  rule_files: string[];
  alerting: { alertmanagers: { static_configs: StaticConfig[] }[] };
  scrape_configs: { job_name: string; static_configs: StaticConfig[] }[];
}
interface Route {
  receiver: string;
  group_by?: string[];
  group_wait?: string;
  group_interval?: string;
  routes?: Route[];
}

/**
 * packaging/prometheus.yml as the lab runs it: its scrape jobs, target labels and rule selection as
 * shipped; the lab's addresses for its targets, the rules of this checkout, and everything every second.
 */
function prometheusConfig(): string {
  const config = parse(readFileSync(join(PACKAGING, 'prometheus.yml'), 'utf8')) as PrometheusConfig;
  config.global = { ...config.global, scrape_interval: '1s', evaluation_interval: '1s' };
  assert.deepEqual(config.rule_files, ['/etc/prometheus/rules/vrrpwatch.rules.yml']);
  config.rule_files = [RULES];
  config.alerting.alertmanagers = [{ static_configs: [{ targets: ['127.0.0.1:9093'] }] }];
  for (const job of config.scrape_configs) {
    for (const group of job.static_configs) {
      group.targets = group.targets.map((t) => {
        const lab = TARGETS[t];
        assert.ok(lab !== undefined, `packaging/prometheus.yml: the test has no lab host for target ${t}`);
        return lab;
      });
    }
  }
  return stringify(config);
}

/** packaging/alertmanager.yml's route tree as shipped (waits shortened), every receiver a webhook. */
function alertmanagerConfig(): string {
  const config = parse(readFileSync(join(PACKAGING, 'alertmanager.yml'), 'utf8')) as { route: Route; receivers: { name: string }[] };
  const fast = (r: Route): void => {
    if (r.group_wait !== undefined || r === config.route) r.group_wait = '1s';
    if (r.group_interval !== undefined || r === config.route) r.group_interval = '1s';
    for (const child of r.routes ?? []) fast(child);
  };
  fast(config.route);
  config.receivers = config.receivers.map((r) => ({ name: r.name, webhook_configs: [{ url: 'http://127.0.0.1:9095/hook', send_resolved: true }] }));
  return stringify(config);
}

describe('the real path: Prometheus scrapes two sites, Alertmanager pages on one site\'s split-brain only', { timeout: 600_000 }, () => {
  const prom = `http://127.0.0.1:9090`;

  const lab = useLab(['gw', 'a', 'b', 'w']);
  // Site b: a pair on a segment of its own with the same addresses, VIP and VRID 51, whose master is
  // its b. Site a's witness runs the monitoring and reaches it on a second interface.
  const siteB = useLab(['a', 'b'], { site: 'b' });
  before(() => {
    siteB.exec('a', ['ip', 'addr', 'add', `${SITE_B.a}/24`, 'dev', 'eth0']);
    siteB.exec('b', ['ip', 'addr', 'add', `${SITE_B.b}/24`, 'dev', 'eth0']);
    lab.joinSegment('w', siteB, `${SITE_B.w}/24`);
  });

  interface Result {
    metric: Record<string, string>;
    value: [number, string];
  }
  function query(expr: string): { status: string; data?: { result: Result[] }; error?: string } {
    const r = lab.fetch('w', `${prom}/api/v1/query`, ['--data-urlencode', `query=${expr}`]);
    assert.ok(r !== undefined, 'Prometheus answers');
    return JSON.parse(r.body) as { status: string; data?: { result: Result[] }; error?: string };
  }
  /** The values of an instant query; none while Prometheus does not answer yet. */
  function values(expr: string): string[] {
    const r = lab.fetch('w', `${prom}/api/v1/query`, ['--data-urlencode', `query=${expr}`]);
    if (r?.status !== 200) return [];
    return (JSON.parse(r.body) as { data: { result: Result[] } }).data.result.map((x) => x.value[1]);
  }

  interface Notification {
    receiver: string;
    status: string;
    alerts: { status: string; labels: Record<string, string> }[];
  }
  function notifications(): Notification[] {
    return lab
      .log('receiver')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Notification);
  }

  it('two healthy sites reusing VIP and VRID 51 page no one; a firewall split-brain at one site pages with its cluster and segment, its VIP held by both nodes is held back, and it resolves; every dashboard expression returns data', async () => {
    const inst = (p: number): KeepalivedInstance => ({ name: 'VI_1', vrid: 51, priority: p, authPass: 'pr0m' });
    const confA = lab.keepalived('a', [inst(150)], { notifyFifo: true });
    const confB = lab.keepalived('b', [inst(100)], { notifyFifo: true });
    const siteBConfA = siteB.keepalived('a', [inst(100)]);
    const siteBConfB = siteB.keepalived('b', [inst(150)]);
    // The witness watches its own site only (its second interface is on site b's segment).
    lab.serve('w', ['-i', 'eth0', '--peer', ADDRESS.a.v4, '--peer', ADDRESS.b.v4, '--gateway', ADDRESS.gw.v4]);
    lab.serve('a', ['--keepalived-config', confA, '--gateway', ADDRESS.gw.v4]);
    lab.serve('b', ['--keepalived-config', confB, '--gateway', ADDRESS.gw.v4]);
    siteB.serve('a', ['--keepalived-config', siteBConfA]);
    siteB.serve('b', ['--keepalived-config', siteBConfB]);

    // The receiver: a webhook in the witness namespace that prints each notification as one JSON line.
    const receiver = "require('node:http').createServer((q,s)=>{let b='';q.on('data',c=>b+=c);q.on('end',()=>{console.log(JSON.stringify(JSON.parse(b)));s.end('ok')})}).listen(9095,'127.0.0.1')";
    lab.start('receiver', 'w', [process.execPath, '-e', receiver]);
    const amConfig = join(lab.dir, 'alertmanager.yml');
    writeFileSync(amConfig, alertmanagerConfig());
    lab.start('alertmanager', 'w', ['prometheus-alertmanager', `--config.file=${amConfig}`, `--storage.path=${join(lab.dir, 'am')}`, '--web.listen-address=127.0.0.1:9093', '--cluster.listen-address=']);
    await waitFor('Alertmanager to be ready', () => lab.fetch('w', 'http://127.0.0.1:9093/-/ready')?.status === 200, 30_000, 500);

    const promConfig = join(lab.dir, 'prometheus.yml');
    writeFileSync(promConfig, prometheusConfig());
    lab.start('prometheus', 'w', ['prometheus', `--config.file=${promConfig}`, `--storage.tsdb.path=${join(lab.dir, 'prom')}`, '--web.listen-address=127.0.0.1:9090', '--rules.alert.resend-delay=1s']);
    await waitFor('Prometheus to scrape both sites', () => values('sum by (cluster) (up{job="vrrpwatch"})').sort().join(' ') === '2 3', 60_000, 500);
    await waitFor('every observer of both sites to see its master', () => values('count(vrrpwatch_vrid_master_info == 1)')[0] === '5', 60_000, 500);
    await waitFor("both sites' masters to hold the VIP", () => values(`count(vrrpwatch_vip_local{vip="${VIP.v4}"} == 1)`)[0] === '2', 30_000, 500);
    await sleep(35_000); // enough history for the dashboards' rate() and increase() windows, and past every for: of a minute or less

    // The fleet shapes are real: without the cluster label, the VIP has two holders and VRID 51 two masters.
    assert.deepEqual(values(`count by (vip) (count by (vip, instance) (vrrpwatch_vip_local{vip="${VIP.v4}"} == 1))`), ['2']);
    assert.deepEqual(values('count by (vrid) (count by (vrid, router) (vrrpwatch_vrid_master_info{vrid="51"} == 1))'), ['2']);
    const pending = query('ALERTS').data?.result.map((r) => `${r.metric.alertname ?? ''} ${r.metric.alertstate ?? ''} ${r.metric.cluster ?? ''}`);
    assert.deepEqual(pending, [], 'no alert pending or firing while both sites are healthy');

    const empty: string[] = [];
    for (const { dashboard, panel, expr } of dashboardExpressions()) {
      const r = query(concrete(expr));
      assert.equal(r.status, 'success', `${dashboard} "${panel}": ${expr}: ${r.error ?? ''}`);
      if (panel === FINDINGS_PANEL) assert.deepEqual(r.data?.result, [], 'no findings on a healthy fleet');
      else if ((r.data?.result.length ?? 0) === 0) empty.push(`${dashboard} "${panel}": ${expr}`);
    }
    assert.deepEqual(empty, [], 'dashboard expressions without data');
    assert.deepEqual(notifications(), [], 'no page and no ticket while both sites are healthy');

    const cut = Date.now();
    lab.cutVrrp('b', true);
    const paged = await waitFor('VrrpSplitBrain to reach the pager', () => (notifications().some((n) => n.receiver === 'pager' && n.status === 'firing' && n.alerts.some((a) => a.labels.alertname === 'VrrpSplitBrain')) ? Date.now() : undefined), 120_000, 250);
    process.stdout.write(`# cut to page: ${((paged - cut) / 1000).toFixed(1)} s (VrrpSplitBrain, for: 15s, scrape and evaluation every 1 s)\n`);
    assert.ok(paged - cut < 60_000, 'paged within a minute');
    const alert = notifications()
      .flatMap((n) => n.alerts)
      .find((a) => a.labels.alertname === 'VrrpSplitBrain');
    assert.equal(alert?.labels.severity, 'critical');
    assert.equal(alert.labels.vrid, '51');
    assert.equal(alert.labels.cluster, 'site-a');
    // The group's segment, as every exporter of site a names it from the adverts (site b names its own).
    assert.deepEqual(values(`count by (segment) (vrrpwatch_vrid_vip_info{cluster="site-a",vrid="51",family="ipv4",vip="${VIP.v4}"})`), ['3']);
    assert.equal(query('group by (segment) (vrrpwatch_vrid_vip_info{cluster="site-a",vrid="51",family="ipv4"})').data?.result[0]?.metric.segment, VIP.v4);
    assert.equal(alert.labels.segment, VIP.v4);

    // Both nodes hold the VIP now: VrrpVipOnSeveralNodes fires too, with the group's labels, and
    // Alertmanager holds it back (inhibited by the split-brain): the split stays one page.
    await waitFor('VrrpVipOnSeveralNodes to fire', () => values('ALERTS{alertname="VrrpVipOnSeveralNodes",alertstate="firing",cluster="site-a"}').length === 1, 90_000, 500);
    await waitFor('Alertmanager to hold it', () => {
      const r = lab.fetch('w', 'http://127.0.0.1:9093/api/v2/alerts?filter=alertname%3D%22VrrpVipOnSeveralNodes%22');
      const held = JSON.parse(r?.body ?? '[]') as { labels: Record<string, string>; status: { state: string } }[];
      return held.length === 1 && held[0]?.status.state === 'suppressed' && held[0].labels.segment === VIP.v4 && held[0].labels.vrid === '51';
    }, 30_000, 500);
    await sleep(3_000); // group_interval is 1 s here
    const paging = notifications()
      .filter((n) => n.receiver === 'pager')
      .flatMap((n) => n.alerts.map((a) => a.labels.alertname ?? ''));
    assert.deepEqual([...new Set(paging)], ['VrrpSplitBrain'], 'the pager hears of the split-brain only');

    const table = dashboardExpressions().find((x) => x.panel === FINDINGS_PANEL);
    assert.ok(table !== undefined);
    const rows = query(concrete(table.expr)).data?.result.map((r) => `${r.metric.cluster ?? ''} ${r.metric.vrid ?? ''} ${r.metric.finding ?? ''}`) ?? [];
    assert.ok(rows.includes('site-a 51 split-brain'), `the fleet table shows site-a's split-brain: ${rows.join('; ')}`);
    assert.deepEqual(rows.filter((r) => !r.startsWith('site-a ')), [], 'the fleet table shows findings of site-a only');

    lab.cutVrrp('b', false);
    await waitFor('the resolved notification', () => notifications().some((n) => n.alerts.some((a) => a.labels.alertname === 'VrrpSplitBrain' && a.status === 'resolved')), 120_000, 250);
    const sites = new Set(notifications().flatMap((n) => n.alerts.map((a) => a.labels.cluster)));
    assert.deepEqual([...sites], ['site-a'], 'every notification is of site-a');
  });
});
