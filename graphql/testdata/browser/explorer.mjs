// The GraphQL explorer in headless Chromium: load /graphql as a browser,
// check GraphiQL renders with the example queries as tabs, run the open
// query, see data in the answer, save a screenshot.
// Usage: node explorer.mjs BASE_URL SCREENSHOT_PATH. Exits 1 with a reason
// on the first failed check, 0 when every check passes.
import { chromium } from 'playwright-core';

const [base, screenshot] = process.argv.slice(2);
const fail = (msg) => { console.error('FAIL: ' + msg); process.exitCode = 1; };

const browser = await chromium.launch({
  executablePath: process.env.PNYX_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
try {
  const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('response', (r) => {
    // A browser asks for /favicon.ico on its own; the explorer has none.
    if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) errors.push(`${r.status()} ${r.url()}`);
  });
  const outside = [];
  page.on('request', (r) => { if (!r.url().startsWith(base)) outside.push(r.url()); });
  const res = await page.goto(base + '/graphql', { waitUntil: 'networkidle' });
  if (res.status() !== 200) fail('GET /graphql answered ' + res.status());
  await page.waitForSelector('.graphiql-container', { timeout: 30000 });
  const tabs = await page.$$('.graphiql-tab');
  if (tabs.length < 4) fail(`${tabs.length} tabs, want the 4 example queries`);
  // Run the last tab: the overdue requests, which need no variables.
  await tabs[tabs.length - 1].click();
  await page.click('.graphiql-execute-button');
  await page.waitForFunction(() => {
    const r = document.querySelector('.graphiql-response');
    return r && r.textContent.includes('"totalCount"');
  }, null, { timeout: 30000 });
  const answer = await page.textContent('.graphiql-response');
  if (!answer.includes('"requests"') || !answer.includes('"localId"')) fail('the answer shows no requests: ' + answer.slice(0, 200));
  if (answer.includes('"errors"')) fail('the answer has errors: ' + answer.slice(0, 300));
  if (outside.length > 0) fail('the explorer loaded from elsewhere: ' + outside.join(', '));
  if (errors.length > 0) fail('the page logged errors: ' + errors.join(' | '));
  await page.screenshot({ path: screenshot });
  console.log('explorer: GraphiQL rendered ' + tabs.length + ' tabs and answered the overdue requests');
} finally {
  await browser.close();
}
