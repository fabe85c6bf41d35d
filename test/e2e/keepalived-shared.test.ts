/**
 * One keepalived.conf shared by both nodes of a pair (`@ID` lines, parameters, multiline definitions,
 * ~SEQ and ~LST blocks), read by real keepalived 2.2.7 on each node with its `-i` and by vrrpwatch with
 * the same config id: what keepalived says it read (its `--dump-conf` dump) and vrrpwatch's import must
 * agree on VRIDs, priorities, VIPs, intervals, auth type, unicast peers and track scripts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readKeepalivedConf } from '../../src/adapters/keepalived.js';
import { useLab } from '../helpers/lab.js';
import type { HostName } from '../../lab/lab.js';

/** A corpus of shared files, each written as people write them for a pair of nodes `a` and `b`. */
const CORPUS: Record<string, string> = {
  multiline: `global_defs {
  @a router_id node_a
  @b router_id node_b
  enable_script_security
  script_user root
}
$NET=198.51.100
@a $PRIO=150
@b $PRIO=100
vrrp_script chk_up {
  script "/bin/true"
  interval 1
  weight -20
}
$INSTANCE= \\
vrrp_instance VI_\${N} { \\
  interface eth0 \\
  virtual_router_id 5\${N} \\
  priority $PRIO \\
  advert_int \${INT} \\
  @a unicast_src_ip 192.0.2.11 \\
  @b unicast_src_ip 192.0.2.12 \\
  unicast_peer { \\
    @^a 192.0.2.11 \\
    @^b 192.0.2.12 \\
  } \\
  authentication { \\
    auth_type PASS \\
    auth_pass s3cr\${N} \\
  } \\
  virtual_ipaddress { \\
    ~SEQ(V, 1, 2) \${NET}.\${N}\${V}/24 \\
  } \\
  track_script { \\
    chk_up \\
  } \\
}
$N=1
$INT=1
$INSTANCE
$N=2
$INT=2
$INSTANCE
`,
  lists: `global_defs {
  router_id \${_INSTANCE}
  enable_script_security
  script_user root
}
$IF_A=@a
$IF_B=@b
vrrp_script chk_\${_INSTANCE} {
  script "/bin/true"
  interval 2
}
vrrp_instance VI_6 {
  interface eth0
  virtual_router_id 61
  $IF_A priority 200
  $IF_B priority 199
  advert_int 1
  virtual_ipaddress {
    ~LST({X, Y}, {1, 10}, {2, 20}) 198.51.100.\${Y}\${X}/32
  }
  track_script {
    chk_\${_INSTANCE} weight 5
  }
}
@^b vrrp_instance VI_7 {
@^b   interface eth0
@^b   virtual_router_id 71
@^b   priority 90
@^b   advert_int 3
@^b   virtual_ipaddress {
@^b     198.51.100.71/24
@^b   }
@^b }
`,
};

interface Dumped {
  vrid: number;
  priority: number;
  interval: number;
  auth: string | undefined;
  vips: string[];
  peers: string[];
  scripts: string[];
}

/** keepalived's `--dump-conf` VRRP topology: what it read of each instance, by name. */
function parseDump(log: string): Map<string, Dumped> {
  const out = new Map<string, Dumped>();
  let cur: Dumped | undefined;
  let list: 'vips' | 'peers' | 'scripts' | undefined;
  for (const raw of log.split('\n')) {
    const line = raw.replace(/^\w{3} \w{3} +\d+ [\d:]+ \d{4}: /, '');
    const inst = /^ VRRP Instance = (\S+)/.exec(line);
    if (inst !== null) {
      cur = { vrid: 0, priority: 0, interval: 0, auth: undefined, vips: [], peers: [], scripts: [] };
      out.set(inst[1] ?? '', cur);
      list = undefined;
      continue;
    }
    if (cur === undefined) continue;
    const field = /^ {3}(\S[^=:]*?)\s*(?:=|:)\s*(.*)$/.exec(line);
    if (field !== null) {
      const [, key = '', value = ''] = field;
      list = key.startsWith('Virtual IP') ? 'vips' : key === 'Unicast Peer' ? 'peers' : key === 'Tracked scripts' ? 'scripts' : undefined;
      if (key === 'Virtual Router ID') cur.vrid = Number(value);
      if (key === 'Priority') cur.priority = Number(value);
      if (key === 'Advert interval') cur.interval = Number(value.split(' ')[0]) / (value.includes('milli') ? 1000 : 1);
      if (key === 'Authentication type') cur.auth = value === 'SIMPLE_PASSWORD' ? 'PASS' : value === 'IPSEC_AH' ? 'AH' : undefined;
      continue;
    }
    const item = /^ {5}(\S+)(?:\s+(.*))?$/.exec(line);
    if (item !== null && list !== undefined) {
      const [, first = '', rest = ''] = item;
      if (list === 'vips') cur.vips.push(first.replace(/\/\d+$/, ''));
      if (list === 'peers') cur.peers.push(first);
      if (list === 'scripts') cur.scripts.push(`${first} ${/weight (-?\d+)/.exec(rest)?.[1] ?? '0'}`);
    }
  }
  return out;
}

describe('one keepalived.conf shared by both nodes, read as keepalived reads it', () => {
  const lab = useLab(['a', 'b']);

  for (const [name, conf] of Object.entries(CORPUS)) {
    it(`agrees with keepalived's own dump on each node: ${name}`, async () => {
      const file = join(lab.dir, `shared-${name}.conf`);
      writeFileSync(file, conf);
      for (const host of ['a', 'b'] as HostName[]) {
        const d = lab.dir;
        // Pid files of this file and host only: a VRRP child of an earlier dump must not look like a daemon
        // that is already running.
        const pid = join(d, `d-${name}-${host}`);
        lab.start(`dump-${host}`, host, ['keepalived', '-f', file, '-p', `${pid}.pid`, '-r', `${pid}.vpid`, '-c', `${pid}.cpid`, '-i', host, '--dont-fork', '--log-console', '--dump-conf']);
        // The dump is written after "Startup complete": read once the VRRP topology has stopped growing.
        let log = '';
        for (let waited = 0; waited < 10_000; waited += 300) {
          await new Promise((r) => setTimeout(r, 300));
          const now = lab.log(`dump-${host}`);
          if (now === log && now.includes('< VRRP Topology >')) break;
          log = now;
        }
        const dumped = parseDump(log);
        lab.stop(`dump-${host}`);
        lab.killKeepalived(host);
        const imported = readKeepalivedConf(file, host).instances;
        assert.ok(dumped.size > 0, `keepalived -i ${host} dumped no instance:\n${lab.log(`dump-${host}`)}`);
        assert.deepEqual(
          imported.map((i) => i.name).sort(),
          [...dumped.keys()].sort(),
          `instances on ${host}`,
        );
        for (const i of imported) {
          const k = dumped.get(i.name);
          assert.ok(k !== undefined);
          const ours: Dumped = {
            vrid: i.vrid,
            priority: i.priority,
            interval: i.advertInterval,
            auth: i.authType,
            vips: i.vips,
            peers: i.unicastPeers,
            scripts: i.tracking.trackers.filter((t) => t.kind === 'script').map((t) => `${t.name} ${t.weight}`),
          };
          assert.deepEqual(ours, k, `${i.name} on ${host}`);
        }
      }
    });
  }
});
