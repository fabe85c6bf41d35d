import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KeepalivedConfError, parseKeepalivedConf, parseNotifyLine } from '../../src/core/expect/keepalived-conf.js';
import type { IncludeResolver } from '../../src/core/expect/keepalived-conf.js';

const MAIN = `! Configuration File for keepalived
global_defs {
   router_id lb1
   notify_fifo /run/keepalived/notify.fifo
}
vrrp_script chk_nginx {
    script "/usr/bin/pgrep nginx"
    interval 2
    weight -60
}
include /etc/keepalived/conf.d/*.conf
`;
const VI1 = `vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 150
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass s3cr3tpw   # the password
    }
    unicast_src_ip 192.0.2.11
    unicast_peer {
        192.0.2.12
    }
    virtual_ipaddress {
        192.0.2.100/24 dev eth0 label eth0:1
        192.0.2.101
    }
    track_script {
        chk_nginx
    }
}
`;
const VI6 = `vrrp_instance VI_6
{
    interface eth1
    virtual_router_id 61
    nopreempt
    advert_int 0.5
    virtual_ipaddress { 2001:db8:0:0::100/64 }
}
`;

const files: Record<string, string> = { '/etc/keepalived/conf.d/a.conf': VI1, '/etc/keepalived/conf.d/b.conf': VI6 };
const resolver: IncludeResolver = (pattern) => {
  if (pattern === '/etc/keepalived/conf.d/*.conf') return Object.entries(files).map(([path, text]) => ({ path, text }));
  const text = files[pattern];
  return text === undefined ? 'no such file' : [{ path: pattern, text }];
};

describe('keepalived.conf import', () => {
  it('reads instances, VIPs, peers and notify_fifo, following includes', () => {
    const conf = parseKeepalivedConf('/etc/keepalived/keepalived.conf', MAIN, resolver);
    assert.equal(conf.notifyFifo, '/run/keepalived/notify.fifo');
    assert.deepEqual(conf.instances, [
      {
        name: 'VI_1', at: '/etc/keepalived/conf.d/a.conf:1', interface: 'eth0', vrid: 51, family: 'ipv4', version: 2, state: 'MASTER', priority: 150,
        advertInterval: 1, vips: ['192.0.2.100', '192.0.2.101'], authType: 'PASS', unicastPeers: ['192.0.2.12'], unicastSrcIp: '192.0.2.11', nopreempt: false,
        tracking: { priority: 150, trackers: [{ kind: 'script', name: 'chk_nginx', weight: -60, reverse: false }] },
      },
      {
        name: 'VI_6', at: '/etc/keepalived/conf.d/b.conf:1', interface: 'eth1', vrid: 61, family: 'ipv6', version: 3, state: undefined, priority: 100,
        advertInterval: 0.5, vips: ['2001:db8::100'], authType: undefined, unicastPeers: [], unicastSrcIp: undefined, nopreempt: true,
        tracking: { priority: 100, trackers: [] },
      },
    ]);
  });

  it('never keeps the password', () => {
    const conf = parseKeepalivedConf('/k.conf', VI1, resolver);
    assert.ok(!JSON.stringify(conf).includes('s3cr3t'));
  });

  it('uses global vrrp_version for IPv4 instances', () => {
    const conf = parseKeepalivedConf('/k.conf', `global_defs {\n vrrp_version 3\n}\n${VI1}`, resolver);
    assert.equal(conf.instances[0]?.version, 3);
  });

  const cases: [string, string, string][] = [
    ['an unclosed block', 'vrrp_instance VI_1 {\n  virtual_router_id 5\n', '/k.conf:1: the block of "vrrp_instance" is never closed'],
    ['a stray brace', 'global_defs {\n}\n}\n', '/k.conf:3: "}" without a block to close'],
    ['a VRID out of range', 'vrrp_instance X {\n virtual_router_id 300\n}\n', '/k.conf:2: virtual_router_id must be a whole number from 1 to 255, not "300"'],
    ['no VRID', 'vrrp_instance X {\n priority 5\n}\n', '/k.conf:1: vrrp_instance X has no virtual_router_id'],
    ['a bad VIP', 'vrrp_instance X {\n virtual_router_id 5\n virtual_ipaddress {\n  192.0.2.999/24\n }\n}\n', '/k.conf:4: virtual address "192.0.2.999/24" is not an IP address'],
    ['a bad state', 'vrrp_instance X {\n state LEADER\n virtual_router_id 5\n}\n', '/k.conf:2: state must be MASTER or BACKUP, not "LEADER"'],
    ['a missing include', 'include /etc/missing.conf\n', '/k.conf:1: include /etc/missing.conf: no such file'],
    ['a VIP with leading zeros', 'vrrp_instance X {\n virtual_router_id 5\n virtual_ipaddress {\n  01.2.3.4/24\n }\n}\n', '/k.conf:4: virtual address "01.2.3.4/24" is not an IP address'],
    ['a VIP with a zone', 'vrrp_instance X {\n virtual_router_id 5\n virtual_ipaddress {\n  fe80::1%eth0\n }\n}\n', '/k.conf:4: virtual address "fe80::1%eth0" is not an IP address'],
    ['an interface name that is not one', 'vrrp_instance X {\n virtual_router_id 5\n interface eth0/1\n}\n', '/k.conf:3: interface "eth0/1" is not an interface name (at most 15 bytes of text, without "/", ":", spaces or control characters)'],
    ['a duplicate VRID', `${VI1}${VI1.replace('VI_1', 'VI_2')}`, '/k.conf:23: virtual_router_id 51 on eth0 is already used by the instance at /k.conf:1'],
  ];
  for (const [what, text, message] of cases) {
    it(`names file and line for ${what}`, () => {
      assert.throws(() => parseKeepalivedConf('/k.conf', text, resolver), (err: unknown) => err instanceof KeepalivedConfError && err.message === message);
    });
  }

  it('stops an include loop', () => {
    const loop: IncludeResolver = () => [{ path: '/loop.conf', text: 'include /loop.conf\n' }];
    assert.throws(() => parseKeepalivedConf('/k.conf', 'include /loop.conf\n', loop), /nested deeper than 8/);
  });
});

