/**
 * The shipped alert rules and dashboards: promtool checks and unit tests, the runbook behind every
 * alert, and the real path: Prometheus (Debian `prometheus`) scrapes the exporters of a keepalived lab,
 * loads the rules, and Alertmanager (`prometheus-alertmanager`) delivers the split-brain page, and its
 * resolution, to a webhook receiver. Every dashboard expression is run against that Prometheus.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ADDRESS, Lab, PORT, ROOT, sleep, waitFor } from '../../lab/lab.js';
import type { KeepalivedInstance } from '../../lab/lab.js';

const RULES = join(ROOT, 'alerts', 'vrrpwatch.rules.yml');
const DASHBOARDS = join(ROOT, 'dashboards');

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

/** Every PromQL expression of every shipped dashboard. */
function dashboardExpressions(): { dashboard: string; panel: string; expr: string }[] {
  const out: { dashboard: string; panel: string; expr: string }[] = [];
  for (const file of readdirSync(DASHBOARDS).filter((f) => f.endsWith('.json'))) {
    const d = JSON.parse(readFileSync(join(DASHBOARDS, file), 'utf8')) as { panels: { title: string; targets?: { expr: string }[] }[] };
    for (const p of d.panels) for (const t of p.targets ?? []) out.push({ dashboard: file, panel: p.title, expr: t.expr });
  }
  return out;
}

/** A dashboard expression with Grafana's variables replaced as "All" would. */
function concrete(expr: string): string {
  return expr.replace(/\$job|\$instance|\$vrid/g, '.+').replace(/\$__rate_interval/g, '30s').replace(/\$__range/g, '5m');
}

