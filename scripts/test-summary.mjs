// Prints one closing line for the whole suite from the vitest and Playwright JSON reports, plus the per-engine
// error summary the browser suites collected.
import { existsSync, readFileSync } from 'node:fs';

const read = (f) => (existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : null);
const unit = read('reports/unit-results.json');
const browser = read('reports/browser-results.json');
const summary = read('reports/summary.json');
let passed = 0;
let failed = 0;
let skipped = 0;
if (unit) {
  passed += unit.numPassedTests;
  failed += unit.numFailedTests;
  skipped += unit.numPendingTests + unit.numTodoTests;
}
if (browser) {
  passed += browser.stats.expected + browser.stats.flaky;
  failed += browser.stats.unexpected;
  skipped += browser.stats.skipped;
}
if (summary) {
  for (const [engine, groups] of Object.entries(summary)) {
    const parts = Object.entries(groups).map(([g, v]) =>
      typeof v === 'string' ? `${g}: ${v}` : `${g}: ${v.checks} checks, max abs err ${v.maxAbsError.toExponential(2)}`);
    console.log(`${engine}: ${parts.join('; ')}`);
  }
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
