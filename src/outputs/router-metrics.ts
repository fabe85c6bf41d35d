/**
 * The per-router families (collectors `router`, `router_errors` and `hmac`): each router's adverts,
 * priority, interval and last advert, its errors as the VRRP MIBs count them, and its auth_hmac trailer.
 */
import type { GroupView } from '../core/groups/views.js';
import type { AddFamily } from './family-kit.js';

type RouterView = GroupView['routers'][number];

/** Registers the families through `add` (metrics.ts), in the order they are written. */
export function registerRouterFamilies(add: AddFamily): void {
  /** A family with one series per router of every group heard (that has a value: undefined leaves it out). */
  const perRouter = (collector: string, name: string, help: string, type: 'gauge' | 'counter', value: (r: RouterView) => number | undefined): void => {
    add(collector, name, help, type, (emit, s) => {
      for (const grp of s.heard) {
        const routers = grp.view?.routers ?? [];
        // Indexed: the label text was looked up in the view's order when the scrape began.
        for (let i = 0; i < routers.length; i++) {
          const v = value(routers[i] as RouterView);
          if (v !== undefined) emit(grp.routers[i] as Buffer, v);
        }
      }
    });
  };
  perRouter('router', 'vrrpwatch_adverts_total', 'Advertisements received from the router.', 'counter', (r) => r.adverts);
  add('router_errors', 'vrrpwatch_router_errors_total', 'Packets from a router of the group with an error, as the VRRP MIBs count them (error: ttl, advert_interval, addresses, auth_type, invalid_auth_type, auth_failure, priority_zero, invalid_type, length, checksum, version; keepalived 2.4 auth_hmac: hmac_malformed, hmac_replay, hmac_invalid).', 'counter', (emit, s) => {
    const all = s.s.routerErrors;
    if (all === undefined || all.size === 0) return;
    for (const grp of s.heard) {
      const key = grp.view?.key;
      for (const e of (key === undefined ? undefined : all.get(key)) ?? []) emit(grp.text.routerError(e.router, e.error), e.count);
    }
  });
  perRouter('router', 'vrrpwatch_router_priority', 'Last advertised priority of the router.', 'gauge', (r) => r.priority);
  perRouter('router', 'vrrpwatch_router_advert_interval_seconds', 'Last advertised interval of the router.', 'gauge', (r) => r.interval);
  perRouter('router', 'vrrpwatch_router_last_advert_timestamp_seconds', 'When the last advertisement of the router arrived.', 'gauge', (r) => r.last);
  perRouter('hmac', 'vrrpwatch_router_hmac_key_id', "The key id of the router's last advert signed with keepalived 2.4's auth_hmac (absent for a router that does not sign).", 'gauge', (r) => r.hmacKeyId);
  perRouter('hmac', 'vrrpwatch_router_hmac_clock_offset_seconds', "The auth_hmac trailer clock of the router's last advert minus the capture time of that advert, seconds (absent for a router that does not sign).", 'gauge', (r) => r.hmacOffset);
}
