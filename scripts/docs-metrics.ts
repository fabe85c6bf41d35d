/**
 * `npm run docs:metrics`: writes the table of docs/metrics.md from a scrape of the code's own metrics
 * (test/helpers/metrics-doc.ts), keeping the hand-written text around it. Run it after adding or
 * changing a metric family; test/unit/metrics-doc.test.ts fails until it has been run.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { docScrape, familiesOf, metricsTable, unsampled, withTable } from '../test/helpers/metrics-doc.js';
import { ROOT } from '../test/helpers/fixtures.js';

const file = join(ROOT, 'docs', 'metrics.md');
const families = familiesOf(await docScrape());
const missing = unsampled(families);
if (missing.length > 0) {
  process.stderr.write(`docs:metrics: the view in test/helpers/metrics-doc.ts shows no sample of ${missing.join(', ')}: give it what these families need, so that their labels are known\n`);
  process.exit(1);
}
const before = readFileSync(file, 'utf8');
const after = withTable(before, metricsTable(families));
if (after === before) process.stdout.write(`docs/metrics.md is up to date (${families.length} families)\n`);
else {
  writeFileSync(file, after);
  process.stdout.write(`docs/metrics.md written (${families.length} families)\n`);
}
