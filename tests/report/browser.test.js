// Browser tests of the HTML report: Debian's chromium driven by
// playwright-core. Generates reports with tether-report from inputs written
// here, then asserts on the DOM. Keeps screenshots in ARTIFACTS.
//
//   node browser.test.js TETHER_REPORT ARTIFACTS
'use strict';
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync, spawnSync } = require('child_process');

let chromium;
try {
  ({ chromium } = require('playwright-core'));
} catch (e) {
  console.log('SKIP: playwright-core is not installed (scripts/setup.sh)');
  process.exit(77);
}
const browserPath = '/usr/bin/chromium';
if (!fs.existsSync(browserPath)) {
  console.log('SKIP: ' + browserPath + ' is not installed (scripts/setup.sh)');
  process.exit(77);
}
const [tool, artifacts] = process.argv.slice(2);
fs.mkdirSync(artifacts, { recursive: true });
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-report-test-'));

// A small project: two sources, one finding whose path crosses them, a dump
// whose blocked thread sits on the finding's note and a deadlock cycle.
fs.mkdirSync(path.join(work, 'src'));
const a = [];
for (let i = 1; i <= 40; i++) a.push(i === 12 ? '  ch.close(); // second close' : i === 9 ? '  ch.close();' : '  work(' + i + ');');
fs.writeFileSync(path.join(work, 'src/a.cpp'), a.join('\n') + '\n');
const b = [];
for (let i = 1; i <= 30; i++) b.push(i === 20 ? '  ch.receive(v); // waits here' : '  other(' + i + ');');
fs.writeFileSync(path.join(work, 'src/b.cpp'), b.join('\n') + '\n');
const check = {
  version: 1, tool: { name: 'tether', version: '0.1.0' },
  findings: [
    { check: 'channel-double-close', severity: 'warning', message: "channel 'ch' is closed twice",
      file: 'src/a.cpp', line: 12, column: 3, end_line: 12, end_column: 13, function: 'app::stop',
      fingerprint: '1111111111111111',
      notes: [{ file: 'src/a.cpp', line: 9, column: 3, message: 'first closed here' },
              { file: 'src/b.cpp', line: 20, column: 3, message: 'a receiver waits here' }],
      fixes: [{ file: 'src/a.cpp', line: 12, column: 3, end_line: 12, end_column: 14, replacement: '' }] },
    { check: 'thread-leak', severity: 'warning', message: 'thread is never joined',
      file: 'src/b.cpp', line: 5, column: 3, end_line: 0, end_column: 0, function: 'app::start',
      fingerprint: '2222222222222222', notes: [], fixes: [] },
  ],
  errors: [],
  checks: [{ id: 'channel-double-close', summary: 'A channel is closed twice.', help: '', default_severity: 'warning' },
           { id: 'thread-leak', summary: 'A thread nobody joins.', help: '', default_severity: 'warning' }],
};
function thread(id, name, extra) {
  return Object.assign({ id, tid: 100 + id, name, parent_id: 1, state: 'blocked', reason: 'mutex lock',
    intercepted_reason: 'mutex lock', wait_ns: 2e9, timed: false, object: '0x1', held_by: null,
    join_target: null, detached: false, start_unix_ns: 1700000000000000000, labels: {},
    stack: [{ pc: '0x1', function: 'pthread_mutex_lock', file: '', line: 0, offset: '0x0', module: '/lib/x86_64-linux-gnu/libc.so.6', inlined: false }],
    created_by: [{ pc: '0x2', function: 'main', file: path.join(work, 'src/b.cpp'), line: 2, offset: '0x0', module: '/bin/app', inlined: false }] }, extra);
}
const receiverStack = [
  { pc: '0x3', function: 'pthread_cond_wait', file: '', line: 0, offset: '0x0', module: '/lib/x86_64-linux-gnu/libc.so.6', inlined: false },
  { pc: '0x4', function: 'app::consume', file: path.join(work, 'src/b.cpp'), line: 20, offset: '0x0', module: '/bin/app', inlined: false }];