describe('which notify_fifo to read', () => {
  const fifoOf = (globals: string): ReturnType<typeof parseKeepalivedConf> => parseKeepalivedConf('k.conf', `global_defs {\n${globals}\n}\n`, () => []);

  it('takes vrrp_notify_fifo before notify_fifo, and never one a script reads', () => {
    assert.equal(fifoOf('notify_fifo /run/a').notifyFifo, '/run/a');
    assert.equal(fifoOf('notify_fifo /run/a\nvrrp_notify_fifo /run/v').notifyFifo, '/run/v');
    assert.equal(fifoOf('notify_fifo /run/a\nnotify_fifo_script /bin/s\nvrrp_notify_fifo /run/v').notifyFifo, '/run/v');
    const both = fifoOf('notify_fifo /run/a\nnotify_fifo_script /bin/s\nvrrp_notify_fifo /run/v\nvrrp_notify_fifo_script /bin/t');
    assert.equal(both.notifyFifo, undefined);
    assert.equal(
      both.notifyFifoSkipped,
      'vrrp_notify_fifo /run/v is read by vrrp_notify_fifo_script; notify_fifo /run/a is read by notify_fifo_script: not read, as a second reader would take lines from the script',
    );
    assert.equal(fifoOf('notify_fifo /run/a\nnotify_fifo_script /bin/s').notifyFifo, undefined);
    assert.equal(fifoOf('').notifyFifoSkipped, undefined);
  });
});

describe('notify_fifo lines', () => {
  it('reads INSTANCE lines and ignores the rest', () => {
    assert.deepEqual(parseNotifyLine('INSTANCE "VI_1" MASTER 150'), { instance: 'VI_1', state: 'MASTER', priority: 150 });
    assert.deepEqual(parseNotifyLine('INSTANCE "VI 2" FAULT'), { instance: 'VI 2', state: 'FAULT', priority: undefined });
    assert.equal(parseNotifyLine('GROUP "G1" MASTER'), undefined);
    assert.equal(parseNotifyLine('INSTANCE "VI_1" SLEEPING 1'), undefined);
  });
});
