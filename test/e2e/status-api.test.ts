/**
 * `GET /api/v1/status` against real keepalived in a namespace lab (nodes a and b, a witness w on one
 * bridge, documentation addresses only): during a real split-brain (b's VRRP dropped by iptables) the
 * live answer of the witness (behind basic auth) and of node a validate against
 * docs/api-status.schema.json and name both masters, the split, and both MACs answering for the VIP;
 * so does `once --format json` on the witness.
 * Needs root.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { ADDRESS, CLI, PORT, ROOT, VIP, waitFor } from '../../lab/lab.js';
import type { HostName, Lab } from '../../lab/lab.js';
import type { StatusDocument } from '../../src/outputs/status-api.js';
import { validate } from '../helpers/json-schema.js';
import { useLab } from '../helpers/lab.js';

const A = ADDRESS.a.v4;
const B = ADDRESS.b.v4;
const SCHEMA = JSON.parse(readFileSync(join(ROOT, 'docs', 'api-status.schema.json'), 'utf8')) as Record<string, unknown>;
const AUTH = 'status:Api-Pa55';

let lab: Lab;

/** The host's status document, checked against the schema; undefined while it does not answer 200. */
function status(host: HostName, auth?: string): StatusDocument | undefined {
  const r = lab.fetch(host, `http://127.0.0.1:${PORT}/api/v1/status`, auth === undefined ? [] : ['-u', auth]);
  if (r?.status !== 200) return undefined;
  const doc = JSON.parse(r.body) as unknown;
  assert.deepEqual(validate(SCHEMA, doc), [], `${host}'s answer breaks the schema: ${r.body}`);
  return doc as StatusDocument;
}

describe('the status API in a lab (real keepalived)', () => {
  lab = useLab(['a', 'b', 'w']);

  it('during a split-brain from a firewall: every answer validates and names both masters, the split and the duplicate VIP', async () => {
    const confA = lab.keepalived('a', [{ name: 'VI_1', vrid: 51, priority: 150 }]);
    lab.keepalived('b', [{ name: 'VI_1', vrid: 51, priority: 100 }]);
    const web = join(lab.dir, 'web.yml');
    writeFileSync(web, `basic_auth_users:\n  status: "${bcrypt.hashSync('Api-Pa55', 4)}"\n`);
    lab.serve('w', ['--web.config.file', web]);
    lab.serve('a', ['--keepalived-config', confA]);
    const steady = await waitFor('the witness to see a as the only master', () => {
      const doc = status('w', AUTH);
      const g = doc?.groups.find((x) => x.vrid === 51);
      return g !== undefined && g.masters.length === 1 && g.masters[0] === A ? doc : undefined;
    }, 30_000);
    assert.equal(steady.role, 'witness');
    assert.equal(lab.fetch('w', `http://127.0.0.1:${PORT}/api/v1/status`)?.status, 401, 'the same basic auth as /metrics');

    lab.cutVrrp('b', true);
    const split = await waitFor('the witness to judge the split and the duplicate VIP', () => {
      const doc = status('w', AUTH);
      const vip = doc?.vips.find((v) => v.address === VIP.v4);
      return doc?.groups.find((x) => x.vrid === 51)?.split_brain === true && vip?.duplicate === true ? doc : undefined;
    }, 30_000);
    const group = split.groups.find((x) => x.vrid === 51);
    assert.ok(group !== undefined);
    assert.deepEqual([...group.masters].sort(), [A, B]);
    assert.deepEqual(group.routers.filter((r) => r.master).map((r) => r.address).sort(), [A, B]);
    const finding = split.findings.find((f) => f.kind === 'split_brain');
    assert.ok(finding !== undefined, JSON.stringify(split.findings));
    assert.deepEqual(finding.group, { interface: 'eth0', family: 'ipv4', vrid: 51 });
    assert.deepEqual([...(finding.routers ?? [])].sort(), [A, B]);
    assert.equal(finding.severity, 'critical');
    assert.ok(finding.since <= split.time && finding.since > split.time - 30, `since ${finding.since}, time ${split.time}`);
    assert.equal(split.state, 'critical');
    const vip = split.vips.find((v) => v.address === VIP.v4);
    assert.deepEqual(vip?.owners.map((o) => o.mac).sort(), [lab.macOf('a'), lab.macOf('b')].sort());
    assert.ok(group.findings.some((f) => f.kind === 'vip_duplicate'));

    // `once --format json` on the witness: the same document, with the verdict.
    const r = spawnSync('ip', ['netns', 'exec', lab.ns('w'), process.execPath, CLI, 'once', '--format', 'json', '--window', '4'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 2, r.stdout + r.stderr);
    const checked = JSON.parse(r.stdout) as StatusDocument & { check: { status: string; summary: string } };
    assert.deepEqual(validate(SCHEMA, checked), [], r.stdout);
    assert.equal(checked.check.status, 'CRITICAL');
    assert.match(checked.check.summary, /^VRRP CRITICAL - split-brain on VRID 51 on eth0: /);
    assert.deepEqual([...(checked.groups.find((x) => x.vrid === 51)?.masters ?? [])].sort(), [A, B]);
    assert.ok(checked.findings.some((f) => f.kind === 'split_brain'), r.stdout);

    // Node a, reading its keepalived.conf: a node, master of the group, and the split as the witness says it.
    const node = await waitFor("a's answer to show the split", () => {
      const doc = status('a');
      return doc?.groups.find((x) => x.vrid === 51)?.split_brain === true ? doc : undefined;
    }, 30_000);
    assert.equal(node.role, 'node');
    const own = node.groups.find((x) => x.vrid === 51);
    assert.ok(own !== undefined);
    assert.equal(own.node_role, 'master');
    assert.match(own.expected_from ?? '', /:\d+$/, 'the keepalived.conf line of the instance');
    assert.deepEqual([...own.masters].sort(), [A, B]);

    lab.cutVrrp('b', false);
    await waitFor('the witness to clear the split', () => status('w', AUTH)?.findings.every((f) => f.kind !== 'split_brain'), 30_000);
  });
});
