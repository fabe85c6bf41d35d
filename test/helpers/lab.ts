/**
 * The lab of one `describe` block of lab tests: its namespaces are built before the first test and
 * destroyed after the last, and before each test the lab is reset (the processes, firewall rules, links
 * and VIPs the previous test left are gone), so that every test starts from the same lab.
 */
import { after, before, beforeEach } from 'node:test';
import { Lab, sleep } from '../../lab/lab.js';
import type { HostName } from '../../lab/lab.js';

/**
 * Call inside `describe`: returns the block's lab at once (made, not yet created), for the file's helpers
 * to use. A test file's own `beforeEach` registered after this runs after the reset.
 */
export function useLab(hosts: HostName[], options: { site?: string } = {}): Lab {
  const lab = new Lab(hosts, options);
  before(() => {
    lab.create();
  });
  after(() => {
    lab.destroy();
  });
  beforeEach(async () => {
    await lab.reset();
  });
  return lab;
}

/**
 * Runs `episode`, calling `sample` every `everyMs` while it runs (the first at once), and returns once
 * both are done: what a lab test watches through a failover or a split.
 */
export async function sampleDuring(episode: () => Promise<void>, sample: () => void, everyMs = 200): Promise<void> {
  const state = { running: true };
  const sampler = (async () => {
    while (state.running) {
      sample();
      await sleep(everyMs);
    }
  })();
  try {
    await episode();
  } finally {
    state.running = false;
    await sampler;
  }
}