const dump = (t, extraThreads) => ({ schema: 'tether.threads/1', pid: 42, trigger: 'SIGQUIT', time_unix_ns: t,
  threads: [
    thread(1, 'main', { parent_id: 0, state: 'running', reason: 'running', wait_ns: 0 }),
    thread(2, 'consumer', { reason: 'chan receive', intercepted_reason: 'cond wait', wait_ns: 3.5e9, stack: receiverStack }),
    thread(3, 'consumer', { reason: 'chan receive', intercepted_reason: 'cond wait', wait_ns: 1.5e9, stack: receiverStack }),
    thread(4, 'left', { held_by: 5, stack: [{ pc: '0x5', function: 'app::left', file: path.join(work, 'src/a.cpp'), line: 30, offset: '0', module: '/bin/app', inlined: false }] }),
    thread(5, 'right', { held_by: 4, stack: [{ pc: '0x6', function: 'app::right', file: path.join(work, 'src/a.cpp'), line: 31, offset: '0', module: '/bin/app', inlined: false }] }),
  ].concat(extraThreads || []) });
fs.writeFileSync(path.join(work, 'findings.json'), JSON.stringify(check));
fs.writeFileSync(path.join(work, 'dump.json'),
  JSON.stringify(dump(1700000001000000000, [thread(6, 'short-lived', { state: 'running', reason: 'running' })])) + '\n' +
  JSON.stringify(dump(1700000003000000000)) + '\n');

function report(args, opts) {
  return spawnSync(tool, args, Object.assign({ encoding: 'utf8', cwd: work }, opts));
}
let r = report(['findings.json', 'dump.json', '--source-root', work, '--title', 'browser test', '-o', 'report.html']);
assert.strictEqual(r.status, 0, r.stderr);

// Hostile inputs: every string field carries markup, a javascript: URL, an
// unpaired surrogate or 1 MB of text.
const big = 'A'.repeat(1 << 20);
const payloads = ['</script><img src=x onerror="window.__xss=1">', '"><svg onload="window.__xss=1">',
  'javascript:window.__xss=1', '<!--<script>window.__xss=1</script>', '\u2028</script>\u2029', big];
let n = 0;
const p = () => payloads[n++ % payloads.length];
const hostile = { version: 1, tool: { name: 'tether', version: p() }, findings: [], errors: [], checks: [] };
for (let i = 0; i < payloads.length; i++) {
  hostile.findings.push({ check: p(), severity: p(), message: p(), file: p(), line: 1, column: 1, end_line: 1,
    end_column: 2, function: p(), fingerprint: p(), notes: [{ file: p(), line: 1, column: 1, message: p() }],
    fixes: [{ file: p(), line: 1, column: 1, end_line: 1, end_column: 1, replacement: p() }] });
  hostile.errors.push({ file: p(), message: p() });
  hostile.checks.push({ id: p(), summary: p(), help: p(), default_severity: p(), help_uri: 'javascript:window.__xss=1' });
}
const hostileDump = { schema: 'tether.threads/1', pid: 7, trigger: p(), time_unix_ns: 1, threads: [] };
for (let i = 0; i < payloads.length; i++)
  hostileDump.threads.push({ id: i + 1, tid: 1, name: p(), parent_id: 0, state: p(), reason: p(),
    intercepted_reason: p(), wait_ns: 1, timed: false, object: p(), held_by: ((i + 1) % payloads.length) + 1,
    join_target: null, detached: false, start_unix_ns: 1, labels: { [p()]: p() },
    stack: [{ pc: p(), function: p(), file: p(), line: 1, offset: p(), module: p(), inlined: false }],
    created_by: [{ pc: p(), function: p(), file: p(), line: 1, offset: p(), module: p(), inlined: false }] });
// Unpaired surrogates as JSON escapes, which JSON.stringify writes for lone
// surrogates, and as raw invalid UTF-8 bytes.
let hostileText = JSON.stringify(hostile).replace(/AAAA/, 'A\\ud800A\\udfffA');
fs.writeFileSync(path.join(work, 'hostile.json'), hostileText);
fs.writeFileSync(path.join(work, 'hostile-dump.json'),
  Buffer.concat([Buffer.from(JSON.stringify(hostileDump).replace('"trigger":"', '"trigger":"\\udc00')),
                 Buffer.from([0x0a])]));
