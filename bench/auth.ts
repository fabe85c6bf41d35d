/**
 * Basic auth's timing for `npm run bench`: a wrong password and an unknown user (checked against a dummy
 * hash of the same cost) should take alike, so that the time of a 401 does not tell which users exist.
 * The unit test observes that the dummy check happens; this prints how long each takes.
 */
import { request } from 'node:http';
import bcrypt from 'bcryptjs';
import { WebServer } from '../src/adapters/http.js';
import { beside, heading } from './machine.js';

const ROUNDS = 9;

function unauthorized(port: number, auth: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = request({ host: '127.0.0.1', port, path: '/metrics', agent: false, auth }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode !== 401) reject(new Error(`expected 401 for ${auth.split(':')[0] ?? ''}, got ${res.statusCode ?? 0}`));
        else resolve(Number(process.hrtime.bigint() - t0) / 1e6);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

export async function benchAuth(): Promise<void> {
  const web = await WebServer.start({
    host: '127.0.0.1',
    port: 0,
    telemetryPath: '/metrics',
    webConfig: { tls: undefined, basicAuthUsers: new Map([['prometheus', bcrypt.hashSync('right-Pa55', 10)]]) },
    metrics: () => Promise.resolve({ body: Buffer.from('bench 1\n'), release: () => undefined }),
    page: () => '',
    onError: () => undefined,
    limits: {},
  });
  try {
    const { port } = web.address();
    const wrong: number[] = [];
    const unknown: number[] = [];
    // Distinct passwords each time: nothing comes from the cache of checked credentials.
    for (let i = 0; i < ROUNDS; i++) {
      wrong.push(await unauthorized(port, `prometheus:wrong-${i}`));
      unknown.push(await unauthorized(port, `nobody-${i}:wrong-${i}`));
    }
    const w = median(wrong);
    const u = median(unknown);
    heading(`basic auth at bcrypt cost 10 (median of ${ROUNDS} refusals each)`);
    console.log(`  ${beside(`wrong password ${w.toFixed(0)} ms, unknown user ${u.toFixed(0)} ms: ${(u / w).toFixed(2)}x`, '0.5x to 2x, a wrong password over 30 ms (bcrypt ran)', u / w >= 0.5 && u / w <= 2 && w > 30)}`);
  } finally {
    await web.close();
  }
}
