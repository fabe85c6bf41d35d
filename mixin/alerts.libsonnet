// vrrpwatch's alert rules and the Alertmanager side that makes one page per incident, built from
// config.libsonnet (selectors, cluster label, for:, thresholds, runbook base, group_by).
//
// To add an alert, add one entry to the list of its group below, and nothing else in the mixin:
//   alert(c, name='VrrpSomething', severity='critical' or 'warning', forKey='someKey', expr=..., summary=..., description=...)
//   - give its for: a key in config.libsonnet's `for` (someKey: '30s');
//   - an alert judged by one exporter aggregates with perExporter(c, [its labels]); a group's alert
//     takes its segment with withSegment(c, expr); one that compares exporters groups with
//     byGroup(c, ...) (a VRRP group: cluster, family, vrid, segment) or byCluster(c, ['vip', ...]),
//     so that neither sites nor the segments of one site mix;
//   - select every metric with c.vrrpwatchSelector, and in template queries filter by the cluster label;
//   - if it is a consequence of another alert on the same group, add it to inhibitRules below;
//   - write its runbook section `## VrrpSomething` in docs/runbook.md (runbook_url points there);
// then run scripts/mixin.sh (it writes alerts/ and dashboards/), add a promtool case just before and
// just after its for: in test/alerts/, and list it in docs/alerting.md's alerts table.
local alert(c, name, severity, forKey, expr, summary, description) = {
  alert: name,
  expr: expr,
  'for': c['for'][forKey],
  labels: { severity: severity },
  annotations: {
    summary: summary,
    description: description,
    runbook_url: c.runbookBaseURL + '#' + std.asciiLower(name),
  },
};

// A for: or range duration in words for descriptions: '2m' -> '2 minutes', '15s' -> '15 seconds'.
local words(duration) =
  local n = std.parseInt(std.substr(duration, 0, std.length(duration) - 1));
  local unit = { s: 'second', m: 'minute', h: 'hour' }[std.substr(duration, std.length(duration) - 1, 1)];
  '%d %s%s' % [n, unit, if n == 1 then '' else 's'];

local list(labels) = std.join(', ', labels);
// The labels of one group as one exporter names it (its interface names are its own).
local exporterGroup(c) = [c.clusterLabel, 'job', 'instance', 'interface', 'family', 'vrid'];
// `by (...)` of a rule judged by one exporter: the cluster label, the exporter, and the rule's own labels.
local perExporter(c, labels) = 'by (' + list([c.clusterLabel, 'job', 'instance'] + labels) + ')';
// `by (...)` of a rule that compares exporters: within one cluster only.
local byCluster(c, labels) = 'by (' + list([c.clusterLabel] + labels) + ')';
// `by (...)` of one VRRP group across exporters: a VRID is unique per segment only, so a group is its
// cluster, family, VRID and segment (the lowest address it advertises, vrrpwatch_vrid_vip_info).
local groupLabels(c) = [c.clusterLabel, 'family', 'vrid', 'segment'];
local byGroup(c, labels=[]) = 'by (' + list(groupLabels(c) + labels) + ')';
// A metric with the exporters' selector and extra matchers.
local sel(c, metric, extra='') = metric + '{' + c.vrrpwatchSelector + (if extra == '' then '' else ',' + extra) + '}';

// Each group an exporter hears or expects, with its segment: one series per group (value 1).
local segments(c) = 'group %s (%s)' % ['by (' + list(exporterGroup(c) + ['segment']) + ')', sel(c, 'vrrpwatch_vrid_vip_info')];
// `expr` (labels include exporterGroup) with the group's segment label added; a group without one (it
// advertises no address) keeps its series without it. Values are kept (the segments are 1).
local withSegment(c, expr) =
  local on = 'on (' + list(exporterGroup(c)) + ')';
  '(%s) * %s group_left (segment) %s or %s (%s)' % [expr, on, segments(c), on, expr];
