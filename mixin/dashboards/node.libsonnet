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
      "One node of a pair: its role, the virtual addresses it holds, keepalived's state, and the findings only a node can make.",
      [
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
      ],
    ),
  },
}
