// vrrpwatch's alert rules, built from config.libsonnet (selectors, cluster label, for:, thresholds).
//
// To add an alert, add one entry to the list of its group below, and nothing else in the mixin:
//   alert(c, 'VrrpSomething', 'critical' or 'warning', 'someKey', expr, summary, description)
//   - give its for: a key in config.libsonnet's `for` (someKey: '30s');
//   - an alert judged by one exporter aggregates with perExporter(c, [its labels]); one that compares
//     exporters groups with byCluster(c, [...]) so that sites never mix;
//   - select every metric with c.vrrpwatchSelector, and in template queries filter by the cluster label;
//   - write its runbook section `## VrrpSomething` in docs/runbook.md (runbook_url points there);
// then run scripts/mixin.sh (it writes alerts/ and dashboards/), add a promtool case just before and
// just after its for: in test/alerts/, and list it in the README's alerts table.
local alert(c, name, severity, forKey, expr, summary, description) = {
  alert: name,
  expr: expr,
  'for': c['for'][forKey],
  labels: { severity: severity },
  annotations: {
    summary: summary,
    description: description,
    runbook_url: std.format(c.runbookURLPattern, std.asciiLower(name)),
  },
};

// A for: or range duration in words for descriptions: '2m' -> '2 minutes', '15s' -> '15 seconds'.
local words(duration) =
  local n = std.parseInt(std.substr(duration, 0, std.length(duration) - 1));
  local unit = { s: 'second', m: 'minute', h: 'hour' }[std.substr(duration, std.length(duration) - 1, 1)];
  '%d %s%s' % [n, unit, if n == 1 then '' else 's'];

// `by (...)` of a rule judged by one exporter: the cluster label, the exporter, and the rule's own labels.
local perExporter(c, labels) = 'by (' + std.join(', ', [c.clusterLabel, 'job', 'instance'] + labels) + ')';
// `by (...)` of a rule that compares exporters: within one cluster only.
local byCluster(c, labels) = 'by (' + std.join(', ', [c.clusterLabel] + labels) + ')';
// A metric with the exporters' selector and extra matchers.
local sel(c, metric, extra='') = metric + '{' + c.vrrpwatchSelector + (if extra == '' then '' else ',' + extra) + '}';

// A template query over the alert's own cluster and the given labels of the alert, sorted by `sortBy`,
// each result written by `each` (a template over .Labels).
local templateQuery(c, metric, labels, tail, sortBy, each) =
  local matchers = std.join(',', [l + "='%s'" for l in [c.clusterLabel] + labels]);
  local args = std.join(' ', ['$labels.' + l for l in [c.clusterLabel] + labels]);
  '{{ with printf `' + sel(c, metric, matchers) + tail + '` ' + args + ' | query | sortByLabel "' + sortBy + '" }}'
  + '{{ range . }}' + each + '{{ end }}{{ end }}';

// " at SITE" in a summary when the alert carries the cluster label, nothing otherwise.
local atCluster(c) = '{{ with $labels.' + c.clusterLabel + ' }} at {{ . }}{{ end }}';

