/**
 * The few pieces both HTML pages share: escaping (every text from the network goes through `esc`),
 * UTC times, a time axis for SVG timelines, and the page frame with its inline style sheet. Pure.
 */

import { visibleLines } from './terminal.js';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text or attribute value as HTML: safe inside elements and inside double- or single-quoted attributes,
 * and with the controls a page must not carry (NUL, ESC and the other C0 and C1 controls, DEL, the bidi
 * controls that would reorder what the page seems to say) shown as `\x1b`, `\u202e`, as a terminal shows them.
 */
export function esc(text: string | number): string {
  return visibleLines(String(text)).replace(/[&<>"']/g, (ch) => ENTITIES[ch] ?? ch);
}

/**
 * A time as ISO 8601 to the millisecond; one no Date holds (the parser rejects them; this guards every
 * report anyway) shows as question marks of the same shape rather than throwing RangeError.
 */
export function isoTime(t: number): string {
  const d = new Date(Math.round(t * 1000));
  return Number.isNaN(d.getTime()) ? '????-??-??T??:??:??.???Z' : d.toISOString();
}

/** `2026-12-01 21:09:29.120 UTC`: times in the pages are always UTC, to the millisecond when it matters. */
export function utc(t: number, millis = false): string {
  const iso = isoTime(t);
  return `${iso.slice(0, 10)} ${iso.slice(11, millis ? 23 : 19)} UTC`;
}

/** `21:09:29` (UTC), for axis ticks and compact lists. */
export function clock(t: number): string {
  return isoTime(t).slice(11, 19);
}

/** A number as SVG coordinates want it: at most one decimal. */
export function n(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/** Maps times in [start, end] onto x in [left, left + width]; a zero-length span maps everything to left. */
export class TimeAxis {
  readonly span: number;

  constructor(
    readonly start: number,
    readonly end: number,
    readonly left: number,
    readonly width: number,
  ) {
    this.span = Math.max(end - start, 1e-6);
  }

  x(t: number): number {
    return this.left + (Math.min(Math.max(t, this.start), this.end) - this.start) / this.span * this.width;
  }

  /** An interval's x and width (an open end runs to the end of the axis), at least 1 unit wide to stay visible. */
  bar(start: number, end: number | null): { x: number; w: number } {
    const x = this.x(start);
    return { x, w: Math.max(1, this.x(end ?? this.end) - x) };
  }

  /** Tick marks with UTC labels at a round step, about `count` of them, as SVG. */
  ticks(top: number, bottom: number, count = 6): string {
    const steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21_600, 43_200, 86_400];
    const step = steps.find((s) => this.span / s <= count) ?? 86_400;
    const parts: string[] = [];
    for (let t = Math.ceil(this.start / step) * step; t <= this.end; t += step) {
      const x = n(this.x(t));
      parts.push(`<line class="tick" x1="${x}" y1="${top}" x2="${x}" y2="${bottom}"/><text class="axis" x="${x}" y="${bottom + 11}" text-anchor="middle">${clock(t)}</text>`);
    }
    return parts.join('');
  }
}

const STYLE = `
:root{--ok:#1a7f37;--warn:#9a6700;--crit:#cf222e;--muted:#57606a;--line:#d0d7de;--band:#0969da}
*{box-sizing:border-box}
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;margin:1.5em auto;max-width:1100px;padding:0 1em}
h1{font-size:1.5em;margin:0 0 .2em}h2{font-size:1.15em;margin:1.2em 0 .4em}
table{border-collapse:collapse;margin:.4em 0 .8em}th,td{border-bottom:1px solid var(--line);padding:.2em .6em;text-align:left;vertical-align:top}
th{font-weight:600;background:#f6f8fa}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:var(--muted)}.ok{color:var(--ok)}.warning{color:var(--warn)}.critical{color:var(--crit);font-weight:600}
.sev{display:inline-block;border-radius:3px;padding:0 .35em;margin:0 .25em .1em 0;font-size:.85em;border:1px solid currentColor}
details.group{border:1px solid var(--line);border-radius:6px;margin:.35em 0;padding:.2em .7em}
details.group>summary{cursor:pointer;padding:.2em 0}details.group[open]>summary{border-bottom:1px solid var(--line);margin-bottom:.4em}
svg{display:block;max-width:100%;height:auto;font:11px system-ui,sans-serif}svg.history{max-width:none}
svg .axis{fill:var(--muted);font-size:10px}svg .tick{stroke:var(--line)}svg .lane{fill:#f6f8fa}
svg .label{fill:#1f2328}svg .master{fill:var(--band)}svg .split{fill:var(--crit);fill-opacity:.22}
svg .split-edge{stroke:var(--crit);stroke-width:1.5}svg .nomaster{fill:#6e7781;fill-opacity:.25}
svg .gap{fill:#fb8f44}svg .prio-label{fill:var(--muted);font-size:9px}svg .mismatch{fill:var(--warn);fill-opacity:.5}svg .conflict{fill:var(--crit);fill-opacity:.5}svg .foreign{fill:var(--warn);fill-opacity:.35}
svg .failover{stroke:#8250df;stroke-width:1.5}svg .failover-mark{fill:#8250df}svg .prio{fill:none;stroke:#1f2328;stroke-width:1}
svg .invalid{fill:var(--warn)}svg .split-text{fill:var(--crit);font-weight:600}
@media print{body{max-width:none;margin:0}details.group{break-inside:avoid}a{color:inherit}}
`;

/** A whole page: inline style only, nothing fetched, no script. */
export function page(title: string, body: string, head = ''): string {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">${head}<title>${esc(title)}</title><style>${STYLE}</style></head><body>\n${body}\n</body></html>\n`;
}

export type Severity = 'critical' | 'warning';

/** A finding as both pages list it: its severity and a sentence. */
export interface ShownFinding {
  severity: Severity;
  text: string;
}

export function badge(f: ShownFinding): string {
  return `<span class="sev ${f.severity}">${f.severity === 'critical' ? 'CRITICAL' : 'WARNING'}</span>${esc(f.text)}`;
}
