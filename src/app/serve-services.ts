/**
 * The services `serve` runs beside the web server, each with its log lines: the capture, the pings of
 * peers and gateway, and keepalived's notify_fifo. A reload (reload.ts) replaces the pinger and the FIFO
 * reader through the same starters; the capture reconfigures itself.
 */
import { now } from '../adapters/clock.js';
import { LiveCapture } from '../adapters/capture.js';
import { NOTIFY_LINE_MAX_BYTES, NotifyFifo } from '../adapters/keepalived.js';
import type { Logger } from '../adapters/log.js';
import { Pinger } from '../adapters/pinger.js';
import type { Running, Starters } from './reload.js';
import type { Settings } from './settings.js';
import type { Pipeline } from '../core/pipeline/pipeline.js';

/** How often a notify_fifo line too long is logged at most (each one is counted). */
const LONG_LINE_LOG_EVERY_S = 10;

function startCapture(s: Settings, pipeline: Pipeline, log: Logger): LiveCapture {
  return new LiveCapture(s.config.interfaces, pipeline.onFrame, {
    onChange(iface, up, problem) {
      if (up) log.info({ interface: iface }, 'capture running');
      else log.warn({ interface: iface, problem }, 'capture down');
    },
    onDiscovery(problem) {
      if (problem === undefined) log.info('the network interfaces can be listed again');
      else log.warn({ problem }, 'cannot list the network interfaces; the running captures go on, retrying every second');
    },
    onPlan(plan, all) {
      pipeline.vlanNames = plan.vlanNames;
      if (!all) return;
      const skipped = Object.fromEntries(plan.skipped);
      log.info({ interfaces: plan.capture, ...(plan.skipped.size > 0 ? { skipped } : {}) }, 'capturing on every interface');
    },
  });
}

function startPinger(s: Settings, log: Logger): Pinger {
  const p = new Pinger(s.probeTargets, s.config.probe, (result, previous) => {
    if (previous !== undefined && previous.up === result.up) return;
    const fields = { target: result.target, role: result.role };
    if (result.up) log.info({ ...fields, rtt_seconds: result.rtt }, `${result.role} answers ping`);
    else log.warn({ ...fields, finding: 'probe_down', loss: result.loss }, `${result.role} does not answer ping`);
  });
  p.start();
  return p;
}

/**
 * Reads keepalived's notify_fifo when keepalived.conf (or the config) names one. A problem opening it is
 * logged once per distinct problem (the reader retries every 2 s without a word) and shows in
 * `vrrpwatch_source_readable` and on the status page.
 */
function startFifo(s: Settings, log: Logger): NotifyFifo | undefined {
  if (s.notifyFifoSkipped !== undefined) log.warn({ problem: s.notifyFifoSkipped }, 'keepalived notify_fifo not read');
  if (s.notifyFifo === undefined) return undefined;
  const path = s.notifyFifo;
  let longLineLogged = -Infinity;
  let opened = false;
  const fifo = new NotifyFifo(path, {
    state(instance, state, priority) {
      log.info({ instance, state, priority }, 'keepalived state');
    },
    status(problem) {
      if (problem === undefined) {
        log.info({ path }, opened ? 'reading keepalived notify_fifo again' : 'reading keepalived notify_fifo');
        opened = true;
      } else {
        log.warn({ path, problem, finding: 'source_unreadable', source: 'notify_fifo' }, "keepalived's notify_fifo cannot be read; retrying every 2 s, logged again only if the problem changes");
      }
    },
    gone() {
      // keepalived closes it at every stop, graceful or not: its states are no longer known.
      log.info({ path }, 'keepalived closed notify_fifo (stopped or killed): its states are forgotten until it reports again');
    },
    longLine(dropped) {
      if (now() - longLineLogged < LONG_LINE_LOG_EVERY_S) return;
      longLineLogged = now();
      log.warn({ path, dropped }, `a notify_fifo line longer than ${NOTIFY_LINE_MAX_BYTES} bytes was dropped (not keepalived's; logged at most every 10 s)`);
    },
  });
  fifo.start();
  return fifo;
}

/** How a reload starts the services it replaces. */
export function starters(log: Logger): Starters {
  return { pinger: (s) => startPinger(s, log), fifo: (s) => startFifo(s, log) };
}

/** Starts every service for the first time. */
export function startServices(s: Settings, pipeline: Pipeline, log: Logger): Running {
  return { settings: s, capture: startCapture(s, pipeline, log), pinger: startPinger(s, log), fifo: startFifo(s, log) };
}