// `expr` (labels include the cluster and `vip`, and `on` of the exporter when given) with the family, VRID
// and segment of the group that advertises the VIP. A VIP two VRIDs advertise (VrrpVipConflict) takes one
// of them; a VIP no group advertises keeps its series without them.
local withVipGroup(c, expr, on=[]) =
  local keys = [c.clusterLabel] + on + ['vip'];
  local groups = 'topk by (%s) (1, group by (%s) (%s))' % [list(keys), list(keys + ['family', 'vrid', 'segment']), sel(c, 'vrrpwatch_vrid_vip_info')];
  '(%s) * on (%s) group_left (family, vrid, segment) %s or on (%s) (%s)' % [expr, list(keys), groups, list(keys), expr];

// A template query filled in with the alert's labels `args` (one for each '%s' of `query`, in order),
// its results sorted by `sortBy` and, among equals, by instance (sortByLabel is stable; a query's
// results come in any order), each written by `each` (a template over .Labels).
local templateQueryOf(query, args, sortBy, each) =
  '{{ with printf `' + query + '` ' + std.join(' ', ['$labels.' + l for l in args]) + ' | query | sortByLabel "instance" | sortByLabel "' + sortBy + '" }}'
  + '{{ range . }}' + each + '{{ end }}{{ end }}';
// The same over the alert's own cluster and the given labels of the alert, cluster first.
local templateQuery(c, query, labels, sortBy, each) = templateQueryOf(query, [c.clusterLabel] + labels, sortBy, each);
// A metric's series of the alert's cluster and labels, as a template query text.
local ofAlert(c, metric, labels, tail='') = sel(c, metric, std.join(',', [l + "='%s'" for l in [c.clusterLabel] + labels])) + tail;

// " at SITE" in a summary when the alert carries the cluster label, nothing otherwise.
local atCluster(c) = '{{ with $labels.' + c.clusterLabel + ' }} at {{ . }}{{ end }}';
// " (segment ADDRESS)" when the alert carries the group's segment.
local ofSegment = '{{ with $labels.segment }}, segment {{ . }}{{ end }}';

