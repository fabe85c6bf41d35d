/**
 * serve's own health, in words, for `/healthz` and the status page: critical while it is blind (a capture
 * down, or no interface captured at all: it cannot see VRRP), a warning while a source it was told to read
 * (keepalived.conf, notify_fifo) cannot be read. Pure: capture statuses and source statuses in.
 */

/** An input vrrpwatch was told to read besides the wire. */
export type SourceKind = 'keepalived_config' | 'notify_fifo';

export interface SourceStatus {
  source: SourceKind;
  path: string;
  /** Why it cannot be read now; undefined while it is read. */
  problem: string | undefined;
}

export interface HealthInput {
  captures: readonly { interface: string; up: boolean; problem: string | undefined }[];
  sources: readonly SourceStatus[];
}

export interface HealthLine {
  severity: 'critical' | 'warning';
  text: string;
}

export interface Health {
  /** critical: blind (a capture is down or nothing is captured); warning: a source cannot be read. */
  level: 'ok' | 'warning' | 'critical';
  /** Worst first. */
  lines: HealthLine[];
}

const SOURCE_NAMES: Record<SourceKind, string> = {
  keepalived_config: 'keepalived.conf',
  notify_fifo: "keepalived's notify_fifo",
};

export function healthOf(input: HealthInput): Health {
  const lines: HealthLine[] = [];
  if (input.captures.length === 0) lines.push({ severity: 'critical', text: 'no interface is captured: vrrpwatch sees no VRRP at all' });
  for (const c of input.captures) {
    if (!c.up) lines.push({ severity: 'critical', text: `capture down on ${c.interface}: ${c.problem ?? 'no reason given'}; VRRP there is not seen` });
  }
  for (const s of input.sources) {
    if (s.problem !== undefined) lines.push({ severity: 'warning', text: `${SOURCE_NAMES[s.source]} not read: ${s.problem}` });
  }
  const level = lines.some((l) => l.severity === 'critical') ? 'critical' : lines.length > 0 ? 'warning' : 'ok';
  return { level, lines };
}

/** The body and status of `/healthz`: 503 while blind, 200 otherwise; every line said either way. */
export function healthzResponse(health: Health): { status: number; body: string } {
  const said = health.lines.map((l) => `${l.severity}: ${l.text}\n`).join('');
  if (health.level === 'critical') return { status: 503, body: `blind\n${said}` };
  return { status: 200, body: `ok\n${said}` };
}
