#!/usr/bin/env -S node --max-semi-space-size=2
/**
 * The entry module: signals first. ESM fetches and links a module's whole static import graph before any
 * of it runs (some 200 ms of the program here), so this module imports nothing but the signal holder,
 * which catches SIGHUP, SIGTERM and SIGINT as it runs; only then are the commands loaded.
 */
import './adapters/signals.js';

const { run } = await import('./commands.js');
run(process.argv.slice(2));
