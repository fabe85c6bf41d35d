/**
 * The demo (the README's main job): a keepalived pair and a witness in network namespaces, vrrpwatch
 * `serve --live` on the witness, and an episode played against them: normal operation, a firewall that
 * causes a split-brain, healing, and a failover. Everything is removed on exit or Ctrl-C.
 */
import { ADDRESS, CLI, Lab, PORT, sleep, VIP } from './lab.js';
import type { KeepalivedInstance } from './lab.js';

const STEPS: { seconds: number; text: string; act?: (lab: Lab) => Promise<void> | void }[] = [
  { seconds: 14, text: `normal operation: a (priority 150) is master of VRID 51 and holds ${VIP.v4}; b (100) is backup and silent` },
  {
    seconds: 22,
    text: 'a firewall on b drops VRRP (iptables -A INPUT -p 112 -j DROP): b stops hearing a, becomes master too -> split-brain',
    act: (lab) => {
      lab.cutVrrp('b', true);
    },
  },
  {
    seconds: 14,
    text: 'the firewall rule is removed: b hears a again and steps down; the split-brain ends',
    act: (lab) => {
      lab.cutVrrp('b', false);
    },
  },
  {
    seconds: 14,
    text: 'keepalived on a stops gracefully (priority 0 advert): b takes over -> a failover, not a split-brain',
    act: async (lab) => {
      await lab.kill('keepalived-a');
    },
  },
  {
    seconds: 14,
    text: 'keepalived on a starts again and preempts b: a second failover, still no split-brain',
    act: (lab) => {
      lab.keepalived('a', [instance(150)]);
    },
  },
];

function instance(priority: number): KeepalivedInstance {
  return { name: 'VI_1', vrid: 51, priority, authPass: 'demo' };
}

async function main(): Promise<void> {
  const lab = new Lab(['gw', 'a', 'b', 'w']);
  lab.create();
  lab.keepalived('a', [instance(150)]);
  lab.keepalived('b', [instance(100)]);
  const child = lab.start('vrrpwatch-w', 'w', [process.execPath, CLI, 'serve', '--live', '--web.listen-address', `${ADDRESS.w.v4}:${PORT}`, '--peer', ADDRESS.a.v4, '--peer', ADDRESS.b.v4, '--gateway', ADDRESS.gw.v4], {
    FORCE_COLOR: process.stdout.isTTY ? '1' : '0',
  }, 'pipe');
  let step = 'starting keepalived on a and b';
  let pending = '';
  const tty = process.stdout.isTTY;
  // Each frame of the live view starts with its title line; redraw it with the current step below it.
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const frames = pending.split(/\n(?=vrrpwatch \S+ live view)/);
    pending = frames.pop() ?? '';
    const frame = frames.filter((f) => f.trim() !== '').at(-1);
    if (frame !== undefined) {
      process.stdout.write(`${tty ? '\x1b[H\x1b[2J' : '\n'}${frame.trimEnd()}\n\n>> ${step}\n\nmetrics: sudo ip netns exec ${lab.ns('w')} curl -s http://${ADDRESS.w.v4}:${PORT}/metrics\n`);
    }
  });
  for (const [i, s] of STEPS.entries()) {
    step = `step ${i + 1}/${STEPS.length}: ${s.text}`;
    await s.act?.(lab);
    await sleep(s.seconds * 1000);
  }
  await lab.kill('vrrpwatch-w');
  lab.destroy();
  process.stdout.write(`\ndemo finished; the lab was removed. Run it again with: node ${CLI.replace(/src\/cli\.js$/, 'lab/demo.js')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