{
  prometheusAlerts+:: {
    local c = $._config,
    groups+: [
      {
        name: 'vrrpwatch.groups',
        rules: [
          // Judged by the exporter (two routers keep advertising as master); a failover never sets it.
          // Every exporter of the segment judges it: one alert each, one notification (alertmanagerGroupBy).
          alert(
            c,
            name='VrrpSplitBrain',
            severity='critical',
            forKey='splitBrain',
            expr=withSegment(c, 'max %s (%s) == 1' % [perExporter(c, ['interface', 'family', 'vrid']), sel(c, 'vrrpwatch_vrid_split_brain')]),
            summary='VRRP split-brain on VRID {{ $labels.vrid }} ({{ $labels.family }}, {{ $labels.interface }}' + ofSegment + ')',
            description='{{ $labels.instance }} sees more than one master for VRID {{ $labels.vrid }} on {{ $labels.interface }} ({{ $labels.family }}): '
                        + 'the routers keep advertising after each other, so both hold the virtual address. Masters: '
                        + templateQuery(c, ofAlert(c, 'vrrpwatch_vrid_master_info', ['job', 'instance', 'interface', 'family', 'vrid']), ['job', 'instance', 'interface', 'family', 'vrid'], 'router', '{{ .Labels.router }} '),
          ),
          // Masters of two VRIDs advertise one address: each group is healthy on its own, yet both hold it.
          alert(
            c,
            name='VrrpVipConflict',
            severity='critical',
            forKey='vipConflict',
            expr=withSegment(c, 'max %s (%s) == 1' % [perExporter(c, ['interface', 'family', 'vrid']), sel(c, 'vrrpwatch_vrid_vip_conflict')]),
            summary="The master of VRID {{ $labels.vrid }} ({{ $labels.family }}, {{ $labels.interface }}) shares a VIP with another VRID's master",
            description='{{ $labels.instance }} hears the master of VRID {{ $labels.vrid }} on {{ $labels.interface }} advertise a virtual address that the master of another VRID advertises too: '
                        + 'both hold it (a split-brain across VRIDs, typically a wrong virtual_router_id on one node). Masters: '
                        + templateQuery(
                          c,
                          ofAlert(c, 'vrrpwatch_vrid_master_info', ['job', 'instance', 'interface', 'family'])
                          + ' and on (%s, job, instance, interface, family, vrid) (%s == 1)' % [c.clusterLabel, sel(c, 'vrrpwatch_vrid_vip_conflict')],
                          ['job', 'instance', 'interface', 'family'],
                          'vrid',
                          'VRID {{ .Labels.vrid }} {{ .Labels.router }}; ',
                        ),
          ),
          alert(
            c,
            name='VrrpBackupHoldsVip',
            severity='critical',
            forKey='backupHoldsVip',
            expr=withVipGroup(c, 'max %s (%s) == 1' % [perExporter(c, ['interface', 'vrid', 'vip']), sel(c, 'vrrpwatch_vip_backup_holding')], ['job', 'instance']),
            summary='{{ $labels.instance }} holds VIP {{ $labels.vip }} of VRID {{ $labels.vrid }} without being master',
            description='{{ $labels.instance }} has {{ $labels.vip }} on an interface but is not the master of VRID {{ $labels.vrid }} ({{ $labels.interface }}). '
                        + 'Two hosts answer for the address; typically keepalived was killed (SIGKILL, OOM) and left the address behind.',
          ),
          alert(
            c,
            name='VrrpMasterWithoutVip',
            severity='critical',
            forKey='masterWithoutVip',
            expr=withVipGroup(c, 'max %s (%s) == 1' % [perExporter(c, ['interface', 'vrid', 'vip']), sel(c, 'vrrpwatch_vip_master_missing')], ['job', 'instance']),
            summary='{{ $labels.instance }} is master of VRID {{ $labels.vrid }} but does not hold {{ $labels.vip }}',
            description='{{ $labels.instance }} advertises as master of VRID {{ $labels.vrid }} on {{ $labels.interface }}, yet the virtual address {{ $labels.vip }} is not on any of its interfaces: nobody serves it.',
          ),
          alert(
            c,
            name='VrrpNoMaster',
            severity='critical',
            forKey='noMaster',
            expr=withSegment(c, 'max %s (%s) == 1' % [perExporter(c, ['interface', 'family', 'vrid']), sel(c, 'vrrpwatch_vrid_no_master')]),
            summary='VRID {{ $labels.vrid }} ({{ $labels.family }}, {{ $labels.interface }}' + ofSegment + ') has no master',
            description='{{ $labels.instance }} hears no master for VRID {{ $labels.vrid }} on {{ $labels.interface }}, which had one or is expected by the config: the virtual address is probably down.',
          ),
          alert(
            c,
            name='VrrpAuthMismatch',
            severity='warning',
            forKey='authMismatch',
            expr=withSegment(c, 'max %s (%s) == 1' % [perExporter(c, ['interface', 'family', 'vrid']), sel(c, 'vrrpwatch_vrid_auth_mismatch')]),
            summary='Routers of VRID {{ $labels.vrid }} disagree on VRRP authentication',
            description="{{ $labels.instance }} hears routers of VRID {{ $labels.vrid }} on {{ $labels.interface }} with different auth types or passwords. They drop each other's advertisements: the next failover can become a split-brain.",
          ),
          alert(
            c,
            name='VrrpConfigMismatch',
            severity='warning',
            forKey='configMismatch',
            expr=withSegment(c, 'max %s (%s) == 1' % [perExporter(c, ['interface', 'family', 'vrid', 'field']), sel(c, 'vrrpwatch_vrid_config_mismatch')]),
            summary='Routers of VRID {{ $labels.vrid }} disagree on {{ $labels.field }}',
            description='{{ $labels.instance }} hears routers of VRID {{ $labels.vrid }} on {{ $labels.interface }} that advertise a different {{ $labels.field }}. keepalived configs have drifted apart.',
          ),
          alert(
            c,
            name='VrrpMasterFlapping',
            severity='warning',
            forKey='masterFlapping',
            expr=withSegment(c, 'max %s (increase(%s[%s])) > %d' % [perExporter(c, ['interface', 'family', 'vrid']), sel(c, 'vrrpwatch_vrid_master_changes_total'), c.flappingWindow, c.flappingFailovers]),
            summary='VRID {{ $labels.vrid }} changed master {{ $value | printf "%.0f" }} times in ' + words(c.flappingWindow),
            description='{{ $labels.instance }} counts {{ $value | printf "%.0f" }} failovers of VRID {{ $labels.vrid }} on {{ $labels.interface }} in ' + words(c.flappingWindow)
                        + ': a track_script flaps, or advertisements are being lost.',
          ),
          alert(
            c,
            name='VrrpNearFailovers',
            severity='warning',
            forKey='nearFailovers',
            expr=withSegment(c, 'max %s (increase(%s[%s])) > %d' % [perExporter(c, ['interface', 'family', 'vrid']), sel(c, 'vrrpwatch_vrid_near_failovers_total'), c.nearFailoverWindow, c.nearFailoverCount]),
            summary='The master of VRID {{ $labels.vrid }} paused its advertisements {{ $value | printf "%.0f" }} times in ' + words(c.nearFailoverWindow),
            description='{{ $labels.instance }} heard the master of VRID {{ $labels.vrid }} on {{ $labels.interface }} go silent for more than two advert intervals {{ $value | printf "%.0f" }} times in ' + words(c.nearFailoverWindow)
                        + ' (vrrpwatch_vrid_longest_advert_gap_seconds says how long): a busy CPU or a lossy link, close to a failover.',
          ),
          alert(
            c,
            name='VrrpFailoverAtRisk',
            severity='warning',
            forKey='failoverAtRisk',
            expr=withSegment(c, 'max %s (%s) == 1' % [perExporter(c, ['interface', 'family', 'vrid']), sel(c, 'vrrpwatch_vrid_failover_risk')]),
            summary='The master of VRID {{ $labels.vrid }} is at risk of a failover: its adverts come close to the takeover deadline',
            description='{{ $labels.instance }} hears the master of VRID {{ $labels.vrid }} on {{ $labels.interface }} miss adverts often enough that a backup nearly takes over'
                        + ' (gaps within one interval of its Master_Down_Interval and 6 adverts missing within 60 intervals, at least 30 s; vrrpwatch_vrid_advert_gap_margin_seconds is the margin left):'
                        + ' a stalled master if every exporter of the segment sees it, a lossy path if only some do.',
          ),
          alert(
            c,
            name='VrrpAdvertsBlocked',
            severity='warning',
            forKey='advertsBlocked',
            expr=withSegment(c, 'max %s (%s) == 1' % [perExporter(c, ['interface', 'family', 'vrid']), sel(c, 'vrrpwatch_vrid_adverts_blocked')]),
            summary='VRRP advertisements of VRID {{ $labels.vrid }} do not reach {{ $labels.instance }}',
            description='The peers answer ping, but no advertisement of the expected VRID {{ $labels.vrid }} arrives at {{ $labels.instance }} on {{ $labels.interface }}: a firewall or the network drops IP protocol 112.',
          ),
          alert(
            c,
            name='VrrpForeignTrafficOnVrid',
            severity='warning',
            forKey='foreignTraffic',
            expr=withSegment(c, 'max %s (%s) == 1' % [perExporter(c, ['interface', 'family', 'vrid', 'protocol']), sel(c, 'vrrpwatch_vrid_foreign_adverts')]),
            summary='{{ $labels.protocol }} traffic uses VRID {{ $labels.vrid }} on {{ $labels.interface }}',
            description='{{ $labels.instance }} hears {{ $labels.protocol }} advertisements on {{ $labels.interface }} ({{ $labels.family }}) whose vhid is VRID {{ $labels.vrid }} of a VRRP group there: the VRRP routers read them as their own group and the VRID flaps.',
          ),
          alert(
            c,
            name='VrrpGatewayUnreachable',
            severity='warning',
            forKey='gatewayUnreachable',
            expr='max %s (%s) == 0' % [perExporter(c, ['target']), sel(c, 'vrrpwatch_probe_up', 'role="gateway"')],
            summary='{{ $labels.instance }} cannot ping its gateway {{ $labels.target }}',
            description='The gateway {{ $labels.target }} has not answered ping from {{ $labels.instance }} for ' + words(c['for'].gatewayUnreachable) + '.',
          ),
          alert(
            c,
            name='VrrpPeerUnreachable',
            severity='warning',
            forKey='peerUnreachable',
            expr='max %s (%s) == 0' % [perExporter(c, ['target']), sel(c, 'vrrpwatch_probe_up', 'role="peer"')],
            summary='{{ $labels.instance }} cannot ping its peer {{ $labels.target }}',
            description='The peer {{ $labels.target }} has not answered ping from {{ $labels.instance }} for ' + words(c['for'].peerUnreachable) + '.',
          ),
        ],
      },
      {
        name: 'vrrpwatch.cross-node',
        rules: [
          // The same address held by more than one host of one cluster. Sites that reuse an address
          // (every site has its own 10.0.0.3) each have their own holder.
          alert(
            c,
            name='VrrpVipOnSeveralNodes',
            severity='critical',
            forKey='vipOnSeveralNodes',
            expr=withVipGroup(c, 'count %s (count %s (%s == 1)) > 1' % [byCluster(c, ['vip']), byCluster(c, ['vip', 'instance']), sel(c, 'vrrpwatch_vip_local')]),
            summary='VIP {{ $labels.vip }} is held by {{ $value }} hosts' + atCluster(c),
            description='{{ $value }} hosts have {{ $labels.vip }} on an interface at once: '
                        + templateQuery(c, ofAlert(c, 'vrrpwatch_vip_local', ['vip'], ' == 1'), ['vip'], 'instance', '{{ .Labels.instance }} '),
          ),
          // Nodes and witnesses each name the masters they hear of a group (cluster, family, VRID,
          // segment). They disagree when a router is named by some observers of the group and not by
          // others: some do not hear the real master (adverts blocked on the way). One observer hearing
          // two masters is a split-brain (VrrpSplitBrain), never a disagreement with itself; the groups
          // of other segments and sites that reuse the VRID have their own masters.
          local named = 'group %s ((%s == 1) * on (%s) group_left (segment) %s)' % [
            byGroup(c, ['job', 'instance', 'router']),
            sel(c, 'vrrpwatch_vrid_master_info'),
            list(exporterGroup(c)),
            segments(c),
          ];
          alert(
            c,
            name='VrrpObserversDisagree',
            severity='warning',
            forKey='observersDisagree',
            expr='count %s (count %s (%s) < on (%s) group_left count %s (group %s (%s)))' % [
              byGroup(c),
              byGroup(c, ['router']),
              named,
              list(groupLabels(c)),
              byGroup(c),
              byGroup(c, ['job', 'instance']),
              named,
            ],
            summary='Observers disagree about the master of VRID {{ $labels.vrid }} ({{ $labels.family }}' + ofSegment + ')' + atCluster(c),
            description='Not every exporter of the group names the same masters ({{ $value }} named by some only): '
                        + templateQueryOf(
                          '(%s == 1) * on (%s) group_left (segment) group by (%s) (%s)' % [
                            ofAlert(c, 'vrrpwatch_vrid_master_info', ['family', 'vrid']),
                            list(exporterGroup(c)),
                            list(exporterGroup(c) + ['segment']),
                            sel(c, 'vrrpwatch_vrid_vip_info', c.clusterLabel + "='%s',segment='%s'"),
                          ],
                          [c.clusterLabel, 'family', 'vrid', c.clusterLabel, 'segment'],
                          'instance',
                          '{{ .Labels.instance }} hears {{ .Labels.router }}; ',
                        ),
          ),
        ],
      },
      {
        // Who answers ARP/NDP for each VIP, compared with the VRRP masters (issue 15). Every exporter on
        // the segment judges the same wire, so each alert is one per cluster and VIP, naming who sees it;
        // sites that reuse a VIP each have their own owner and never mix. Each carries the family, VRID
        // and segment of the VIP's group, so that it joins that group's notification and inhibitions.
        name: 'vrrpwatch.wire',
        rules: [
          alert(
            c,
            name='VrrpVipDuplicate',
            severity='critical',
            forKey='vipDuplicate',
            expr=withVipGroup(c, 'max %s (%s) == 1' % [byCluster(c, ['vip']), sel(c, 'vrrpwatch_vip_duplicate')]),
            summary='VIP {{ $labels.vip }} is answered by more than one MAC' + atCluster(c),
            description='More than one MAC answers ARP/NDP for {{ $labels.vip }}, so clients are split between them (a split-brain on the wire, whatever VRRP shows). Answering: '
                        + templateQuery(
                          c,
                          ofAlert(c, 'vrrpwatch_vip_owner_info', ['vip'])
                          + ' and on (%s, job, instance, interface, vip) (%s == 1)' % [c.clusterLabel, sel(c, 'vrrpwatch_vip_duplicate')],
                          ['vip'],
                          'mac',
                          '{{ .Labels.mac }}{{ with .Labels.router }} ({{ . }}){{ end }} heard by {{ .Labels.instance }}; ',
                        ),
          ),
          alert(
            c,
            name='VrrpVipForeignOwner',
            severity='critical',
            forKey='vipForeignOwner',
            expr=withVipGroup(c, 'max %s (%s) == 1' % [byCluster(c, ['vip', 'mac']), sel(c, 'vrrpwatch_vip_foreign_owner')]),
            summary='VIP {{ $labels.vip }} is answered by {{ $labels.mac }}, which is no VRRP master' + atCluster(c),
            description='{{ $labels.mac }} answers ARP/NDP for {{ $labels.vip }} but is the MAC of no master of its VRRP group: an LVS-DR real server without arp_ignore/arp_announce, '
                        + 'a stale host or a misconfigured neighbour takes its traffic. Heard by: '
                        + templateQuery(c, ofAlert(c, 'vrrpwatch_vip_foreign_owner', ['vip', 'mac'], ' == 1'), ['vip', 'mac'], 'instance', '{{ .Labels.instance }} '),
          ),
          alert(
            c,
            name='VrrpVipUnanswered',
            severity='critical',
            forKey='vipUnanswered',
            expr=withVipGroup(c, 'max %s (%s) == 1' % [byCluster(c, ['vip']), sel(c, 'vrrpwatch_vip_unanswered')]),
            summary='Nobody answers ARP/NDP for VIP {{ $labels.vip }}' + atCluster(c),
            description='The VRRP group of {{ $labels.vip }} has a master, yet nobody answers ARP/NDP for the address: the master does not hold it or its answers do not reach the segment. Seen by: '
                        + templateQuery(c, ofAlert(c, 'vrrpwatch_vip_unanswered', ['vip'], ' == 1'), ['vip'], 'instance', '{{ .Labels.instance }} '),
          ),
          // A counter: it fires as it increases (a counter that appears with a count increases too) and
          // resolves garpWindow later. One alert per group (cluster, family, VRID, segment).
          local garp = sel(c, 'vrrpwatch_vrid_failovers_without_garp_total');
          alert(
            c,
            name='VrrpFailoverWithoutGarp',
            severity='warning',
            forKey='failoverWithoutGarp',
            expr='max %s (%s) > 0 or max %s (%s) > 0' % [
              byGroup(c),
              withSegment(c, 'increase(%s[%s])' % [garp, c.garpWindow]),
              byGroup(c),
              withSegment(c, '%s unless %s offset %s' % [garp, garp, c.garpWindow]),
            ],
            summary='VRID {{ $labels.vrid }} ({{ $labels.family }}' + ofSegment + ') failed over without a gratuitous ARP' + atCluster(c),
            description='The new master of VRID {{ $labels.vrid }} sent no gratuitous ARP (or unsolicited Neighbor Advertisement) for its VIPs within seconds of taking over, '
                        + 'in the last ' + words(c.garpWindow) + ': clients and switches may keep sending to the old master until their ARP entries expire.',
          ),
        ],
      },
      {
        name: 'vrrpwatch.exporter',
        rules: [
          alert(
            c,
            name='VrrpwatchDown',
            severity='warning',
            forKey='exporterDown',
            expr='%s == 0' % sel(c, 'up'),
            summary='vrrpwatch on {{ $labels.instance }} is not scraped',
            description='Prometheus cannot scrape vrrpwatch on {{ $labels.instance }}: split-brains there go unseen.',
          ),
          alert(
            c,
            name='VrrpwatchCaptureDown',
            severity='warning',
            forKey='captureDown',
            expr='max %s (%s) == 0' % [perExporter(c, ['interface']), sel(c, 'vrrpwatch_capture_up')],
            summary='vrrpwatch on {{ $labels.instance }} cannot capture on {{ $labels.interface }}',
            description='The capture on {{ $labels.interface }} is down (interface down or gone, or no permission): VRRP there is not watched.',
          ),
          alert(
            c,
            name='VrrpwatchSourceUnreadable',
            severity='warning',
            forKey='sourceUnreadable',
            expr='max %s (%s) == 0' % [perExporter(c, ['source', 'path']), sel(c, 'vrrpwatch_source_readable')],
            summary='vrrpwatch on {{ $labels.instance }} cannot read {{ $labels.path }}',
            description='vrrpwatch cannot read its {{ $labels.source }} source {{ $labels.path }} (permission denied, or missing): '
                        + 'without keepalived.conf it judges no expectations, without the notify FIFO no split only keepalived can tell. Its log says why.',
          ),
          alert(
            c,
            name='VrrpwatchDroppingPackets',
            severity='warning',
            forKey='droppingPackets',
            expr='sum %s (rate(%s[%s])) > 0' % [perExporter(c, ['interface']), sel(c, 'vrrpwatch_capture_dropped_packets_total'), c.droppingWindow],
            summary='vrrpwatch on {{ $labels.instance }} drops packets on {{ $labels.interface }}',
            description='The kernel or libpcap dropped {{ $value | printf "%.2f" }} packets/s on {{ $labels.interface }} for ' + words(c['for'].droppingPackets) + ': judgements may be wrong.',
          ),
        ],
      },
    ],
  },

  // The Alertmanager side (alerts/vrrpwatch.alertmanager.yml, and packaging/alertmanager.yml): one
  // notification per incident. group_by keeps the alerts of one VRRP group together (every exporter
  // that sees it, and its VIPs' alerts, which carry the group's labels); the inhibitions keep the
  // consequences of a split-brain (and of a VIP left behind) out of the pager while their cause fires.
  alertmanager+:: {
    local c = $._config,
    route: { group_by: c.alertmanagerGroupBy },
    inhibit_rules: [
      {
        // Both masters answer for the group's VIPs and hold them; observers may name different masters;
        // each heal counts as a failover.
        source_matchers: ['alertname="VrrpSplitBrain"'],
        target_matchers: ['alertname=~"VrrpVipDuplicate|VrrpVipOnSeveralNodes|VrrpObserversDisagree|VrrpMasterFlapping"'],
        equal: groupLabels(c),
      },
      {
        // A split-brain across VRIDs: two masters hold the shared VIP.
        source_matchers: ['alertname="VrrpVipConflict"'],
        target_matchers: ['alertname=~"VrrpVipDuplicate|VrrpVipOnSeveralNodes"'],
        equal: groupLabels(c),
      },
      {
        // A backup that kept the VIP (keepalived killed) answers for it beside the master.
        source_matchers: ['alertname="VrrpBackupHoldsVip"'],
        target_matchers: ['alertname=~"VrrpVipDuplicate|VrrpVipOnSeveralNodes"'],
        equal: [c.clusterLabel, 'vip'],
      },
      {
        // The risk is judged from the same gaps that make near failovers: one warning for one cause.
        source_matchers: ['alertname="VrrpFailoverAtRisk"'],
        target_matchers: ['alertname="VrrpNearFailovers"'],
        equal: groupLabels(c),
      },
    ],
  },
}
