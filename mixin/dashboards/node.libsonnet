// The VRRP node detail dashboard: one node of a pair, its role, the virtual addresses it holds,
// keepalived's state, and the findings only a node can make.
local d = import '../lib/dashboard.libsonnet';

{
  grafanaDashboards+:: {
    local c = $._config,
    local cl = c.clusterLabel,
    local q(metric, vrid=true) = d.q(c, metric, vrid),

    'vrrpwatch-node.json': d.dashboard(
      c,
      'vrrpwatch-node',
      'VRRP node detail (vrrpwatch)',
      "One node of a pair: its role, the virtual addresses it holds, keepalived's state, the findings only a node can make, and the exporter itself (memory, CPU, descriptors, restarts, its status page).",
      links=[d.link('vrrpwatch-overview', 'VRRP overview')],
      annotations=d.annotations(c),
      panels=[
        d.panel(
          'state-timeline',
          'This node is master',
          [0, 0, 24, 7],
          [['max by (%s, instance, vrid, family) (%s)' % [cl, q('vrrpwatch_node_master')], '{{instance}} VRID {{vrid}} {{family}}']],
          description="1 while the node is master of the group (its own advertisements, or keepalived's notify_fifo).",
        ),
        d.panel('state-timeline', 'Virtual addresses held', [0, 7, 24, 7], [['max by (%s, instance, vip) (%s)' % [cl, q('vrrpwatch_vip_local')], '{{instance}} {{vip}}']]),
        d.panel(
          'timeseries',
          'Backup holding the VIP / master without it',
          [0, 14, 12, 8],
          [
            ['max by (%s, instance, vrid, vip) (%s)' % [cl, q('vrrpwatch_vip_backup_holding')], '{{instance}} backup holds {{vip}}'],
            ['max by (%s, instance, vrid, vip) (%s)' % [cl, q('vrrpwatch_vip_master_missing')], '{{instance}} master without {{vip}}'],
          ],
        ),
        d.panel(
          'state-timeline',
          'keepalived state (notify_fifo)',
          [12, 14, 12, 8],
          [['max by (%s, instance, keepalived_instance, state) (%s)' % [cl, q('vrrpwatch_keepalived_state', false)], '{{instance}} {{keepalived_instance}} {{state}}']],
        ),
        d.panel(
          'timeseries',
          'Expected groups not heard (VRRP blocked?)',
          [0, 22, 12, 8],
          [['max by (%s, instance, vrid, family) (%s)' % [cl, q('vrrpwatch_vrid_adverts_blocked')], '{{instance}} VRID {{vrid}} {{family}}']],
        ),
        d.panel('timeseries', 'Config reloads', [12, 22, 12, 8], [[q('vrrpwatch_config_last_reload_successful', false), '{{instance}} last reload ok']]),

        // The exporter's own process (process_*), as for any exporter: restarts, memory, CPU, descriptors.
        d.row('The exporter', 30),
        d.panel('timeseries', 'Resident memory', [0, 31, 8, 8], [[q('process_resident_memory_bytes', false), '{{instance}}']], defaults={ unit: 'bytes' }),
        d.panel('timeseries', 'CPU', [8, 31, 8, 8], [['rate(%s[$__rate_interval])' % q('process_cpu_seconds_total', false), '{{instance}}']], defaults={ unit: 'percentunit' }),
        d.panel(
          'timeseries',
          'Open descriptors / restarts',
          [16, 31, 8, 8],
          [
            [q('process_open_fds', false), '{{instance}} open descriptors'],
            ['changes(%s[$__rate_interval])' % q('process_start_time_seconds', false), '{{instance}} restarts'],
          ],
        ),
        d.exporters(c, [0, 39, 24, 6]),
      ],
    ),
  },
}