fs.appendFileSync(path.join(work, 'hostile.json'), '');
r = report(['hostile.json', 'hostile-dump.json', '--source-root', work, '-o', 'hostile.html']);
assert.strictEqual(r.status, 0, r.stderr);
r = report(['hostile.json', '--docs-base', 'javascript:alert(1)', '-o', 'x.html']);
assert.strictEqual(r.status, 2, 'a javascript: docs base is refused');

// Bad input: one line naming the file, exit code 2, output untouched.
fs.writeFileSync(path.join(work, 'truncated.json'), JSON.stringify(check).slice(0, 100));
const before = fs.readFileSync(path.join(work, 'report.html'));
r = report(['findings.json', 'truncated.json', '-o', 'report.html']);
assert.strictEqual(r.status, 2);
assert.match(r.stderr, /^[^\n]*truncated\.json[^\n]*\n$/);
assert.ok(before.equals(fs.readFileSync(path.join(work, 'report.html'))), 'output untouched');

const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const tests = [];
const test = (name, fn) => tests.push({ name, fn });

test('summary and findings without JavaScript', async (ctx) => {
  const page = await ctx.browser.newPage({ javaScriptEnabled: false });
  await page.goto('file://' + path.join(work, 'report.html'));
  assert.strictEqual(await page.locator('details.finding').count(), 2);
  assert.match(await page.locator('#summary').innerText(), /channel-double-close/);
  await page.locator('#f0 > summary').click();
  assert.match(await page.locator('#f0 ol.path').innerText(), /first closed here/);
  await page.close();
});

test('click a finding: notes numbered in each file\'s excerpt, fix as diff', async ({ page }) => {
  await page.locator('#f0 > summary').click();
  const ex = page.locator('#f0 .excerpts .ex');
  // The excerpts are drawn by the `toggle` event, which fires after the
  // click returns: wait for them before counting.
  await ex.first().waitFor();
  assert.strictEqual(await ex.count(), 2, 'one excerpt per file');
  assert.match(await ex.nth(0).locator('.exh').innerText(), /src\/a\.cpp/);
  assert.match(await ex.nth(0).innerText(), /first closed here/);
  assert.match(await ex.nth(1).innerText(), /a receiver waits here/);
  assert.ok(await ex.nth(1).locator('tr.bubble .mk', { hasText: '2' }).isVisible());
  assert.match(await page.locator('#f0 pre.diff').innerText(), /-\s+ch\.close\(\); \/\/ second close/);
  await page.screenshot({ path: path.join(artifacts, 'finding.png') });
});

test('filter by check', async ({ page }) => {
  await page.selectOption('#fcheck', 'thread-leak');
  assert.strictEqual(await page.locator('details.finding:visible').count(), 1);
  assert.ok(await page.locator('#f1').isVisible());
  await page.click('#clear');
  assert.strictEqual(await page.locator('details.finding:visible').count(), 2);
  // A count in the summary is a link to the filtered view.
  await page.locator('#summary a.flt[data-k="check"][data-v="channel-double-close"]').click();
  assert.strictEqual(await page.locator('details.finding:visible').count(), 1);
  assert.ok(await page.locator('#f0').isVisible());
});

test('free-text search', async ({ page }) => {
  await page.fill('#q', 'never joined');
  await page.press('#q', 'Enter');
  assert.strictEqual(await page.locator('details.finding:visible').count(), 1);
  assert.ok(await page.locator('#f1').isVisible());
  await page.fill('#q', 'app::consume');
  await page.press('#q', 'Enter');
  assert.strictEqual(await page.locator('details.group:visible').count(), 1);
});

test('expand a thread group: one row per thread, library frames folded', async ({ page }) => {
  const g = page.locator('details.group', { hasText: 'chan receive' });
  await g.locator('summary').click();
  await g.locator('table.threads tr.thread').first().waitFor(); // drawn on toggle
  assert.strictEqual(await g.locator('table.threads tr.thread').count(), 2);
  assert.match(await g.innerText(), /3\.5 s/);
  assert.ok(!(await g.locator('.fr.lib').first().isVisible()));
  await g.locator('label[for="showlib"]').click();
  assert.ok(await g.locator('.fr.lib').first().isVisible());
});

