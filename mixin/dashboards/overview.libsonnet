// The VRRP overview dashboard: first the fleet (which sites and groups have findings now), then the
// groups: masters, findings, failovers, priorities, advertisements, pings, capture health, and who
// answers ARP/NDP for each VIP.
local d = import '../lib/dashboard.libsonnet';

{
  grafanaDashboards+:: {
    local c = $._config,
    local cl = c.clusterLabel,
    local q(metric, vrid=true) = d.q(c, metric, vrid),

    // Each finding a group can have now, named as the fleet table shows it, with the group's segment
    // (a group is its cluster, family, VRID and segment, as in the rules). A new finding metric joins
    // the fleet row by a line here.
    local findings = std.join(' or ', [
      'label_replace(%s, "finding", "%s", "", "")' % [d.withSegment(c, '%s == 1' % q(f[0])), f[1]]
      for f in [
        ['vrrpwatch_vrid_split_brain', 'split-brain'],
        ['vrrpwatch_vrid_vip_conflict', 'VIP shared across VRIDs'],
        ['vrrpwatch_vrid_no_master', 'no master'],
        ['vrrpwatch_vrid_auth_mismatch', 'auth mismatch'],
        ['vrrpwatch_vrid_config_mismatch', 'config mismatch'],
        ['vrrpwatch_vrid_adverts_blocked', 'adverts blocked'],
        ['vrrpwatch_vrid_failover_risk', 'failover risk'],
      ]
    ] + [
      'label_replace(%s, "finding", "%s", "", "")' % [d.withVipGroup(c, '%s == 1' % q(f[0])), f[1]]
      for f in [
        ['vrrpwatch_vip_backup_holding', 'backup holds the VIP'],
        ['vrrpwatch_vip_master_missing', 'master without its VIP'],
      ]
    ] + [
      // Judged across exporters, as VrrpVipOnSeveralNodes does: one VIP on hosts of one cluster.
      'label_replace(count by (%s, segment, vrid, vip) (count by (%s, segment, vrid, vip, instance) (%s)) > 1, "finding", "VIP on several hosts", "", "")'
      % [cl, cl, d.withVipGroup(c, '%s == 1' % q('vrrpwatch_vip_local'))],
    ]),

    'vrrpwatch-overview.json': d.dashboard(
      c,
      'vrrpwatch-overview',
      'VRRP overview (vrrpwatch)',
      'VRRP groups as vrrpwatch sees them: the sites and groups with findings now, then masters, split-brain, failovers, priorities, advertisements, pings, capture health, who answers ARP/NDP for each VIP, and the exporters with links to their status pages.',
      links=[d.link('vrrpwatch-node', 'VRRP node detail')],
      annotations=d.annotations(c),
      panels=[
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
          [['count(count by (%s, segment, vrid) (%s)) or vector(0)' % [cl, findings], 'groups']],
          description='Groups (VRIDs, counted per site and segment) with a finding now.',
          defaults=d.alarm(),
          options=d.statOptions,
        ),
        d.panel(
          'table',
          'Findings now, by site and group',
          [8, 1, 16, 6],
          [['sum by (%s, segment, vrid, finding) (%s)' % [cl, findings], '']],
          description='One row per site, segment (the lowest VIP of the group), VRID and finding; the value is how many exporters (or hosts, for a VIP on several hosts) report it. Empty while the fleet is healthy.',
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
          [['max by (%s, segment, vrid, family, router) (%s)' % [cl, d.withSegment(c, q('vrrpwatch_vrid_master_info'))], '{{%s}} {{segment}} VRID {{vrid}} {{family}} {{router}}' % cl]],
          description='Each router while it acts as master, per group: site, segment (the lowest VIP it advertises) and VRID, so that the VLANs of a site that reuse a VRID never mix. Two rows lit for one group at the same time is a split-brain.',
          options={ mergeValues: true, showValue: 'never' },
        ),
        d.panel(
          'timeseries',
          'Split-brain and findings per group',
          [0, 21, 12, 8],
          [
            ['max by (%s, segment, vrid, family) (%s)' % [cl, d.withSegment(c, q('vrrpwatch_vrid_split_brain'))], '{{%s}} split-brain VRID {{vrid}} {{family}} {{segment}}' % cl],
            ['max by (%s, segment, vrid, family) (%s)' % [cl, d.withSegment(c, q('vrrpwatch_vrid_vip_conflict'))], '{{%s}} VIP shared with another VRID: VRID {{vrid}} {{family}} {{segment}}' % cl],
            ['max by (%s, segment, vrid, family) (%s)' % [cl, d.withSegment(c, q('vrrpwatch_vrid_no_master'))], '{{%s}} no master VRID {{vrid}} {{family}} {{segment}}' % cl],
            ['max by (%s, segment, vrid, family) (%s)' % [cl, d.withSegment(c, q('vrrpwatch_vrid_auth_mismatch'))], '{{%s}} auth mismatch VRID {{vrid}} {{family}} {{segment}}' % cl],
            ['max by (%s, segment, vrid, family, field) (%s)' % [cl, d.withSegment(c, q('vrrpwatch_vrid_config_mismatch'))], '{{%s}} {{field}} mismatch VRID {{vrid}} {{family}} {{segment}}' % cl],
            ['max by (%s, segment, vrid, family) (%s)' % [cl, d.withSegment(c, q('vrrpwatch_vrid_failover_risk'))], '{{%s}} failover risk VRID {{vrid}} {{family}} {{segment}}' % cl],
            ['max by (%s, vrid, instance, vip) (%s)' % [cl, q('vrrpwatch_vip_backup_holding')], '{{instance}} backup holds {{vip}}'],
          ],
        ),
        d.panel('timeseries', 'Masters per group, by observer', [12, 21, 12, 8], [[q('vrrpwatch_vrid_masters'), '{{instance}} VRID {{vrid}} {{family}}']]),
        d.panel(
          'timeseries',
          'Failovers',
          [0, 29, 12, 8],
          [['max by (%s, segment, vrid, family) (%s)' % [cl, d.withSegment(c, 'increase(%s[$__rate_interval])' % q('vrrpwatch_vrid_master_changes_total'))], '{{%s}} {{segment}} VRID {{vrid}} {{family}}' % cl]],
          description='Failovers per group, as the exporter that saw most of them counts them (every exporter of a segment sees the same ones).',
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

        d.panel(
          'timeseries',
          'Takeover margin: the deadline less the longest gap',
          [0, 61, 12, 8],
          [['min by (%s, segment, vrid, family) (%s)' % [cl, d.withSegment(c, q('vrrpwatch_vrid_advert_gap_margin_seconds'))], '{{%s}} {{segment}} VRID {{vrid}} {{family}}' % cl]],
          description="The master's takeover deadline (Master_Down_Interval: 3 intervals plus its priority's skew) less its longest advert gap within the risk window (60 intervals, at least 30 s), as the exporter that saw the worst gap measured it. A clean master keeps the deadline less one interval; under one interval is a near failover; below 0 a gap passed the deadline (a backup took over).",
          defaults={ unit: 's', thresholds: { mode: 'absolute', steps: [{ color: 'red', value: null }, { color: 'orange', value: 0 }, { color: 'green', value: 1 }] } },
        ),
        d.panel(
          'timeseries',
          "Masters' gaps that lost adverts",
          [12, 61, 12, 8],
          [
            ['max by (%s, vrid, family) (increase(%s[$__rate_interval]) - ignoring(le) increase(%s[$__rate_interval]))' % [cl, q('vrrpwatch_vrid_advert_gap_intervals_count'), 'vrrpwatch_vrid_advert_gap_intervals_bucket{le="1.5",%s}' % d.matchers(c)], '{{%s}} VRID {{vrid}} {{family}}: one advert or more lost' % cl],
            ['max by (%s, vrid, family) (increase(%s[$__rate_interval]) - ignoring(le) increase(%s[$__rate_interval]))' % [cl, q('vrrpwatch_vrid_advert_gap_intervals_count'), 'vrrpwatch_vrid_advert_gap_intervals_bucket{le="2.5",%s}' % d.matchers(c)], '{{%s}} VRID {{vrid}} {{family}}: two or more in a row' % cl],
          ],
          description="Gaps between a master's adverts longer than 1.5 and 2.5 of its intervals (vrrpwatch_vrid_advert_gap_intervals, collector advert_gaps; gaps during the exporter's own capture drops left out). Two or more lost in a row bring a gap within an interval of the deadline.",
        ),

        // VIP ownership on the wire: who answers ARP/NDP for each VIP, compared with the masters.
        d.row('VIP ownership on the wire (ARP/NDP)', 69),
        d.panel(
          'stat',
          'VIPs with wire findings',
          [0, 70, 4, 8],
          [['count(max by (%s, vip) ({__name__=~"vrrpwatch_vip_duplicate|vrrpwatch_vip_foreign_owner|vrrpwatch_vip_unanswered",%s} == 1)) or vector(0)' % [cl, d.matchers(c, false)], 'VIPs']],
          description='VIPs, counted per site, answered by two MACs, by a MAC of no master, or by nobody.',
          defaults=d.alarm(),
          options=d.statOptions,
        ),
        d.panel(
          'table',
          'Who answers for each VIP now',
          [4, 70, 20, 8],
          [['max by (%s, vip, mac, router, instance) (%s)' % [cl, q('vrrpwatch_vip_owner_info', false)], '']],
          description='Each MAC answering ARP/NDP for a VIP, the router it belongs to (empty: no router heard, a foreign owner) and the exporter that hears it.',
          options={ showHeader: true, sortBy: [{ displayName: 'vip', desc: false }] },
          table=true,
        ),
        d.panel(
          'timeseries',
          'Owners per VIP',
          [0, 78, 12, 8],
          [['max by (%s, vip) (%s)' % [cl, q('vrrpwatch_vip_owners', false)], '{{%s}} {{vip}}' % cl]],
          description='Distinct MACs answering for each VIP: 1 when healthy, 2 for a round during a failover, 2 or more for longer is a duplicate.',
        ),
        d.panel(
          'timeseries',
          'Duplicates, foreign owners, unanswered VIPs',
          [12, 78, 12, 8],
          [
            ['max by (%s, vip) (%s)' % [cl, q('vrrpwatch_vip_duplicate', false)], '{{%s}} duplicate {{vip}}' % cl],
            // A foreign owner's series exists only while its MAC answers: counted per VIP, 0 without one.
            [
              'count by (%s, vip) (%s == 1) or max by (%s, vip) (%s * 0)' % [cl, q('vrrpwatch_vip_foreign_owner', false), cl, q('vrrpwatch_vip_owners', false)],
              '{{%s}} foreign owners of {{vip}}' % cl,
            ],
            ['max by (%s, vip) (%s)' % [cl, q('vrrpwatch_vip_unanswered', false)], '{{%s}} unanswered {{vip}}' % cl],
          ],
        ),
        d.panel(
          'timeseries',
          'VIP probes sent',
          [0, 86, 12, 8],
          [['sum by (%s, instance, interface) (rate(%s[$__rate_interval]))' % [cl, q('vrrpwatch_vip_probes_total', false)], '{{instance}} {{interface}}']],
          description='ARP requests and Neighbor Solicitations vrrpwatch sends for the VIPs it knows (at most one per VIP per probe interval).',
          defaults={ unit: 'pps' },
        ),
        d.panel(
          'timeseries',
          'Failovers without a gratuitous ARP',
          [12, 86, 12, 8],
          // 0 for the groups that never had one (their counter may not exist yet).
          [[
            'max by (%s, vrid, family) (increase(%s[$__rate_interval])) or max by (%s, vrid, family) (%s * 0)'
            % [cl, q('vrrpwatch_vrid_failovers_without_garp_total'), cl, q('vrrpwatch_vrid_master_changes_total')],
            '{{%s}} VRID {{vrid}} {{family}}' % cl,
          ]],
          description='Failovers after which the new master sent no gratuitous ARP or unsolicited NA for its VIPs within a few seconds.',
        ),

        d.row('Exporters', 94),
        d.exporters(c, [0, 95, 24, 6]),
      ],
    ),
  },
}
