// Every dashboard of the mixin, by the file name it is written to under dashboards/.
(import 'overview.libsonnet') +
(import 'node.libsonnet')
