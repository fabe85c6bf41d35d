/**
 * docs/metrics.md names every metric family a scrape shows, with the type, labels and HELP the code
 * gives it: the table is generated (`npm run docs:metrics`), and this test fails when it drifts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/fixtures.js';
import { docScrape, familiesOf, metricsTable, unsampled, withTable } from '../helpers/metrics-doc.js';

describe('docs/metrics.md', () => {
  it('is the table the code generates: every family of a scrape, with its type, labels and HELP (else run `npm run docs:metrics`)', async () => {
    const families = familiesOf(await docScrape());
    const doc = readFileSync(join(ROOT, 'docs', 'metrics.md'), 'utf8');
    for (const f of families) assert.ok(doc.includes(`| \`${f.name}\` | ${f.type} |`), `${f.name} is missing from docs/metrics.md: run \`npm run docs:metrics\``);
    const documented = [...doc.matchAll(/^\| `([a-z_:]+)` \| (?:gauge|counter|histogram|summary|untyped) \|/gm)].map((m) => m[1]);
    assert.deepEqual(documented, families.map((f) => f.name), 'docs/metrics.md lists families the code no longer has, or in another order: run `npm run docs:metrics`');
    assert.equal(doc, withTable(doc, metricsTable(families)), 'docs/metrics.md differs from the code (type, labels or HELP): run `npm run docs:metrics`');
  });

  it('is made from a view that shows a sample of every family, so that every family has its labels', async () => {
    const families = familiesOf(await docScrape());
    assert.ok(families.length >= 50, `${families.length} families`);
    assert.deepEqual(unsampled(families), []);
    const byName = new Map(families.map((f) => [f.name, f]));
    assert.deepEqual(byName.get('vrrpwatch_vrid_master_info')?.labels, ['interface', 'family', 'vrid', 'router']);
    assert.deepEqual(byName.get('vrrpwatch_config_last_reload_successful')?.labels, []);
  });
});
