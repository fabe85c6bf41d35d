// The VRRP overview dashboard: first the fleet (which sites and groups have findings now), then the
// groups: masters, findings, failovers, priorities, advertisements, pings, capture health.
local d = import '../lib/dashboard.libsonnet';

{
  grafanaDashboards+:: {
    local c = $._config,
    local cl = c.clusterLabel,
    local q(metric, vrid=true) = d.q(c, metric, vrid),

    // Each finding a group can have now, named as the fleet table shows it. A new finding metric
    // joins the fleet row by a line here.
    local findings = std.join(' or ', [
      'label_replace(%s == 1, "finding", "%s", "", "")' % [q(f[0]), f[1]]
      for f in [
        ['vrrpwatch_vrid_split_brain', 'split-brain'],
        ['vrrpwatch_vrid_vip_conflict', 'VIP shared across VRIDs'],
        ['vrrpwatch_vrid_no_master', 'no master'],
        ['vrrpwatch_vip_backup_holding', 'backup holds the VIP'],
        ['vrrpwatch_vip_master_missing', 'master without its VIP'],
        ['vrrpwatch_vrid_auth_mismatch', 'auth mismatch'],
        ['vrrpwatch_vrid_config_mismatch', 'config mismatch'],
        ['vrrpwatch_vrid_adverts_blocked', 'adverts blocked'],
      ]
    ] + [
      // Judged across exporters, as VrrpVipOnSeveralNodes does: one VIP on hosts of one cluster.
      'label_replace(count by (%s, vrid, vip) (count by (%s, vrid, vip, instance) (%s == 1)) > 1, "finding", "VIP on several hosts", "", "")'
      % [cl, cl, q('vrrpwatch_vip_local')],
    ]),

    'vrrpwatch-overview.json': d.dashboard(
      c,
      'vrrpwatch-overview',
      'VRRP overview (vrrpwatch)',
      'VRRP groups as vrrpwatch sees them: the sites and groups with findings now, then masters, split-brain, failovers, priorities, advertisements, pings, capture health.',
      [
        d.row('Fleet: sites and groups with findings now', 0),
        d.panel(
          'stat',
          'Sites with findings',
          [0, 1, 4, 6],
          [['count(count by (%s) (%s)) or vector(0)' % [cl, findings], 'sites']],
          description='Sites (values of the ' + cl + ' label) where any group has a finding now.',
          defaults=d.alarm(),
          options=d.statOptions,
        ),
        d.panel(
          'stat',
          'Groups with findings',
          [4, 1, 4, 6],
          [['count(count by (%s, vrid) (%s)) or vector(0)' % [cl, findings], 'groups']],
          description='VRIDs, counted per site, with a finding now.',
          defaults=d.alarm(),
          options=d.statOptions,
        ),
        d.panel(
          'table',
          'Findings now, by site and group',
          [8, 1, 16, 6],
          [['sum by (%s, vrid, finding) (%s)' % [cl, findings], '']],
          description='One row per site, VRID and finding; the value is how many exporters (or hosts, for a VIP on several hosts) report it. Empty while the fleet is healthy.',
          options={ showHeader: true, sortBy: [{ displayName: cl, desc: false }] },
          table=true,
        ),

        d.row('Groups', 7),
        d.panel(
          'stat',
          'Split-brain',
          [0, 8, 4, 5],
          [['max({__name__=~"vrrpwatch_vrid_split_brain|vrrpwatch_vrid_vip_conflict",%s}) or vector(0)' % d.matchers(c), 'split-brain']],
          description='1 while any exporter judges a split-brain: two masters in one group, or masters of two VRIDs advertising one VIP.',
          defaults={
            mappings: [{ type: 'value', options: { '0': { text: 'none', color: 'green' }, '1': { text: 'SPLIT-BRAIN', color: 'red' } } }],
          } + d.alarm(),
          options=d.statOptions,
        ),
        d.panel('stat', 'Groups without a master', [4, 8, 4, 5], [['sum(%s) or vector(0)' % q('vrrpwatch_vrid_no_master'), 'no master']], defaults=d.alarm(), options=d.statOptions),
        d.panel('stat', 'Backups holding the VIP', [8, 8, 4, 5], [['sum(%s) or vector(0)' % q('vrrpwatch_vip_backup_holding'), 'backup holding']], defaults=d.alarm(), options=d.statOptions),
        d.panel('stat', 'Failovers (range)', [12, 8, 4, 5], [['sum(increase(%s[$__range]))' % q('vrrpwatch_vrid_master_changes_total'), 'failovers']], options={ reduceOptions: { calcs: ['lastNotNull'] } }),
        d.panel(
          'stat',
          'Mismatches',
          [16, 8, 4, 5],
          [['sum(%s) + sum(%s)' % [q('vrrpwatch_vrid_auth_mismatch'), q('vrrpwatch_vrid_config_mismatch')], 'mismatches']],
          defaults=d.alarm('orange'),
          options=d.statOptions,
        ),
        d.panel(
          'stat',
          'Captures up',
          [20, 8, 4, 5],
          [['sum(%s) / count(%s)' % [q('vrrpwatch_capture_up', false), q('vrrpwatch_capture_up', false)], 'captures up']],
          defaults={ unit: 'percentunit' },
        ),
        d.panel(
          'state-timeline',
          'Master per group',
          [0, 13, 24, 8],
          [['max by (%s, vrid, family, router) (%s)' % [cl, q('vrrpwatch_vrid_master_info')], '{{%s}} VRID {{vrid}} {{family}} {{router}}' % cl]],
          description='Each router while it acts as master, per site and group. Two rows lit for one VRID of one site at the same time is a split-brain.',
          options={ mergeValues: true, showValue: 'never' },
        ),
        d.panel(
          'timeseries',
          'Split-brain and findings per group',
          [0, 21, 12, 8],
          [
            ['max by (%s, vrid, family) (%s)' % [cl, q('vrrpwatch_vrid_split_brain')], '{{%s}} split-brain VRID {{vrid}} {{family}}' % cl],
            ['max by (%s, vrid, family) (%s)' % [cl, q('vrrpwatch_vrid_vip_conflict')], '{{%s}} VIP shared with another VRID: VRID {{vrid}} {{family}}' % cl],
            ['max by (%s, vrid, family) (%s)' % [cl, q('vrrpwatch_vrid_no_master')], '{{%s}} no master VRID {{vrid}} {{family}}' % cl],
            ['max by (%s, vrid, family) (%s)' % [cl, q('vrrpwatch_vrid_auth_mismatch')], '{{%s}} auth mismatch VRID {{vrid}} {{family}}' % cl],
            ['max by (%s, vrid, family, field) (%s)' % [cl, q('vrrpwatch_vrid_config_mismatch')], '{{%s}} {{field}} mismatch VRID {{vrid}} {{family}}' % cl],
            ['max by (%s, vrid, instance, vip) (%s)' % [cl, q('vrrpwatch_vip_backup_holding')], '{{instance}} backup holds {{vip}}'],
          ],
        ),
        d.panel('timeseries', 'Masters per group, by observer', [12, 21, 12, 8], [[q('vrrpwatch_vrid_masters'), '{{instance}} VRID {{vrid}} {{family}}']]),
        d.panel(
          'timeseries',
          'Failovers',
          [0, 29, 12, 8],
          [['sum by (%s, vrid, family) (increase(%s[$__rate_interval]))' % [cl, q('vrrpwatch_vrid_master_changes_total')], '{{%s}} VRID {{vrid}} {{family}}' % cl]],
        ),
        d.panel(
          'timeseries',
          'Priorities',
          [12, 29, 12, 8],
          [['max by (%s, vrid, family, router) (%s)' % [cl, q('vrrpwatch_router_priority')], '{{%s}} VRID {{vrid}} {{router}}' % cl]],
          description='Advertised priority of each router; track_script weights show up here.',
        ),
        d.panel(
          'timeseries',
          'Advertisement rate',
          [0, 37, 12, 8],
          [['sum by (%s, vrid, router) (rate(%s[$__rate_interval]))' % [cl, q('vrrpwatch_adverts_total')], '{{%s}} VRID {{vrid}} {{router}}' % cl]],
          defaults={ unit: 'pps' },
        ),
        d.panel(
          'timeseries',
          'Advertisement age',
          [12, 37, 12, 8],
          [['max by (%s, vrid, router) (time() - %s)' % [cl, q('vrrpwatch_router_last_advert_timestamp_seconds')], '{{%s}} VRID {{vrid}} {{router}}' % cl]],
          description="Seconds since each router's last advertisement; a backup's age grows, a master's stays below its interval.",
          defaults={ unit: 's' },
        ),
        d.panel('timeseries', 'Ping round-trip time', [0, 45, 12, 8], [[q('vrrpwatch_probe_rtt_seconds', false), '{{instance}} → {{role}} {{target}}']], defaults={ unit: 's' }),
        d.panel('timeseries', 'Ping loss', [12, 45, 12, 8], [[q('vrrpwatch_probe_loss_ratio', false), '{{instance}} → {{role}} {{target}}']], defaults={ unit: 'percentunit' }),
        d.panel(
          'timeseries',
          'Capture health',
          [0, 53, 12, 8],
          [
            [q('vrrpwatch_capture_up', false), '{{instance}} {{interface}} up'],
            ['sum by (%s, instance, interface) (rate(%s[$__rate_interval]))' % [cl, q('vrrpwatch_capture_dropped_packets_total', false)], '{{instance}} {{interface}} dropped/s'],
          ],
        ),
        d.panel(
          'timeseries',
          'Invalid packets by reason',
          [12, 53, 12, 8],
          [['sum by (%s, instance, reason) (rate(%s[$__rate_interval]))' % [cl, q('vrrpwatch_packets_invalid_total', false)], '{{instance}} {{reason}}']],
          defaults={ unit: 'pps' },
        ),
      ],
    ),
  },
}
