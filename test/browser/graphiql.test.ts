import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CONNECT, JOIN } from '../utils/operations.js';
import { gql, useServers } from '../utils/server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  const message = `NO CHROMIUM at ${CHROMIUM}: the browser tests are SKIPPED (apt-get install chromium)`;
  if (process.env.CI === 'true') throw new Error(`${message}; under CI=true that is a failure`);
  console.warn(`\n${'!'.repeat(80)}\n${message}\n${'!'.repeat(80)}\n`);
}

/** Lets the page reach only `base` (and blob:/data: URLs); returns the list of what it tried elsewhere, a CDN request included. */
async function onlyFrom(page: Page, base: string): Promise<string[]> {
  const foreign: string[] = [];
  await page.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.protocol === 'blob:' || url.protocol === 'data:' || url.host === new URL(base).host) return route.continue();
    foreign.push(url.href);
    return route.abort();
  });
  return foreign;
}

/** Waits until the element's text matches. */
async function textOf(page: Page, selector: string, match: RegExp, timeout = 15_000) {
  await page.waitForFunction(([s, source]) => new RegExp(source!).test(document.querySelector(s!)?.textContent ?? ''), [selector, match.source] as const, { timeout });
  return (await page.locator(selector).first().textContent()) ?? '';
}

describe.skipIf(!hasChromium)('GraphiQL in Chromium, with the network closed', () => {
  const { start } = useServers();
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-gpu'],
    });
  });
  afterAll(async () => browser?.close());

  it('renders from our server alone, runs a typed query and shows a live subscription event', { timeout: 90_000 }, async () => {
    const server = await start('memory');
    const page = await browser.newPage();
    const foreign = await onlyFrom(page, server.base);
    await page.goto(server.url, { waitUntil: 'load' });
    await page.waitForSelector('.graphiql-container', { timeout: 30_000 });

    // A query typed into the editor.
    const editor = page.locator('.graphiql-query-editor').first();
    await editor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type('query Typed { connectionStates(userIds: ["typed"]) { userId state } }');
    // GraphiQL takes the operation name from the editor after a pause; the tab's title shows it.
    await textOf(page, '.graphiql-tab-active', /Typed/);
    await page.locator('.graphiql-execute-button').first().click();
    expect(await textOf(page, '.graphiql-response', /"typed"/)).toMatch(/"state":\s*"OFFLINE"/);

    // The default subscription tab, then a mutation from outside the browser.
    // The tabs can be dragged, so a pointer click may start a drag: send the click itself.
    await page.locator('button.graphiql-tab-button[title="Presence"]').dispatchEvent('click');
    await textOf(page, '.graphiql-query-editor', /subscription.*Presence/);
    // Run until the server holds the subscription (GraphiQL may still be settling the switched tab).
    await expect
      .poll(
        async () => {
          if (server.app.state.bus.activeSubscriptions() === 0) await page.locator('.graphiql-execute-button').first().click();
          return server.app.state.bus.activeSubscriptions();
        },
        { timeout: 15_000, interval: 3_000 }, // a second click would stop a subscription that is starting
      )
      .toBeGreaterThan(0);
    await gql(server.url, CONNECT, { input: { sessionId: 'from-test', userId: '42', guildIds: ['g1'] } });
    expect(await textOf(page, '.graphiql-response', /"ONLINE"/)).toMatch(/"userId":\s*"42"/);
    expect(foreign).toEqual([]);
  });

  it('the operator console renders from our server alone and updates when mutations happen', { timeout: 60_000 }, async () => {
    const server = await start('memory');
    const page = await browser.newPage();
    const foreign = await onlyFrom(page, server.base);
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    await page.goto(`${server.base}/console`, { waitUntil: 'load' });
    await page.fill('#guilds', 'g1');
    await page.click('#watch-form button');
    await textOf(page, '#guild-g1 .online', /^0$/);
    await expect.poll(() => server.app.state.bus.activeSubscriptions(), { timeout: 10_000 }).toBeGreaterThan(0);

    await gql(server.url, CONNECT, { input: { sessionId: 'console-1', userId: '42', guildIds: ['g1'], nodeId: 'gw-console' } });
    await textOf(page, '#guild-g1 .online', /^1$/);
    await gql(server.url, JOIN, { input: { guildId: 'g1', channelId: 'lobby', userId: '42' } });
    await textOf(page, '#guild-g1 .voice', /lobby: 42/);
    expect(await textOf(page, '#nodes tbody', /gw-console/)).toMatch(/live/);
    // Rates appear once two samples of /metrics were read.
    expect(await textOf(page, '#received-rate', /^\d+\.\d$/)).toMatch(/\d/);
    expect(await page.textContent('#error')).toBe('');
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
  });
});
