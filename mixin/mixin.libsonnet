// vrrpwatch's monitoring mixin: config, alert rules and dashboards in one object, as node-mixin and
// kubernetes-mixin are. scripts/mixin.sh renders it into alerts/ and dashboards/.
(import 'config.libsonnet') +
(import 'alerts.libsonnet') +
(import 'dashboards/dashboards.libsonnet')