test('cross-links both ways', async ({ page }) => {
  await page.locator('#f0 > summary').click();
  assert.match(await page.locator('#f0 .stuck').innerText(), /seen stuck at run time: 2 threads, longest 3\.5 s/);
  await page.locator('#f0 .stuck a.xl').first().click();
  const g = page.locator('details.group[open]', { hasText: 'chan receive' });
  assert.strictEqual(await g.count(), 1);
  assert.ok(await g.isVisible());
  await g.locator('p.stuck a.xl').first().click();
  assert.ok(await page.locator('#f0').evaluate((e) => e.open));
  assert.strictEqual(await page.evaluate(() => location.hash), '#f0');
  await page.screenshot({ path: path.join(artifacts, 'report.png'), fullPage: true });
});

test('deadlock cycle drawn, timeline of two dumps', async ({ page }) => {
  assert.strictEqual(await page.locator('#cycles svg circle').count(), 2);
  assert.strictEqual(await page.locator('figure.timeline svg rect').count() >= 6, true);
  assert.match(await page.locator('figure.timeline').innerText(), /2 dumps/);
});

test('keyboard: j moves, o opens, / searches', async ({ page }) => {
  await page.keyboard.press('j');
  await page.keyboard.press('o');
  assert.ok(await page.locator('#f0').evaluate((e) => e.open));
  await page.keyboard.press('/');
  assert.strictEqual(await page.evaluate(() => document.activeElement.id), 'q');
});

test('hostile inputs: nothing executes, the page renders', async (ctx) => {
  const page = await ctx.browser.newPage();
  const events = [];
  page.on('dialog', (d) => { events.push('dialog'); d.dismiss(); });
  page.on('request', (req) => { if (!req.url().startsWith('file:')) events.push(req.url()); });
  page.on('pageerror', (e) => events.push('pageerror ' + e.message));
  await page.goto('file://' + path.join(work, 'hostile.html'));
  assert.strictEqual(await page.locator('details.finding').count(), payloads.length);
  for (const d of await page.locator('details').all()) await d.locator('summary').first().click();
  for (const a of await page.locator('a[href]').all()) {
    const href = await a.getAttribute('href');
    assert.ok(!/^\s*javascript:/i.test(href), 'no javascript: link: ' + href);
  }
  await page.waitForTimeout(200);
  assert.strictEqual(await page.evaluate(() => window.__xss), undefined);
  assert.strictEqual(await page.locator('img, [onerror], [onload], svg[onload]').count(), 0);
  assert.deepStrictEqual(events, []);
  assert.match(await page.locator('#findings').innerText(), /<\/script><img src=x/);
  await page.screenshot({ path: path.join(artifacts, 'hostile.png') });
  await page.close();
});

(async () => {
  const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'tether-chromium-'));
  const context = await chromium.launchPersistentContext(userData, {
    executablePath: browserPath, headless: true, args });
  const browser = { newPage: async (o) => {
    if (o && o.javaScriptEnabled === false) {
      const b = await chromium.launch({ executablePath: browserPath, headless: true, args });
      const c = await b.newContext({ javaScriptEnabled: false });
      const pg = await c.newPage();
      const close = pg.close.bind(pg);
      pg.close = async () => { await close(); await b.close(); };
      return pg;
    }
    return context.newPage();
  } };
  let failed = 0;
  for (const t of tests) {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    try {
      await page.goto('file://' + path.join(work, 'report.html'));
      await t.fn({ page, browser });
      assert.deepStrictEqual(errors, [], 'no script error');
      console.log('ok - ' + t.name);
    } catch (e) {
      failed++;
      console.log('not ok - ' + t.name + '\n' + (e.stack || e));
      await page.screenshot({ path: path.join(artifacts, 'failed-' + tests.indexOf(t) + '.png') }).catch(() => {});
    }
    await page.close();
  }
  await context.close();
  fs.rmSync(userData, { recursive: true, force: true });
  console.log(failed ? failed + ' failed' : 'all passed; screenshots in ' + artifacts);
  process.exit(failed ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(1); });
