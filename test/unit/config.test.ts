import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { badProbeTarget, DEFAULT_CONFIG, parseConfigText, withOverrides } from '../../src/config.js';

function errors(yaml: string): string[] {
  const r = parseConfigText(yaml, 'v.yml');
  assert.equal(r.ok, false, 'expected the config to be rejected');
  return r.errors;
}

describe('the YAML config', () => {
  it('is optional: an empty file gives the defaults', () => {
    const r = parseConfigText('', 'v.yml');
    assert.ok(r.ok);
    assert.deepEqual(r.value, DEFAULT_CONFIG);
  });

  it('reads every key', () => {
    const r = parseConfigText(
      [
        'interfaces: [eth0, eth1.100]',
        'keepalived_config: /etc/keepalived/keepalived.conf',
        'keepalived_notify_fifo: /run/keepalived.fifo',
        'peers: [192.0.2.12, lb2.example.net]',
        'gateway: 192.0.2.1',
        'groups:',
        '  - vrid: 51',
        '    interface: eth0',
        '    vips: [192.0.2.100]',
        '    advert_interval: 1',
        '  - vrid: 61',
        '    vips: ["2001:db8:0::100"]',
        'probe: { interval_seconds: 2, timeout_seconds: 1, count: 1 }',
        'web: { listen_address: "[::1]:9900", telemetry_path: /m, config_file: /etc/vrrpwatch/web.yml }',
        'log: { level: debug, format: pretty }',
        'group_expiry_seconds: 120',
      ].join('\n'),
      'v.yml',
    );
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.value.interfaces, ['eth0', 'eth1.100']);
    assert.deepEqual(r.value.peers, ['192.0.2.12', 'lb2.example.net']);
    assert.deepEqual(r.value.groups.map((g) => [g.vrid, g.interface, g.family, g.vips, g.advertInterval]), [
      [51, 'eth0', 'ipv4', ['192.0.2.100'], 1],
      [61, undefined, 'ipv6', ['2001:db8::100'], undefined],
    ]);
    assert.deepEqual(r.value.web, { listenAddress: '[::1]:9900', telemetryPath: '/m', configFile: '/etc/vrrpwatch/web.yml' });
    assert.deepEqual(r.value.log, { level: 'debug', format: 'pretty' });
    assert.equal(r.value.groupExpirySeconds, 120);
  });

  it('rejects unknown keys and bad values, naming each key and the reason', () => {
    assert.deepEqual(errors('interface: eth0\npeers: [-oProxyCommand=x]\ngroups:\n  - vrid: 300\n    vips: [192.0.2.300]\n    colour: red\nprobe: { count: 0 }\nweb: { listen_address: 9842 }\nlog: { level: loud }\n'), [
      'v.yml: interface: unknown key (known: interfaces, keepalived_config, keepalived_notify_fifo, peers, gateway, groups, probe, web, log, group_expiry_seconds)',
      'v.yml: groups[0].colour: unknown key (known: vrid, interface, family, vips, advert_interval)',
      'v.yml: groups[0].vrid: must be between 1 and 255, not 300',
      'v.yml: groups[0].vips[0]: "192.0.2.300" is not an IP address',
      'v.yml: peers[0]: "-oProxyCommand=x" starts with "-" (it would be read as an option of ping)',
      'v.yml: probe.count: must be between 1 and 20, not 0',
      'v.yml: web.listen_address: must be a string, not 9842',
      'v.yml: log.level: must be one of fatal, error, warn, info, debug, trace, silent, not "loud"',
    ]);
  });

  it('names the line of a YAML syntax error', () => {
    const [e] = errors('peers: [192.0.2.1\ngateway: x\n');
    assert.match(e ?? '', /^v\.yml:\d+: /);
  });

  it('rejects a duplicate key and a VIP of the wrong family', () => {
    assert.match(errors('gateway: 192.0.2.1\ngateway: 192.0.2.2\n')[0] ?? '', /^v\.yml:2: .*[Dd]uplicate|unique/);
    assert.deepEqual(errors('groups:\n  - { vrid: 5, family: ipv4, vips: ["2001:db8::1"] }\n'), ['v.yml: groups[0].vips: "2001:db8::1" is not an ipv4 address']);
    assert.deepEqual(errors('groups:\n  - { vips: [192.0.2.1] }\n'), ['v.yml: groups[0].vrid: is required']);
  });

  it('lets flags override it, validated the same way', () => {
    const r = withOverrides(DEFAULT_CONFIG, { peers: ['192.0.2.12'], gateway: 'gw.example.net', listenAddress: '127.0.0.1:9000', logLevel: 'warn' });
    assert.ok(r.ok);
    assert.deepEqual(r.value.peers, ['192.0.2.12']);
    assert.equal(r.value.web.listenAddress, '127.0.0.1:9000');
    const bad = withOverrides(DEFAULT_CONFIG, { peers: ['-f'], listenAddress: 'nohost', logFormat: 'xml', interfaces: ['a b'] });
    assert.equal(bad.ok, false);
    assert.deepEqual(bad.errors, [
      '--log.format: must be json or pretty, not "xml"',
      '--interface: "a b" is not an interface name',
      '--peer: "-f" starts with "-" (it would be read as an option of ping)',
      '--web.listen-address: "nohost" is not HOST:PORT (for example ":9842" or "[::1]:9842")',
    ]);
  });

  it('accepts addresses and host names as ping targets, nothing else', () => {
    for (const ok of ['192.0.2.1', '2001:db8::1', 'lb1', 'lb1.example.net.']) assert.equal(badProbeTarget(ok), undefined, ok);
    for (const bad of ['-c1', 'a;b', 'x y', '', 'a..b']) assert.notEqual(badProbeTarget(bad), undefined, bad);
  });
});
