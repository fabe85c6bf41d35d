import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, parseConfigText, parseProbeTarget, withOverrides } from '../../src/config.js';

function errors(yaml: string): string[] {
  const r = parseConfigText(yaml, 'v.yml');
  assert.equal(r.ok, false, 'expected the config to be rejected');
  return r.errors;
}

describe('the YAML config', () => {
  it('is optional: an empty file gives the defaults the declaration states', () => {
    const r = parseConfigText('', 'v.yml');
    assert.ok(r.ok);
    assert.deepEqual(r.value, DEFAULT_CONFIG);
    assert.deepEqual(r.value, {
      interfaces: [],
      keepalivedConfig: undefined,
      keepalivedConfigId: undefined,
      keepalivedNotifyFifo: undefined,
      peers: [],
      gateway: undefined,
      groups: [],
      probe: { intervalSeconds: 5, timeoutSeconds: 1, count: 3 },
      vipProbe: { enabled: true, intervalSeconds: 2, framesPerSecond: 10, learnedVips: 16 },
      web: { listenAddress: ':9842', telemetryPath: '/metrics', configFile: undefined },
      log: { level: 'info', format: 'json' },
      groupExpirySeconds: 600,
    });
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
        'vip_probe: { enabled: false, interval_seconds: 5, frames_per_second: 4, learned_vips: 2 }',
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
    assert.deepEqual(r.value.vipProbe, { enabled: false, intervalSeconds: 5, framesPerSecond: 4, learnedVips: 2 });
  });

  it('turns the VIP probe off with --no-vip-probe, and checks its key', () => {
    const off = withOverrides(DEFAULT_CONFIG, { vipProbe: false });
    assert.ok(off.ok);
    assert.deepEqual(off.value.vipProbe, { enabled: false, intervalSeconds: 2, framesPerSecond: 10, learnedVips: 16 });
    const rate = withOverrides(DEFAULT_CONFIG, { vipProbeFramesPerSecond: '2.5' });
    assert.ok(rate.ok);
    assert.equal(rate.value.vipProbe.framesPerSecond, 2.5);
    assert.deepEqual(withOverrides(DEFAULT_CONFIG, { vipProbeFramesPerSecond: 'lots' }), { ok: false, errors: ['--vip-probe.frames-per-second: must be a number, not "lots"'] });
    assert.deepEqual(withOverrides(DEFAULT_CONFIG, { vipProbeFramesPerSecond: '0' }), { ok: false, errors: ['--vip-probe.frames-per-second: must be between 1 and 1000, not 0'] });
    assert.deepEqual(errors('vip_probe: { enabled: "no", interval_seconds: 0.5 }\n'), ['v.yml: vip_probe.enabled: must be true or false, not "no"', 'v.yml: vip_probe.interval_seconds: must be between 1 and 60, not 0.5']);
  });

  it('rejects unknown keys and bad values, naming each key and the reason', () => {
    assert.deepEqual(errors('interface: eth0\npeers: [-oProxyCommand=x]\ngroups:\n  - vrid: 300\n    vips: [192.0.2.300]\n    colour: red\nprobe: { count: 0 }\nweb: { listen_address: 9842 }\nlog: { level: loud }\n'), [
      'v.yml: interface: unknown key (known: interfaces, keepalived_config, keepalived_config_id, keepalived_notify_fifo, peers, gateway, groups, probe, vip_probe, web, log, group_expiry_seconds)',
      'v.yml: peers[0]: "-oProxyCommand=x" starts with "-" (it would be read as an option of ping)',
      'v.yml: groups[0].colour: unknown key (known: vrid, interface, family, vips, advert_interval, hmac_window_seconds, hmac_key_file)',
      'v.yml: groups[0].vrid: must be between 1 and 255, not 300',
      'v.yml: groups[0].vips[0]: "192.0.2.300" is not an IP address',
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
      '--log.format: must be one of json, pretty, not "xml"',
      '--interface: "a b" is not an interface name (at most 15 bytes of text, without "/", ":", spaces or control characters)',
      '--peer: "-f" starts with "-" (it would be read as an option of ping)',
      '--web.listen-address: "nohost" is not HOST:PORT (for example ":9842" or "[::1]:9842")',
    ]);
  });

  it('accepts addresses and host names as ping targets, nothing else', () => {
    for (const ok of ['192.0.2.1', '2001:db8::1', 'lb1', 'lb1.example.net.', 'lb-2.example', 'fe80::1%eth0']) assert.deepEqual(parseProbeTarget(ok), { value: ok }, ok);
    for (const bad of ['-c1', 'a;b', 'x y', '', 'a..b']) assert.ok('problem' in parseProbeTarget(bad), bad);
  });

  it('refuses numbers that look like addresses but are not, instead of pinging what inet_aton makes of them', () => {
    assert.deepEqual(parseProbeTarget('999.0.0.1'), { problem: '"999.0.0.1" is not an IP address (and a name ending in a number is not a host name)' });
    assert.deepEqual(parseProbeTarget('1.2.3.4.5'), { problem: '"1.2.3.4.5" is not an IP address (and a name ending in a number is not a host name)' });
    assert.deepEqual(parseProbeTarget('2130706433'), { problem: '"2130706433" is not an IP address (and a name ending in a number is not a host name)' });
    assert.deepEqual(parseProbeTarget('01.2.3.4'), { problem: '"01.2.3.4" is not an IP address (and a name ending in a number is not a host name)' });
    assert.deepEqual(parseProbeTarget('lb.0x7f'), { problem: '"lb.0x7f" is not an IP address (and a name ending in a number is not a host name)' });
    const r = withOverrides(DEFAULT_CONFIG, { peers: ['999.0.0.1'], gateway: '1.2.3.4.5' });
    assert.deepEqual(r.ok ? [] : r.errors, [
      '--peer: "999.0.0.1" is not an IP address (and a name ending in a number is not a host name)',
      '--gateway: "1.2.3.4.5" is not an IP address (and a name ending in a number is not a host name)',
    ]);
  });

  it('writes addresses canonically once, so they match the adverts; a zone only on a link-local peer', () => {
    const r = parseConfigText('peers: ["FE80:0::1%eth0", "2001:DB8:0:0::12"]\ngateway: "2001:db8::0:1"\ngroups:\n  - { vrid: 5, vips: ["2001:DB8::0100"] }\n', 'v.yml');
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.value.peers, ['fe80::1%eth0', '2001:db8::12']);
    assert.equal(r.value.gateway, '2001:db8::1');
    assert.deepEqual(r.value.groups[0]?.vips, ['2001:db8::100']);
    assert.deepEqual(errors('peers: ["2001:db8::1%eth0"]\ngroups:\n  - { vrid: 5, vips: ["fe80::1%eth0", 01.2.3.4] }\n'), [
      'v.yml: peers[0]: "2001:db8::1%eth0" has a zone, which only a link-local (fe80::/10) address may have',
      'v.yml: groups[0].vips[0]: "fe80::1%eth0" has a zone ("%eth0"): only a link-local peer to ping may have one, never a virtual address',
      'v.yml: groups[0].vips[1]: "01.2.3.4" is not an IP address',
    ]);
  });

  it('reads the listen address host with the same parser: an address, [IPv6], a host name or nothing', () => {
    for (const ok of [':9842', '127.0.0.1:9842', '[::1]:9842', '[fe80::1%eth0]:9842', 'localhost:9842']) assert.ok(withOverrides(DEFAULT_CONFIG, { listenAddress: ok }).ok, ok);
    const r = withOverrides(DEFAULT_CONFIG, { listenAddress: '999.0.0.1:9842' });
    assert.deepEqual(r.ok ? [] : r.errors, ['--web.listen-address: "999.0.0.1:9842" is not HOST:PORT (for example ":9842" or "[::1]:9842")']);
    assert.equal(withOverrides(DEFAULT_CONFIG, { listenAddress: '[192.0.2.1]:9842' }).ok, false);
  });

  it('refuses interface names that are not text the kernel takes', () => {
    const r = withOverrides(DEFAULT_CONFIG, { interfaces: ['eth0\u001b[2J', 'a'.repeat(16), 'br/0', 'eth\ufffd', 'eth0:1'] });
    const why = '(at most 15 bytes of text, without "/", ":", spaces or control characters)';
    assert.deepEqual(r.ok ? [] : r.errors, [
      `--interface: "eth0\\u001b[2J" is not an interface name ${why}`,
      `--interface: "${'a'.repeat(16)}" is not an interface name ${why}`,
      `--interface: "br/0" is not an interface name ${why}`,
      `--interface: "eth\ufffd" is not an interface name ${why}`,
      `--interface: "eth0:1" is not an interface name ${why}`,
    ]);
    assert.ok(withOverrides(DEFAULT_CONFIG, { interfaces: ['eth0', 'bond0.100', 'any', 'wlp3s0'] }).ok);
    assert.deepEqual(errors('interfaces: ["\\xe9\\xe9\\xe9\\xe9\\xe9\\xe9\\xe9\\xe9"]\n'), [`v.yml: interfaces[0]: "${'\u00e9'.repeat(8)}" is not an interface name ${why}`]);
  });

  it('says which flag holds a bad file name, and which key a bad type', () => {
    assert.deepEqual(errors('keepalived_config: 5\nweb: { config_file: "" }\nprobe: []\ngroups: [5]\n'), [
      'v.yml: keepalived_config: must be a string, not 5',
      'v.yml: groups[0]: must be a mapping',
      'v.yml: probe: must be a mapping',
      'v.yml: web.config_file: "" is not a file name',
    ]);
    assert.deepEqual(errors('- a\n'), ['v.yml: the config must be a mapping of keys (interfaces, peers, groups, ...)']);
  });

  it('makes one line of a YAML error naming the file: an alias bomb, binary garbage, a long value', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`)].join('\n');
    const [b, ...more] = errors(bomb);
    assert.deepEqual(more, []);
    assert.match(b ?? '', /^v\.yml: cannot be read as YAML: [^\n]*alias/i);
    for (const garbage of ['\u0001\u0002: [\u0003\u0004 {{{ \u0005', `key: "${'x'.repeat(5000)}\n`, '\u00ff\u00fe: : : - ]']) {
      const found = errors(garbage);
      assert.equal(found.length, 1, found.join('\n'));
      for (const e of found) {
        assert.match(e, /^v\.yml(:\d+)?: /);
        assert.ok(e.length < 240, e);
        // eslint-disable-next-line no-control-regex
        assert.doesNotMatch(e, /[\u0000-\u001f]|\n\s+at /);
      }
    }
  });
});
