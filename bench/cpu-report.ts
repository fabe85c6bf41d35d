/**
 * Loaded with `node --import` into a process the bench times: at exit it writes the CPU seconds the
 * whole process used (user + system, start-up included) to file descriptor 3. On a loaded machine a
 * process's CPU time swings far less than its wall time.
 */
import { writeSync } from 'node:fs';

process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  writeSync(3, `${(user + system) / 1e6}\n`);
});
