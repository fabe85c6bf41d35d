// Building blocks of vrrpwatch's Grafana dashboards: the dashboard frame with its variables
// (datasource, cluster, job, instance, VRID), panels, and the selector every query carries.
local datasource = { type: 'prometheus', uid: '${datasource}' };

{
  // The matchers of every query: the exporters' selector and the dashboard's variables. The cluster
  // variable's "All" is `.*`, which also matches series without the cluster label (a single site).
  matchers(c, vrid=true)::
    std.join(',', [
      c.vrrpwatchSelector,
      c.clusterLabel + '=~"$cluster"',
      'job=~"$job"',
      'instance=~"$instance"',
    ] + (if vrid then ['vrid=~"$vrid"'] else [])),

  // `metric{matchers}`.
  q(c, metric, vrid=true):: metric + '{' + self.matchers(c, vrid) + '}',

  local variable(name, label, query, allValue) = {
    name: name,
    label: label,
    type: 'query',
    datasource: datasource,
    query: { query: query, refId: name },
    definition: query,
    refresh: 2,
    includeAll: true,
    multi: true,
    allValue: allValue,
    current: { text: 'All', value: '$__all' },
  },

  dashboard(c, uid, title, description, panels):: {
    __inputs: [{ name: 'DS_PROMETHEUS', label: 'Prometheus', type: 'datasource', pluginId: 'prometheus', pluginName: 'Prometheus' }],
    __requires: [
      { type: 'grafana', id: 'grafana', name: 'Grafana', version: '9.0.0' },
      { type: 'datasource', id: 'prometheus', name: 'Prometheus', version: '1.0.0' },
    ],
    uid: uid,
    title: title,
    description: description,
    tags: c.dashboardTags,
    timezone: 'browser',
    schemaVersion: 37,
    version: 1,
    editable: true,
    refresh: c.dashboardRefresh,
    time: { from: c.dashboardTimeFrom, to: 'now' },
    templating: {
      local build = 'vrrpwatch_build_info{' + c.vrrpwatchSelector,
      list: [
        { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {}, hide: 0 },
        variable('cluster', 'Cluster', 'label_values(' + build + '}, ' + c.clusterLabel + ')', '.*'),
        variable('job', 'Job', 'label_values(' + build + ',' + c.clusterLabel + '=~"$cluster"}, job)', '.+'),
        variable('instance', 'Instance', 'label_values(' + build + ',' + c.clusterLabel + '=~"$cluster",job=~"$job"}, instance)', '.+'),
        variable('vrid', 'VRID', 'label_values(vrrpwatch_vrid_masters{' + c.vrrpwatchSelector + ',' + c.clusterLabel + '=~"$cluster",job=~"$job",instance=~"$instance"}, vrid)', '.+'),
      ],
    },
    annotations: { list: [] },
    // Panel ids in order of appearance.
    panels: [panels[i] { id: i + 1 } for i in std.range(0, std.length(panels) - 1)],
  },

  // A row header across the dashboard at height y.
  row(title, y):: {
    title: title,
    type: 'row',
    collapsed: false,
    gridPos: { x: 0, y: y, w: 24, h: 1 },
    panels: [],
  },

  // One query of a panel: [expr, legend] pairs get refIds A, B, ...; an instant table query is marked.
  local targets(queries, table) = [
    {
      datasource: datasource,
      refId: std.char(std.codepoint('A') + i),
      expr: queries[i][0],
      legendFormat: queries[i][1],
    } + (if table then { instant: true, format: 'table' } else {})
    for i in std.range(0, std.length(queries) - 1)
  ],

  panel(type, title, gridPos, queries, description='', defaults={}, options={}, table=false):: {
    title: title,
    type: type,
    datasource: datasource,
    description: description,
    gridPos: { x: gridPos[0], y: gridPos[1], w: gridPos[2], h: gridPos[3] },
    targets: targets(queries, table),
    fieldConfig: { defaults: defaults, overrides: [] },
    options: options,
  },

  // Thresholds that turn a stat red (or `color`) from 1.
  alarm(color='red'):: { thresholds: { mode: 'absolute', steps: [{ color: 'green', value: null }, { color: color, value: 1 }] } },
  statOptions:: { colorMode: 'background', reduceOptions: { calcs: ['lastNotNull'] } },
}
