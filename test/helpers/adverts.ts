/** Synthetic advertisements and a fixed-clock driver for the core's judgement tests. */
import { addressBytes } from '../../src/core/base/addr.js';
import { addressesKeyOf } from '../../src/core/wire/addresses-key.js';
import { AuthSecret } from '../../src/core/base/secret.js';
import { DEFAULT_SETTINGS, Monitor } from '../../src/core/groups/state.js';
import { groupId } from '../../src/core/base/keys.js';
import type { Family } from '../../src/core/base/keys.js';
import type { MonitorEvent, MonitorSettings } from '../../src/core/groups/types.js';
import type { Advert } from '../../src/core/wire/types.js';
import { groupView, NO_FAILOVERS } from '../../src/core/groups/views.js';
import { newGroupRisk } from '../../src/core/groups/risk.js';
import type { GroupView } from '../../src/core/groups/views.js';

/** The fingerprint the decoder makes of these addresses (all of one family), from their bytes. */
export function addressesKey(addresses: readonly string[]): string {
  const bytes = addresses.map((a) => {
    const b = addressBytes(a);
    if (b === undefined) throw new Error(`not an address: ${a}`);
    return b;
  });
  const size = bytes[0]?.length ?? 4;
  const all = new Uint8Array(size * bytes.length);
  for (let i = 0; i < bytes.length; i++) all.set(bytes[i] as Uint8Array, i * size);
  return addressesKeyOf(all, 0, bytes.length, size);
}

export function advert(fields: Partial<Advert> & { src: string; password?: string }): Advert {
  const { password, ...rest } = fields;
  const addresses = fields.addresses ?? ['192.0.2.100'];
  return {
    family: 'ipv4',
    dst: '224.0.0.18',
    ttl: 255,
    ah: false,
    version: 2,
    type: 1,
    vrid: 51,
    priority: 100,
    addresses,
    addressCount: addresses.length,
    addressesKey: addressesKey(addresses),
    advertInterval: 1,
    authType: password === undefined ? 0 : 1,
    authSecret: password === undefined ? undefined : new AuthSecret(new TextEncoder().encode(password.padEnd(8, '\0'))),
    checksumForm: 'message',
    ttlOk: true,
    trailerLength: 0,
    ...rest,
    // Given addresses decide their count and fingerprint (a spread advert's old ones do not).
    ...(fields.addresses === undefined ? {} : { addressCount: addresses.length, addressesKey: addressesKey(addresses) }),
  };
}

/** A router that advertises every `interval` from `from` (inclusive) to `to` (exclusive). */
export function every(interval: number, from: number, to: number, a: Advert): [number, Advert][] {
  const out: [number, Advert][] = [];
  for (let t = from; t < to - 1e-9; t += interval) out.push([Math.round(t * 1e6) / 1e6, a]);
  return out;
}

export interface Sample {
  t: number;
  masters: number;
  split: boolean;
  noMaster: boolean;
}

export class Scenario {
  readonly events: MonitorEvent[] = [];
  readonly monitor: Monitor;

  constructor(settings: Partial<MonitorSettings> = {}) {
    this.monitor = new Monitor({ ...DEFAULT_SETTINGS, ...settings }, (e) => this.events.push(e));
  }

  /**
   * Plays the adverts in time order on interface eth0 and samples the group every `step` seconds, as
   * the end-to-end tests sample /metrics.
   */
  play(adverts: [number, Advert][], until: number, step = 0.05, vrid = 51): Sample[] {
    const sorted = [...adverts].sort((a, b) => a[0] - b[0]);
    const samples: Sample[] = [];
    let i = 0;
    for (let t = 0; t <= until + 1e-9; t = Math.round((t + step) * 1e6) / 1e6) {
      for (; i < sorted.length && (sorted[i]?.[0] ?? Infinity) <= t; i++) {
        const [at, a] = sorted[i] as [number, Advert];
        this.monitor.advert('eth0', a, at);
      }
      this.monitor.settle(t);
      const v = this.view(vrid);
      samples.push({ t, masters: v?.masters.length ?? 0, split: v?.splitBrain ?? false, noMaster: v?.noMaster ?? false });
    }
    return samples;
  }

  view(vrid = 51, family: Family = 'ipv4'): GroupView | undefined {
    const g = this.monitor.groups.get(groupId({ interface: 'eth0', family, vrid }));
    return g === undefined ? undefined : groupView(g);
  }

  of<T extends MonitorEvent['type']>(type: T): (MonitorEvent & { type: T })[] {
    return this.events.filter((e): e is MonitorEvent & { type: T } => e.type === type);
  }
}

/** A group view as the core gives it, for tests of what consumes views (node judgement, outputs). */
export function groupViewOf(routers: GroupView['routers'], fields: Partial<GroupView> = {}): GroupView {
  return {
    key: { interface: 'eth0', family: 'ipv4', vrid: 51 },
    masters: routers.filter((r) => r.master).map((r) => r.address),
    splitBrain: false,
    noMaster: false,
    masterChanges: 0,
    failoverCauses: NO_FAILOVERS,
    nearFailovers: 0,
    longestRecentGap: 0,
    authMismatch: false,
    configMismatch: [],
    routers,
    riskSince: undefined,
    riskNear: 0,
    riskMissed: 0,
    gapMargin: undefined,
    gapHistogram: newGroupRisk().histogram,
    gapsExcluded: 0,
    ...fields,
  };
}
