import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KeepalivedConfError, parseKeepalivedConf } from '../../src/core/expect/keepalived-conf.js';
import { KeepalivedLines } from '../../src/core/expect/keepalived-lines.js';

/** The lines keepalived with config id `id` reads from `text` (keepalived.conf(5)'s examples). */
function lines(text: string, id = 'main', file = '/etc/keepalived/keepalived.conf'): string[] {
  const k = new KeepalivedLines(id);
  return text.split('\n').flatMap((l) => k.line(l, file));
}

describe("keepalived.conf's lines as keepalived 2.2.7 reads them", () => {
  it('keeps @ID lines of this config id and @^ID lines of any other', () => {
    const text = '@main router_id main_router\n@backup router_id backup_router\n@^main 1.2.3.4\n@^backup 1.2.3.5\n@^backup2 1.2.3.6';
    assert.deepEqual(lines(text, 'main'), ['router_id main_router', '1.2.3.5', '1.2.3.6']);
    assert.deepEqual(lines(text, 'backup'), ['router_id backup_router', '1.2.3.4', '1.2.3.6']);
    assert.deepEqual(lines(text, 'other'), ['1.2.3.4', '1.2.3.5', '1.2.3.6']);
  });

  it('replaces $NAME before whitespace and ${NAME} anywhere, at use and recursively; undefined ones stay', () => {
    const text = '$ADDRESS_BASE=10.2.${ADDRESS_BASE_SUB}\n$ADDRESS_BASE_SUB=0\n${ADDRESS_BASE}.100/32\n$ADDRESS_BASE_SUB=10\n${ADDRESS_BASE}.100/32\nscript "/bin/x $HOME" ${UNDEF}';
    assert.deepEqual(lines(text), ['10.2.0.100/32', '10.2.10.100/32', 'script "/bin/x $HOME" ${UNDEF}']);
    assert.deepEqual(lines('$P=1\npriority $P\npriority $Px'), ['priority 1', 'priority $Px']);
  });

  it('defines parameters conditionally, and a parameter may hold a condition', () => {
    const text = '@main $PRIORITY=240\n@backup $PRIORITY=200\npriority $PRIORITY\n$IF_MAIN=@main\n$IF_MAIN priority 241';
    assert.deepEqual(lines(text, 'main'), ['priority 240', 'priority 241']);
    assert.deepEqual(lines(text, 'backup'), ['priority 200']);
  });

  it('expands multiline definitions line by line, each with its own conditions and nested definitions', () => {
    const text = [
      '$INSTANCE= \\',
      'vrrp_instance VI_${NUM} { \\',
      '    virtual_router_id 5${NUM} \\',
      '    @high priority 130 \\',
      '    @low priority 120 \\',
      '}',
      '$NUM=0',
      '$INSTANCE',
      '$NUM=1',
      '$INSTANCE',
    ].join('\n');
    assert.deepEqual(lines(text, 'low'), ['vrrp_instance VI_0 {', 'virtual_router_id 50', 'priority 120', '}', 'vrrp_instance VI_1 {', 'virtual_router_id 51', 'priority 120', '}']);
  });

  it('repeats the rest of a line for ~SEQ, ~SEQx and ~LST, nested and combined', () => {
    assert.deepEqual(lines('~SEQ(SUBNET, 0, 3) ip_address 10.0.${SUBNET}.1'), ['ip_address 10.0.0.1', 'ip_address 10.0.1.1', 'ip_address 10.0.2.1', 'ip_address 10.0.3.1']);
    assert.deepEqual(lines('~SEQx(S, 0x90, 0x10, 0xc0) fe80::20:${S}:1'), ['fe80::20:90:1', 'fe80::20:a0:1', 'fe80::20:b0:1', 'fe80::20:c0:1']);
    assert.deepEqual(lines('~SEQ(A, 3) x${A}'), ['x1', 'x2', 'x3']);
    assert.deepEqual(lines('~SEQ(B, 3, 1) y${B}'), ['y3', 'y2', 'y1']);
    assert.deepEqual(lines('~LST({IP, IP1}, {10,1},{20,4}) ~SEQ(IP2,168,2,170) 192.${IP2}.${IP}.${IP1}'), ['192.168.10.1', '192.170.10.1', '192.168.20.4', '192.170.20.4']);
    assert.deepEqual(lines('~LST(IP, 1, 2) ~LST(IP1, 5,6) 192.169.${IP}.${IP1}'), ['192.169.1.5', '192.169.1.6', '192.169.2.5', '192.169.2.6']);
  });

  it('knows the pre-defined parameters but ${_RANDOM}, which it refuses', () => {
    assert.deepEqual(lines('script "${_PWD}/chk.sh ${_INSTANCE}"', 'node1', '/etc/keepalived/conf.d/a.conf'), ['script "/etc/keepalived/conf.d/chk.sh node1"']);
    assert.throws(() => lines('priority ${_RANDOM 100 200}'), /\$\{_RANDOM\} is a number keepalived draws itself/);
  });

  it('says what is wrong, with file and line: a self-using parameter, an unknown block, a definition left open', () => {
    const parse = (text: string): unknown => parseKeepalivedConf('/k.conf', text, () => [], 'main');
    assert.throws(() => parse('$A=$A x\nvrrp_instance $A {\n}\n'), (e: unknown) => e instanceof KeepalivedConfError && e.message === '/k.conf:2: parameters and blocks nest deeper than 32 (a definition that uses itself?)');
    assert.throws(() => parse('~FOR(I, 1, 2) x\n'), (e: unknown) => e instanceof KeepalivedConfError && e.message === '/k.conf:1: "~FOR(I," is no block keepalived 2.2.7 knows (~SEQ, ~SEQx or ~LST)');
    assert.throws(() => parse('$A= \\\nvrrp_instance X { \\'), (e: unknown) => e instanceof KeepalivedConfError && e.message === '/k.conf:2: the multiline definition of $A goes on past the end of the file (its last line ends with "\\")');
  });

  it('imports one shared file differently on each node: priorities, unicast peers and source by config id', () => {
    const shared = [
      '$VIP=192.0.2.100',
      '@node1 $PRIO=150',
      '@node2 $PRIO=100',
      'vrrp_instance VI_1 {',
      '  interface eth0',
      '  virtual_router_id 51',
      '  priority $PRIO',
      '  advert_int 1',
      '  @node1 unicast_src_ip 192.0.2.11',
      '  @node2 unicast_src_ip 192.0.2.12',
      '  unicast_peer {',
      '    @^node1 192.0.2.11',
      '    @^node2 192.0.2.12',
      '  }',
      '  virtual_ipaddress {',
      '    ${VIP}/24',
      '  }',
      '}',
    ].join('\n');
    const one = parseKeepalivedConf('/k.conf', shared, () => [], 'node1').instances[0];
    const two = parseKeepalivedConf('/k.conf', shared, () => [], 'node2').instances[0];
    assert.deepEqual([one?.priority, one?.unicastSrcIp, one?.unicastPeers, one?.vips], [150, '192.0.2.11', ['192.0.2.12'], ['192.0.2.100']]);
    assert.deepEqual([two?.priority, two?.unicastSrcIp, two?.unicastPeers, two?.vips], [100, '192.0.2.12', ['192.0.2.11'], ['192.0.2.100']]);
  });
});
