// Opens PAGE in headless Chromium and prints first contentful paint, load
// and filter times (bench/report/bench.sh).
'use strict';
const { chromium } = require('playwright-core');
const fs = require('fs'), os = require('os'), path = require('path');
(async () => {
  const page_ = process.argv[2];
  const ud = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-bench-'));
  const ctx = await chromium.launchPersistentContext(ud, { executablePath: '/usr/bin/chromium', headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  const p = await ctx.newPage();
  const t0 = Date.now();
  await p.goto('file://' + page_, { timeout: 120000 });
  const load = Date.now() - t0;
  const fcp = await p.evaluate(() => {
    const e = performance.getEntriesByName('first-contentful-paint')[0];
    return e ? e.startTime : -1;
  });
  // Filtering: time from the change to the next frame after the DOM update.
  const filt = async (sel, value) => p.evaluate(([sel, value]) => new Promise((resolve) => {
    const el = document.querySelector(sel);
    const t = performance.now();
    el.value = value;
    el.dispatchEvent(new Event('change'));
    document.body.offsetHeight;
    requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t), 0));
  }), [sel, value]);
  const check = await filt('#fcheck', 'thread-leak');
  const clear = await filt('#fcheck', '');
  const search = await p.evaluate(() => new Promise((resolve) => {
    const t = performance.now();
    window.tetherFilter('q', 'worker_7_3');
    document.body.offsetHeight;
    requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t), 0));
  }));
  console.log('first contentful paint: ' + fcp.toFixed(0) + ' ms');
  console.log('load event: ' + load + ' ms (navigation to load, wall clock)');
  console.log('filter by check: ' + check.toFixed(0) + ' ms; clear: ' + clear.toFixed(0) + ' ms');
  console.log('first free-text search (builds the search index): ' + search.toFixed(0) + ' ms');
  await ctx.close();
  fs.rmSync(ud, { recursive: true, force: true });
})();
