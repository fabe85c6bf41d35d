// Building blocks of vrrpwatch's Grafana dashboards: the dashboard frame with its variables
// (datasource, cluster, job, instance, VRID), panels, and the selector every query carries.
local datasource = { type: 'prometheus', uid: '${datasource}' };

{
  // The matchers of every query: the dashboard's variables (and dashboardSelector's own, if any). No
  // job name: the job variable lists every job exporting vrrpwatch_build_info. The cluster variable's
  // "All" is `.*`, which also matches series without the cluster label (a single site).
  matchers(c, vrid=true)::
    std.join(',', (if c.dashboardSelector == '' then [] else [c.dashboardSelector]) + [
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

  // The labels of one group as one exporter names it.
  local exporterGroup(c) = [c.clusterLabel, 'job', 'instance', 'interface', 'family', 'vrid'],
  // `expr` (over an exporter's groups) with each group's segment, as the rules key a group (cluster,
  // family, VRID, segment); a group that advertises no address keeps its series without one.
  withSegment(c, expr)::
    local on = 'on (' + std.join(', ', exporterGroup(c)) + ')';
    '(%s) * %s group_left (segment) group by (%s, segment) (%s) or %s (%s)'
    % [expr, on, std.join(', ', exporterGroup(c)), self.q(c, 'vrrpwatch_vrid_vip_info'), on, expr],
  // `expr` (over an exporter's VIPs: cluster, job, instance, vrid, vip) with the family and segment of its group.
  withVipGroup(c, expr)::
    local keys = std.join(', ', [c.clusterLabel, 'job', 'instance', 'vrid', 'vip']);
    '(%s) * on (%s) group_left (family, segment) topk by (%s) (1, group by (%s, family, segment) (%s)) or on (%s) (%s)'
    % [expr, keys, keys, keys, self.q(c, 'vrrpwatch_vrid_vip_info'), keys, expr],

  // Failovers (with their cause) and split-brains as annotations on every dashboard, per group.
  annotations(c):: [
    self.annotation(
      'Failovers',
      'orange',
      'max by (%s, segment, vrid, family, cause) (%s) > 0' % [c.clusterLabel, self.withSegment(c, 'changes(%s[1m])' % self.q(c, 'vrrpwatch_vrid_failovers_total'))],
      'Failover',
      '{{%s}} VRID {{vrid}} ({{family}}, segment {{segment}}): {{cause}}' % c.clusterLabel,
    ),
    self.annotation(
      'Split-brains',
      'red',
      'max by (%s, segment, vrid, family) (%s)' % [c.clusterLabel, self.withSegment(c, '%s == 1' % self.q(c, 'vrrpwatch_vrid_split_brain'))],
      'Split-brain',
      '{{%s}} VRID {{vrid}} ({{family}}, segment {{segment}})' % c.clusterLabel,
    ),
  ],

  // Every exporter with its build, each instance linked to its status page (scheme://instance/).
  exporters(c, gridPos):: self.panel(
    'table',
    'Exporters (instance: its status page)',
    gridPos,
    [['max by (%s, job, instance, version, revision, nodejs, libpcap) (%s)' % [c.clusterLabel, self.q(c, 'vrrpwatch_build_info', false)], '']],
    description='Every vrrpwatch scraped, with its version; click an instance for its status page (findings now and of the last hour, recent failovers).',
    options={ showHeader: true, sortBy: [{ displayName: 'instance', desc: false }] },
    table=true,
  ) + {
    fieldConfig+: {
      overrides: [{
        matcher: { id: 'byName', options: 'instance' },
        properties: [{ id: 'links', value: [{ title: 'Status page of ${__value.raw}', url: c.statusPageScheme + '://${__value.raw}/', targetBlank: true }] }],
      }],
    },
  },

  // The data source is the dashboard's own variable: no __inputs to fill in on import.
  dashboard(c, uid, title, description, panels, links=[], annotations=[]):: {
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
      local own = if c.dashboardSelector == '' then [] else [c.dashboardSelector],
      local of(metric, matchers) = metric + (if own + matchers == [] then '' else '{' + std.join(',', own + matchers) + '}'),
      local cluster = c.clusterLabel + '=~"$cluster"',
      list: [
        { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {}, hide: 0 },
        variable('cluster', 'Cluster', 'label_values(%s, %s)' % [of('vrrpwatch_build_info', []), c.clusterLabel], '.*'),
        // Every job whose targets are vrrpwatch, whatever its name.
        variable('job', 'Job', 'label_values(%s, job)' % of('vrrpwatch_build_info', [cluster]), '.+'),
        variable('instance', 'Instance', 'label_values(%s, instance)' % of('vrrpwatch_build_info', [cluster, 'job=~"$job"']), '.+'),
        variable('vrid', 'VRID', 'label_values(%s, vrid)' % of('vrrpwatch_vrid_masters', [cluster, 'job=~"$job"', 'instance=~"$instance"']), '.+'),
      ],
    },
    links: links,
    annotations: { list: annotations },
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

  // A link to another dashboard of the mixin, keeping the time range and the variables.
  link(uid, title, icon='dashboard'):: { type: 'link', title: title, url: '/d/' + uid, icon: icon, keepTime: true, includeVars: true, targetBlank: false, asDropdown: false, tags: [], tooltip: '' },

  // An annotation from a query: one mark per step where it has a value, its text from the labels.
  annotation(name, color, expr, title, text):: {
    name: name,
    datasource: datasource,
    enable: true,
    iconColor: color,
    expr: expr,
    step: '15s',
    titleFormat: title,
    textFormat: text,
    useValueForTime: false,
  },

  // Thresholds that turn a stat red (or `color`) from 1.
  alarm(color='red'):: { thresholds: { mode: 'absolute', steps: [{ color: 'green', value: null }, { color: color, value: 1 }] } },
  statOptions:: { colorMode: 'background', reduceOptions: { calcs: ['lastNotNull'] } },
}