function promtool(args: string[]): { code: number | null; out: string } {
  const r = spawnSync('promtool', args, { encoding: 'utf8', cwd: ROOT });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe('alert rules and dashboards, statically', () => {
  it('promtool check rules accepts the rules', () => {
    const r = promtool(['check', 'rules', RULES]);
    assert.equal(r.code, 0, r.out);
  });

  it('promtool test rules passes: every alert just before and after its for:, and failovers never page', () => {
    const r = promtool(['test', 'rules', 'test/alerts/vrrpwatch.test.yml']);
    assert.equal(r.code, 0, r.out);
    const tests = readFileSync(join(ROOT, 'test', 'alerts', 'vrrpwatch.test.yml'), 'utf8');
    for (const rule of rules()) assert.ok(tests.includes(`alertname: ${rule.alert}\n        exp_alerts:\n          - exp_labels`), `no firing case for ${rule.alert}`);
  });

  it('follows the mixin conventions: Vrrp names, severity, summary, description, a runbook entry that exists', () => {
    const runbook = readFileSync(join(ROOT, 'docs', 'runbook.md'), 'utf8');
    const anchors = new Set([...runbook.matchAll(/^## (\S+)$/gm)].map((m) => (m[1] ?? '').toLowerCase()));
    const names = rules().map((r) => r.alert);
    for (const required of ['VrrpSplitBrain', 'VrrpBackupHoldsVip', 'VrrpNoMaster', 'VrrpAuthMismatch', 'VrrpConfigMismatch', 'VrrpMasterFlapping', 'VrrpAdvertsBlocked', 'VrrpGatewayUnreachable', 'VrrpwatchCaptureDown', 'VrrpwatchDroppingPackets', 'VrrpwatchDown', 'VrrpVipOnSeveralNodes', 'VrrpObserversDisagree']) {
      assert.ok(names.includes(required), `missing ${required}`);
    }
    for (const r of rules()) {
      assert.match(r.alert, /^Vrrp(watch)?[A-Z][A-Za-z]+$/);
      assert.ok(r.labels?.severity === 'critical' || r.labels?.severity === 'warning', `${r.alert} severity`);
      assert.ok((r.annotations?.summary ?? '').includes('{{'), `${r.alert} summary is templated`);
      assert.ok((r.annotations?.description ?? '').length > 40, `${r.alert} description`);
      assert.ok(r.for !== undefined, `${r.alert} has for:`);
      const anchor = /docs\/runbook\.md#(\S+)$/.exec(r.annotations?.runbook_url ?? '')?.[1];
      assert.ok(anchor !== undefined && anchors.has(anchor), `${r.alert} runbook_url points at a runbook section`);
    }
    for (const r of rules().filter((x) => x.labels?.severity === 'critical')) {
      // Pages within a minute of a real split-brain, given a 15 s scrape and evaluation.
      assert.ok(/^\d+s$/.test(r.for ?? '') && Number.parseInt(r.for ?? '', 10) <= 30, `${r.alert} for: ${r.for ?? ''}`);
    }
  });

  it('dashboards are importable: a datasource input and variable, job, instance and VRID variables', () => {
    for (const file of readdirSync(DASHBOARDS).filter((f) => f.endsWith('.json'))) {
      const d = JSON.parse(readFileSync(join(DASHBOARDS, file), 'utf8')) as { uid: string; __inputs: { type: string }[]; templating: { list: { name: string; type: string }[] }; panels: unknown[] };
      assert.ok(d.uid.length > 0);
      assert.equal(d.__inputs[0]?.type, 'datasource', file);
      assert.deepEqual(d.templating.list.map((v) => v.name), ['datasource', 'job', 'instance', 'vrid'], file);
      assert.ok(d.panels.length > 3, file);
    }
    assert.ok(dashboardExpressions().length >= 20);
  });
});

describe('the real path: Prometheus scrapes the lab, Alertmanager pages on split-brain', { timeout: 600_000 }, () => {
  let lab: Lab;
  const prom = `http://127.0.0.1:9090`;

  before(() => {
    lab = new Lab(['gw', 'a', 'b', 'w']);
    lab.create();
  });
  after(() => {
    lab.destroy();
  });

  function query(expr: string): { status: string; data?: { result: unknown[] }; error?: string } {
    const r = lab.fetch('w', `${prom}/api/v1/query`, ['--data-urlencode', `query=${expr}`]);
    assert.ok(r !== undefined, 'Prometheus answers');
    return JSON.parse(r.body) as { status: string; data?: { result: unknown[] }; error?: string };
  }

  function notifications(): { status: string; alerts: { status: string; labels: Record<string, string> }[] }[] {
    return lab
      .log('receiver')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { status: string; alerts: { status: string; labels: Record<string, string> }[] });
  }

  it('pages on a firewall split-brain and sends the resolution when it heals; every dashboard expression returns data', async () => {
    const inst = (p: number): KeepalivedInstance => ({ name: 'VI_1', vrid: 51, priority: p, authPass: 'pr0m' });
    const confA = lab.keepalived('a', [inst(150)], { notifyFifo: true });
    const confB = lab.keepalived('b', [inst(100)], { notifyFifo: true });
    lab.serve('w', ['--peer', ADDRESS.a.v4, '--peer', ADDRESS.b.v4, '--gateway', ADDRESS.gw.v4]);
    lab.serve('a', ['--keepalived-config', confA, '--gateway', ADDRESS.gw.v4]);
    lab.serve('b', ['--keepalived-config', confB, '--gateway', ADDRESS.gw.v4]);

    // The receiver: a webhook in the witness namespace that prints each notification as one JSON line.
    const receiver = "require('node:http').createServer((q,s)=>{let b='';q.on('data',c=>b+=c);q.on('end',()=>{console.log(JSON.stringify(JSON.parse(b)));s.end('ok')})}).listen(9095,'127.0.0.1')";
    lab.start('receiver', 'w', [process.execPath, '-e', receiver]);
    const amConfig = join(lab.dir, 'alertmanager.yml');
    writeFileSync(
      amConfig,
      [
        'route:',
        '  receiver: tickets',
        '  group_by: [alertname, vrid]',
        '  group_wait: 1s',
        '  group_interval: 1s',
        '  repeat_interval: 1h',
        '  routes:',
        '    - receiver: pager',
        '      matchers: [severity="critical"]',
        'receivers:',
        '  - name: tickets',
        '  - name: pager',
        '    webhook_configs:',
        '      - url: http://127.0.0.1:9095/hook',
        '        send_resolved: true',
      ].join('\n') + '\n',
    );
    lab.start('alertmanager', 'w', ['prometheus-alertmanager', `--config.file=${amConfig}`, `--storage.path=${join(lab.dir, 'am')}`, '--web.listen-address=127.0.0.1:9093', '--cluster.listen-address=']);
    await waitFor('Alertmanager to be ready', () => lab.fetch('w', 'http://127.0.0.1:9093/-/ready')?.status === 200, 30_000, 500);

    const promConfig = join(lab.dir, 'prometheus.yml');
    writeFileSync(
      promConfig,
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'rule_files:',
        `  - ${RULES}`,
        'alerting:',
        '  alertmanagers:',
        '    - static_configs:',
        "        - targets: ['127.0.0.1:9093']",
        'scrape_configs:',
        '  - job_name: vrrpwatch',
        '    static_configs:',
        `      - targets: ['${ADDRESS.a.v4}:${PORT}', '${ADDRESS.b.v4}:${PORT}', '${ADDRESS.w.v4}:${PORT}']`,
      ].join('\n') + '\n',
    );
    lab.start('prometheus', 'w', ['prometheus', `--config.file=${promConfig}`, `--storage.tsdb.path=${join(lab.dir, 'prom')}`, '--web.listen-address=127.0.0.1:9090', '--rules.alert.resend-delay=1s']);
    await waitFor('Prometheus to scrape the witness and both nodes', () => {
      const r = lab.fetch('w', `${prom}/api/v1/query?query=sum(up%7Bjob%3D%22vrrpwatch%22%7D)`);
      return r?.status === 200 && r.body.includes('"3"');
    }, 60_000, 500);
    await waitFor('every observer to see a master', () => lab.fetch('w', `${prom}/api/v1/query?query=count(vrrpwatch_vrid_master_info)`)?.body.includes('"3"'), 30_000, 500);
    await sleep(35_000); // enough history for the dashboards' rate() and increase() windows

    const empty: string[] = [];
    for (const { dashboard, panel, expr } of dashboardExpressions()) {
      const r = query(concrete(expr));
      assert.equal(r.status, 'success', `${dashboard} "${panel}": ${expr}: ${r.error ?? ''}`);
      if ((r.data?.result.length ?? 0) === 0) empty.push(`${dashboard} "${panel}": ${expr}`);
    }
    assert.deepEqual(empty, [], 'dashboard expressions without data');
    assert.equal(notifications().length, 0, 'no page while the pair is healthy');

    const cut = Date.now();
    lab.cutVrrp('b', true);
    const paged = await waitFor('VrrpSplitBrain to reach the receiver', () => (notifications().some((n) => n.status === 'firing' && n.alerts.some((a) => a.labels.alertname === 'VrrpSplitBrain')) ? Date.now() : undefined), 120_000, 250);
    process.stdout.write(`# cut to page: ${((paged - cut) / 1000).toFixed(1)} s (VrrpSplitBrain, for: 15s, scrape and evaluation every 1 s)\n`);
    assert.ok(paged - cut < 60_000, 'paged within a minute');
    const alert = notifications()
      .flatMap((n) => n.alerts)
      .find((a) => a.labels.alertname === 'VrrpSplitBrain');
    assert.equal(alert?.labels.severity, 'critical');
    assert.equal(alert.labels.vrid, '51');

    lab.cutVrrp('b', false);
    await waitFor('the resolved notification', () => notifications().some((n) => n.alerts.some((a) => a.labels.alertname === 'VrrpSplitBrain' && a.status === 'resolved')), 120_000, 250);
  });
});
