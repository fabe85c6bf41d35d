// The one place to adapt vrrpwatch's rules and dashboards to a deployment: selectors, the cluster
// label, for: durations, thresholds and where the runbook lives. Override any key in your own jsonnet:
//   (import 'vrrpwatch/mixin/mixin.libsonnet') + { _config+:: { vrrpwatchSelector: 'job="vrrp"' } }
{
  _config+:: {
    // Selects every vrrpwatch exporter (nodes and witnesses alike) in every rule. The dashboards need
    // no job name: their `job` variable lists every job whose targets export vrrpwatch_build_info, and
    // dashboardSelector adds matchers of your own to every dashboard query (e.g. 'env="prod"').
    vrrpwatchSelector: 'job="vrrpwatch"',
    dashboardSelector: '',

    // The label that tells one site (cluster, data centre) from another: rules that compare exporters
    // compare them only within one value of it, so two sites may reuse a VIP and a VRID. Within a site,
    // the segment (vrrpwatch_vrid_vip_info) tells apart the groups of many VLANs that reuse a VRID. Set
    // it as a target label or an external label (docs/alerting.md). Where no series carries it,
    // grouping by it changes nothing: a single site needs no configuration.
    clusterLabel: 'cluster',

    // How long each condition must hold before it fires (promtool tests pin each one).
    'for': {
      splitBrain: '15s',
      vipConflict: '15s',
      backupHoldsVip: '30s',
      masterWithoutVip: '30s',
      noMaster: '30s',
      vipOnSeveralNodes: '30s',
      authMismatch: '1m',
      configMismatch: '1m',
      advertsBlocked: '1m',
      foreignTraffic: '1m',
      observersDisagree: '1m',
      masterFlapping: '5m',
      nearFailovers: '5m',
      gatewayUnreachable: '2m',
      peerUnreachable: '2m',
      exporterDown: '2m',
      captureDown: '1m',
      sourceUnreadable: '2m',
      droppingPackets: '10m',
      // VIP ownership on the wire (ARP/NDP): the exporter already confirms each over three probe rounds.
      vipDuplicate: '15s',
      vipForeignOwner: '30s',
      vipUnanswered: '30s',
      failoverWithoutGarp: '0s',
    },

    // VrrpMasterFlapping: more than this many failovers within the window.
    flappingFailovers: 3,
    flappingWindow: '15m',
    // VrrpNearFailovers: more than this many near failovers (a master's adverts pausing for more than
    // two intervals) within the window.
    nearFailoverCount: 2,
    nearFailoverWindow: '15m',
    // VrrpwatchDroppingPackets: the rate window of the capture's drop counter.
    droppingWindow: '5m',
    // VrrpFailoverWithoutGarp: fires while a failover without a gratuitous ARP is this recent.
    garpWindow: '10m',

    // runbook_url of every alert: this base, '#', and the alert's name in lower case (its section's anchor
    // in docs/runbook.md). An absolute URL, so that the link works from a pager or a chat; the default is
    // the runbook in vrrpwatch's repository. Point it at where your team reads it, for example your Git
    // server's view of the file: 'https://git.example.net/ops/vrrpwatch/blob/main/docs/runbook.md'.
    runbookBaseURL: 'https://github.com/vrrpwatch/vrrpwatch/blob/main/docs/runbook.md',

    // Alertmanager (rendered into alerts/vrrpwatch.alertmanager.yml and used by packaging/alertmanager.yml):
    // one notification per incident. A VRRP group is one (cluster, family, vrid, segment): every exporter
    // that sees a split-brain, and its consequences on the group's VIPs, land in one notification.
    alertmanagerGroupBy: [self.clusterLabel, 'family', 'vrid', 'segment'],

    // The exporters' status pages, linked from the dashboards: scheme://instance/ ('https' with
    // --web.config.file's TLS).
    statusPageScheme: 'http',

    // Dashboards.
    dashboardTags: ['vrrp', 'keepalived', 'vrrpwatch'],
    dashboardRefresh: '10s',
    dashboardTimeFrom: 'now-3h',
  },
}
