// The one place to adapt vrrpwatch's rules and dashboards to a deployment: selectors, the cluster
// label, for: durations, thresholds and where the runbook lives. Override any key in your own jsonnet:
//   (import 'vrrpwatch/mixin/mixin.libsonnet') + { _config+:: { vrrpwatchSelector: 'job="vrrp"' } }
{
  _config+:: {
    // Selects every vrrpwatch exporter (nodes and witnesses alike) in every rule and dashboard query.
    vrrpwatchSelector: 'job="vrrpwatch"',

    // The label that tells one site (cluster, data centre) from another: rules that compare exporters
    // compare them only within one value of it, so two sites may reuse a VIP and a VRID. Set it as a
    // target label or an external label (README). Where no series carries it, grouping by it changes
    // nothing: a single site needs no configuration.
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

    // runbook_url of every alert: %s is the alert's name in lower case, which is its section's anchor
    // in docs/runbook.md. The default names that file in this repository (and in the npm package);
    // point it at where your team reads it, for example your Git server's view of the file:
    //   'https://git.example.net/ops/vrrpwatch/blob/main/docs/runbook.md#%s'
    runbookURLPattern: 'docs/runbook.md#%s',

    // Dashboards.
    dashboardTags: ['vrrp', 'keepalived', 'vrrpwatch'],
    dashboardRefresh: '10s',
    dashboardTimeFrom: 'now-3h',
  },
}
