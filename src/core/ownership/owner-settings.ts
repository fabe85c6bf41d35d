/** The bounds and timings of VIP ownership's judgement (vip-owners.ts), and their defaults. */

/**
 * `round`: seconds per probe round (the probe interval); `confirmRounds`: closed rounds in a row a
 * judgement needs; `garpWindow`: seconds either side of a failover for the new master's announcement;
 * `maxMacsPerVip`: distinct MACs kept per VIP per round; `maxBindings`: address → MAC bindings kept
 * (routers and hosts heard, all interfaces); `recentMissedGarps`: unannounced failovers kept for views.
 */
export interface OwnerSettings {
  round: number;
  confirmRounds: number;
  garpWindow: number;
  maxVips: number;
  maxMacsPerVip: number;
  maxBindings: number;
  recentMissedGarps: number;
}

export const DEFAULT_OWNER_SETTINGS: OwnerSettings = {
  round: 2,
  confirmRounds: 3,
  garpWindow: 5,
  maxVips: 4096,
  maxMacsPerVip: 8,
  maxBindings: 4096,
  recentMissedGarps: 32,
};