{
  prometheusAlerts+:: {
    local c = $._config,
    groups+: [
      {
        name: 'vrrpwatch.groups',
        rules: [
          // Judged by the exporter (two routers keep advertising as master); a failover never sets it.
          alert(
            c, 'VrrpSplitBrain', 'critical', 'splitBrain',
            'max %s (%s) == 1' % [perExporter(c, ['interface', 'family', 'vrid']), sel(c, 'vrrpwatch_vrid_split_brain')],
            'VRRP split-brain on VRID {{ $labels.vrid }} ({{ $labels.family }}, {{ $labels.interface }})',
            '{{ $labels.instance }} sees more than one master for VRID {{ $labels.vrid }} on {{ $labels.interface }} ({{ $labels.family }}): '
            + 'the routers keep advertising after each other, so both hold the virtual address. Masters: '
            + templateQuery(c, 'vrrpwatch_vrid_master_info', ['job', 'instance', 'interface', 'family', 'vrid'], '', 'router', '{{ .Labels.router }} '),
          ),
          // Masters of two VRIDs advertise one address: each group is healthy on its own, yet both hold it.
          alert(
            c, 'VrrpVipConflict', 'critical', 'vipConflict',
            'max %s (%s) == 1' % [perExporter(c, ['interface', 'family', 'vrid']), sel(c, 'vrrpwatch_vrid_vip_conflict')],
            "The master of VRID {{ $labels.vrid }} ({{ $labels.family }}, {{ $labels.interface }}) shares a VIP with another VRID's master",
            '{{ $labels.instance }} hears the master of VRID {{ $labels.vrid }} on {{ $labels.interface }} advertise a virtual address that the master of another VRID advertises too: '
            + 'both hold it (a split-brain across VRIDs, typically a wrong virtual_router_id on one node). Masters: '
            + templateQuery(
              c, 'vrrpwatch_vrid_master_info', ['job', 'instance', 'interface', 'family'],
              ' and on (%s, job, instance, interface, family, vrid) (%s == 1)' % [c.clusterLabel, sel(c, 'vrrpwatch_vrid_vip_conflict')],
              'vrid', 'VRID {{ .Labels.vrid }} {{ .Labels.router }}; ',
            ),
          ),
          alert(
            c, 'VrrpBackupHoldsVip', 'critical', 'backupHoldsVip',
            'max %s (%s) == 1' % [perExporter(c, ['interface', 'vrid', 'vip']), sel(c, 'vrrpwatch_vip_backup_holding')],
            '{{ $labels.instance }} holds VIP {{ $labels.vip }} of VRID {{ $labels.vrid }} without being master',
            '{{ $labels.instance }} has {{ $labels.vip }} on an interface but is not the master of VRID {{ $labels.vrid }} ({{ $labels.interface }}). '
            + 'Two hosts answer for the address; typically keepalived was killed (SIGKILL, OOM) and left the address behind.',
          ),
          alert(
            c, 'VrrpMasterWithoutVip', 'critical', 'masterWithoutVip',
            'max %s (%s) == 1' % [perExporter(c, ['interface', 'vrid', 'vip']), sel(c, 'vrrpwatch_vip_master_missing')],
            '{{ $labels.instance }} is master of VRID {{ $labels.vrid }} but does not hold {{ $labels.vip }}',
            '{{ $labels.instance }} advertises as master of VRID {{ $labels.vrid }} on {{ $labels.interface }}, yet the virtual address {{ $labels.vip }} is not on any of its interfaces: nobody serves it.',
          ),
          alert(
            c, 'VrrpNoMaster', 'critical', 'noMaster',
            'max %s (%s) == 1' % [perExporter(c, ['interface', 'family', 'vrid']), sel(c, 'vrrpwatch_vrid_no_master')],
            'VRID {{ $labels.vrid }} ({{ $labels.family }}, {{ $labels.interface }}) has no master',
            '{{ $labels.instance }} hears no master for VRID {{ $labels.vrid }} on {{ $labels.interface }}, which had one or is expected by the config: the virtual address is probably down.',
          ),
          alert(
            c, 'VrrpAuthMismatch', 'warning', 'authMismatch',
            'max %s (%s) == 1' % [perExporter(c, ['interface', 'family', 'vrid']), sel(c, 'vrrpwatch_vrid_auth_mismatch')],
            'Routers of VRID {{ $labels.vrid }} disagree on VRRP authentication',
            "{{ $labels.instance }} hears routers of VRID {{ $labels.vrid }} on {{ $labels.interface }} with different auth types or passwords. They drop each other's advertisements: the next failover can become a split-brain.",
          ),
          alert(
            c, 'VrrpConfigMismatch', 'warning', 'configMismatch',
            'max %s (%s) == 1' % [perExporter(c, ['interface', 'family', 'vrid', 'field']), sel(c, 'vrrpwatch_vrid_config_mismatch')],
            'Routers of VRID {{ $labels.vrid }} disagree on {{ $labels.field }}',
            '{{ $labels.instance }} hears routers of VRID {{ $labels.vrid }} on {{ $labels.interface }} that advertise a different {{ $labels.field }}. keepalived configs have drifted apart.',
          ),
          alert(
            c, 'VrrpMasterFlapping', 'warning', 'masterFlapping',
            'max %s (increase(%s[%s])) > %d' % [perExporter(c, ['interface', 'family', 'vrid']), sel(c, 'vrrpwatch_vrid_master_changes_total'), c.flappingWindow, c.flappingFailovers],
            'VRID {{ $labels.vrid }} changed master {{ $value | printf "%.0f" }} times in ' + words(c.flappingWindow),
            '{{ $labels.instance }} counts {{ $value | printf "%.0f" }} failovers of VRID {{ $labels.vrid }} on {{ $labels.interface }} in ' + words(c.flappingWindow)
            + ': a track_script flaps, or advertisements are being lost.',
          ),
          alert(
            c, 'VrrpAdvertsBlocked', 'warning', 'advertsBlocked',
            'max %s (%s) == 1' % [perExporter(c, ['interface', 'family', 'vrid']), sel(c, 'vrrpwatch_vrid_adverts_blocked')],
            'VRRP advertisements of VRID {{ $labels.vrid }} do not reach {{ $labels.instance }}',
            'The peers answer ping, but no advertisement of the expected VRID {{ $labels.vrid }} arrives at {{ $labels.instance }} on {{ $labels.interface }}: a firewall or the network drops IP protocol 112.',
          ),
          alert(
            c, 'VrrpGatewayUnreachable', 'warning', 'gatewayUnreachable',
            'max %s (%s) == 0' % [perExporter(c, ['target']), sel(c, 'vrrpwatch_probe_up', 'role="gateway"')],
            '{{ $labels.instance }} cannot ping its gateway {{ $labels.target }}',
            'The gateway {{ $labels.target }} has not answered ping from {{ $labels.instance }} for ' + words(c['for'].gatewayUnreachable) + '.',
          ),
          alert(
            c, 'VrrpPeerUnreachable', 'warning', 'peerUnreachable',
            'max %s (%s) == 0' % [perExporter(c, ['target']), sel(c, 'vrrpwatch_probe_up', 'role="peer"')],
            '{{ $labels.instance }} cannot ping its peer {{ $labels.target }}',
            'The peer {{ $labels.target }} has not answered ping from {{ $labels.instance }} for ' + words(c['for'].peerUnreachable) + '.',
          ),
        ],
      },
      {
        name: 'vrrpwatch.cross-node',
        rules: [
          // The same address held by more than one host of one cluster. Sites that reuse an address
          // (every site has its own 10.0.0.3) each have their own holder.
          alert(
            c, 'VrrpVipOnSeveralNodes', 'critical', 'vipOnSeveralNodes',
            'count %s (count %s (%s == 1)) > 1' % [byCluster(c, ['vip']), byCluster(c, ['vip', 'instance']), sel(c, 'vrrpwatch_vip_local')],
            'VIP {{ $labels.vip }} is held by {{ $value }} hosts' + atCluster(c),
            '{{ $value }} hosts have {{ $labels.vip }} on an interface at once: '
            + templateQuery(c, 'vrrpwatch_vip_local', ['vip'], ' == 1', 'instance', '{{ .Labels.instance }} '),
          ),
          // Nodes and witnesses each name the master they hear; different names within one cluster mean
          // some of them do not hear the real master (adverts blocked on the way). Pairs of other sites
          // reuse VRIDs (51 is keepalived's example) with masters of their own.
          alert(
            c, 'VrrpObserversDisagree', 'warning', 'observersDisagree',
            'count %s (count %s (%s == 1)) > 1' % [byCluster(c, ['family', 'vrid']), byCluster(c, ['family', 'vrid', 'router']), sel(c, 'vrrpwatch_vrid_master_info')],
            'Observers disagree about the master of VRID {{ $labels.vrid }} ({{ $labels.family }})' + atCluster(c),
            'Exporters name {{ $value }} different masters for VRID {{ $labels.vrid }}: '
            + templateQuery(c, 'vrrpwatch_vrid_master_info', ['vrid', 'family'], ' == 1', 'instance', '{{ .Labels.instance }} hears {{ .Labels.router }}; '),
          ),
        ],
      },
      {
        name: 'vrrpwatch.exporter',
        rules: [
          alert(
            c, 'VrrpwatchDown', 'warning', 'exporterDown',
            '%s == 0' % sel(c, 'up'),
            'vrrpwatch on {{ $labels.instance }} is not scraped',
            'Prometheus cannot scrape vrrpwatch on {{ $labels.instance }}: split-brains there go unseen.',
          ),
          alert(
            c, 'VrrpwatchCaptureDown', 'warning', 'captureDown',
            'max %s (%s) == 0' % [perExporter(c, ['interface']), sel(c, 'vrrpwatch_capture_up')],
            'vrrpwatch on {{ $labels.instance }} cannot capture on {{ $labels.interface }}',
            'The capture on {{ $labels.interface }} is down (interface down or gone, or no permission): VRRP there is not watched.',
          ),
          alert(
            c, 'VrrpwatchDroppingPackets', 'warning', 'droppingPackets',
            'sum %s (rate(%s[%s])) > 0' % [perExporter(c, ['interface']), sel(c, 'vrrpwatch_capture_dropped_packets_total'), c.droppingWindow],
            'vrrpwatch on {{ $labels.instance }} drops packets on {{ $labels.interface }}',
            'The kernel or libpcap dropped {{ $value | printf "%.2f" }} packets/s on {{ $labels.interface }} for ' + words(c['for'].droppingPackets) + ': judgements may be wrong.',
          ),
        ],
      },
    ],
  },
}
