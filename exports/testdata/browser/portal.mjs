// The portal in headless Chromium: load /, check the charts render, switch
// the language, follow a download link, run axe-core, save a screenshot.
// Usage: node portal.mjs BASE_URL SCREENSHOT_PATH. Exits 1 with a reason
// on the first failed check, 0 when every check passes.
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const [base, screenshot] = process.argv.slice(2);
const fail = (msg) => { console.error('FAIL: ' + msg); process.exitCode = 1; };

const browser = await chromium.launch({
  executablePath: process.env.PNYX_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
try {
  // The page's policy allows no script: axe is injected past it.
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const res = await page.goto(base + '/');
  if (res.status() !== 200) fail('GET / answered ' + res.status());
  if (await page.getAttribute('html', 'lang') !== 'el') fail('the page is not in Greek first');
  const h1 = await page.textContent('h1');
  if (!h1 || !h1.trim()) fail('no heading');

  // Charts render: four SVGs, each with a title, a description and a size.
  const charts = await page.$$('svg.chart');
  if (charts.length !== 4) fail(`${charts.length} charts, want 4`);
  for (const c of charts) {
    const box = await c.boundingBox();
    const id = await c.getAttribute('id');
    if (!box || box.width < 100 || box.height < 50) fail(`chart ${id} does not render: ${JSON.stringify(box)}`);
    if (!(await c.$('title')) || !(await c.$('desc'))) fail(`chart ${id} has no text alternative`);
    if ((await c.$$('rect')).length === 0) fail(`chart ${id} draws nothing`);
  }

  // Accessibility, in Greek, then in English after the switch.
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const check = async (lang) => {
    const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    for (const v of bad) fail(`[${lang}] axe ${v.impact} ${v.id}: ${v.help} (${v.nodes.length} nodes, e.g. ${v.nodes[0].target})`);
    console.log(`[${lang}] axe: ${result.violations.length} violations (${result.violations.map((v) => v.impact + ' ' + v.id).join(', ')}), ${bad.length} serious or critical`);
  };
  await check('el');

  await Promise.all([page.waitForNavigation(), page.click('#lang-switch')]);
  if (await page.getAttribute('html', 'lang') !== 'en') fail('the language switch did not switch to English');
  if ((await page.$$('svg.chart')).length !== 4) fail('the English page lost its charts');
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  await check('en');

  // A download link leads to the dataset.
  const href = await page.getAttribute('#ds-bodies a.dl', 'href');
  const dl = await page.request.get(base + href);
  const body = await dl.text();
  if (dl.status() !== 200 || !body.startsWith('body_id,')) fail(`download ${href}: ${dl.status()} ${body.slice(0, 80)}`);
  if (!dl.headers()['x-pnyx-position']) fail('the download states no position');

  // Open one chart's data table: it holds rows.
  await page.click('#chart-decisions-cap ~ details summary');
  if ((await page.$$('#chart-decisions-cap ~ details tbody tr')).length === 0) fail('the decisions chart has no data rows');

  await page.screenshot({ path: screenshot, fullPage: true });
  console.log('screenshot: ' + screenshot);
} finally {
  await browser.close();
}
