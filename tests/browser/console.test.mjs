// The operator console in a real browser: Debian's Chromium, headless, driven by playwright-core, against a real
// Junction process (SQLite), a real HTTP receiver and a Kafka-protocol broker on loopback. Screenshots of each main
// page go to artifacts/console/ (CI keeps them).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startJunction, credentials } from '../conformance/junction.mjs';
import { startReceiver, startBroker, until } from '../conformance/dataplane.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const shots = path.resolve(here, '..', '..', 'artifacts', 'console');
const adminKey = 'browser-admin-key-0123456789abcdef';
const kafkaPassword = 'sasl-password-never-shown-4711';
let junction;
let broker;
let bootstrap;
let receiver;
let browser;
const received = [];
const script = [];
/** Secrets the tests use or register: no rendered page may contain any of them. */
const secrets = [adminKey, kafkaPassword, credentials.secretKey, credentials.password];
/** Secrets Junction made in the console: exactly one rendered page (the answer that made it) may contain each. */
const shownOnce = [];
/** The HTML of every page the browser rendered, to search for secrets at the end. */
const pages = [];

before(async () => {
  mkdirSync(shots, { recursive: true });
  ({ child: broker, bootstrap } = await startBroker(['dead']));
  receiver = await startReceiver(received, script);
  junction = await startJunction({
    Junction__Admin__Key: adminKey,
    Junction__Console__Enabled: 'true',
    Junction__Console__RefreshSeconds: '1',
    Junction__Console__PageSize: '10',
    Junction__Delivery__PollInterval: '00:00:00.100',
    Junction__Delivery__InitialRetryDelay: '00:00:00.100',
    Junction__Verification__PollInterval: '00:00:00.100',
  });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  await junction?.stop();
  receiver?.close();
  broker?.kill('SIGKILL');
});

async function admin(method, route, body) {
  const response = await fetch(`${junction.url}/junction/v1${route}`, {
    method,
    headers: { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

let token;
async function eg(route, body) {
  if (!token) {
    const response = await fetch(`${junction.url}/v3/auth/tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: credentials.user, password: credentials.password, domain: { name: 'junction' } } } },
        scope: { project: { id: credentials.projectId } } } }),
    });
    token = response.headers.get('x-subject-token');
    assert.ok(token, 'an IAM token');
  }
  const response = await fetch(`${junction.url}/v1/${credentials.projectId}/${route}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'X-Auth-Token': token, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(response.status < 300, `${route}: ${response.status} ${await response.clone().text()}`);
  return response.json();
}

/** A signed-in browser page; every page it renders is kept for the secret search. */
async function signedIn() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('response', async (response) => {
    if (response.url().startsWith(junction.url) && (response.headers()['content-type'] ?? '').startsWith('text/html')) {
      try { pages.push({ url: response.url(), html: await response.text() }); } catch { /* a redirect has no body */ }
    }
  });
  await page.goto(`${junction.url}/console`);
  assert.match(page.url(), /\/console\/signin/, 'an unauthenticated visit goes to the sign-in page');
  await page.getByLabel('Operator key').fill(adminKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${junction.url}/console`);
  return { context, page };
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

const routes = ['/console', '/console/connections', '/console/deliveries', '/console/events', '/console/tenants', '/console/networks',
  '/console/instances', '/console/functions'];

test('every console route refuses an unauthenticated request, and a wrong key does not sign in', async () => {
  for (const route of [...routes, '/console/connections/x', '/console/deliveries/1', '/console/tenants/x']) {
    const response = await fetch(`${junction.url}${route}`, { redirect: 'manual' });
    assert.equal(response.status, 302, route);
    assert.match(response.headers.get('location'), /\/console\/signin\?ReturnUrl=/, route);
  }

  const before = (await admin('GET', '/tenants')).body.items.length;
  const post = await fetch(`${junction.url}/console/tenants?handler=Create`, {
    method: 'POST', redirect: 'manual', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'domain_name=intruder',
  });
  assert.equal(post.status, 302, 'an unauthenticated post is sent to sign in');
  assert.equal((await admin('GET', '/tenants')).body.items.length, before, 'and did nothing');

  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${junction.url}/console/signin`);
  await page.getByLabel('Operator key').fill('not-the-key-at-all');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('That is not the operator key.').waitFor();
  assert.match(page.url(), /\/console\/signin/);
  await shot(page, '00-sign-in');
  await context.close();

  // A browser asking for / is sent to the console; an API client still gets the JSON index.
  const root = await fetch(`${junction.url}/`, { redirect: 'manual', headers: { Accept: 'text/html' } });
  assert.equal(root.status, 302);
  assert.equal(root.headers.get('location'), '/console');
  const api = await fetch(`${junction.url}/`);
  assert.equal((await api.json()).name, 'Junction');
});

test('a signed-in form post without the anti-forgery token is refused and changes nothing', async () => {
  const { context } = await signedIn();
  const cookies = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const before = (await admin('GET', '/tenants')).body.items.length;
  const forged = await fetch(`${junction.url}/console/tenants?handler=Create`, {
    method: 'POST', redirect: 'manual',
    headers: { Cookie: cookies, 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'domain_name=forged-tenant',
  });
  assert.equal(forged.status, 400);
  assert.equal((await admin('GET', '/tenants')).body.items.length, before, 'no tenant was created');
  const cookie = (await context.cookies()).find((c) => c.name === 'junction_console');
  assert.ok(cookie.httpOnly, 'the session cookie is HTTP-only');
  assert.equal(cookie.sameSite, 'Strict');
  await context.close();
});

test('find a failing connection, read its reason, recheck it', async () => {
  const far = await eg('connections', { name: 'far-away', vpc_id: 'vpc-1', subnet_id: 'subnet-1', type: 'KAFKA',
    kafka_detail: { instance_id: 'far', addr: '10.1.2.3:9092' } });
  await until(async () => (await admin('GET', `/connections/${far.id}`)).body.state === 'Failed', 'the refused connection to fail');

  const { context, page } = await signedIn();
  await shot(page, '01-overview');
  await page.getByRole('link', { name: 'Connections', exact: true }).click();
  await page.getByLabel('State').selectOption('Failed');
  await page.getByRole('button', { name: 'Filter' }).click();
  await shot(page, '02-connections');
  await page.getByRole('link', { name: 'far-away' }).click();
  const reason = await page.locator('#connection-reason').innerText();
  assert.match(reason, /10\.1\.2\.3:9092.*outside the allowed networks/, 'the reason names the address and the rule');
  const checks = await page.locator('#history li').count();
  assert.ok(checks >= 1);

  await page.getByRole('button', { name: 'Recheck now' }).click();
  await page.getByText('A check is due now').waitFor();
  // The live refresh brings the new check in without a reload.
  await until(async () => (await page.locator('#history li').count()) > checks, 'the recheck to show in the history', 15_000);
  await shot(page, '03-connection');
  const history = (await admin('GET', `/connections/${far.id}/history`)).body.history;
  assert.ok(history.length > checks, 'the recheck ran on the server');
  await context.close();
});

test('redrive a dead-lettered delivery from the console and see it succeed at the receiver', async () => {
  const hook = `http://127.0.0.1:${receiver.address().port}/hook`;
  const kafka = await eg('connections', { name: 'dlq-kafka', vpc_id: 'vpc-1', subnet_id: 'subnet-1', type: 'KAFKA',
    kafka_detail: { instance_id: 'mock', addr: bootstrap, acks: 'all' } });
  const channel = await eg('channels', { name: 'orders' });
  await eg('sources', { name: 'shop', channel_id: channel.id });
  const subscription = await eg('subscriptions', {
    name: 'to-hook', channel_id: channel.id,
    sources: [{ name: 'shop', provider_type: 'CUSTOM', filter: { source: [{ op: 'StringIn', values: ['shop'] }] } }],
    targets: [{ name: 'HTTPS', provider_type: 'CUSTOM', detail: { url: hook }, retry_times: 0, transform: { type: 'ORIGINAL' },
      dead_letter_queue: { type: 'KAFKA', instance_id: 'mock', connection_id: kafka.id, topic: 'dead' } }],
  });
  const target = subscription.targets[0].id;
  script.push(400); // the receiver refuses the first delivery: a terminal answer, so the event goes to the DLQ
  await eg(`channels/${channel.id}/events`, { events: [{ id: 'order-1', source: 'shop', specversion: '1.0', type: 'order:created', data: { order: 1 } }] });
  await until(async () => (await admin('GET', `/deliveries?target_id=${target}&state=DeadLettered`)).body.total === 1, 'the delivery to be dead-lettered');
  assert.equal(received.length, 1);

  const { context, page } = await signedIn();
  await page.getByRole('link', { name: 'Deliveries', exact: true }).click();
  await page.getByLabel('State').selectOption('DeadLettered');
  await page.getByRole('button', { name: 'Filter' }).click();
  await shot(page, '04-deliveries');
  await page.locator('#deliveries a', { hasText: '#' }).first().click();
  await page.locator('#attempts tbody tr').first().waitFor();
  assert.match(await page.locator('#attempts').innerText(), /400/, 'the attempt shows the response code');
  assert.match(await page.locator('#delivery-state').innerText(), /DeadLettered/);

  await page.getByRole('button', { name: 'Redrive' }).click();
  await page.getByText('1 delivery redriven').waitFor();
  await until(() => received.length === 2, 'the redriven event at the receiver');
  assert.equal(JSON.parse(received[1].body).id, 'order-1');
  await until(async () => /Delivered/.test(await page.locator('#delivery-state').innerText()), 'the page to show Delivered', 15_000);
  await shot(page, '05-delivery');

  await page.getByRole('link', { name: 'Events', exact: true }).click();
  await page.locator('#channels').getByText('to-hook').waitFor();
  await shot(page, '06-events');
  await context.close();
});

test('tenants, keys, users, instances, functions and networks: created in the console, secrets shown once', async () => {
  const { context, page } = await signedIn();
  await page.getByRole('link', { name: 'Tenants', exact: true }).click();
  await page.getByLabel('IAM domain name').fill('acme');
  await page.getByRole('button', { name: 'Create tenant' }).click();
  const created = page.locator('#created-secrets');
  await created.waitFor();
  const shown = await created.locator('.secret-value').allInnerTexts();
  assert.equal(shown.length, 3, 'access key id, secret key and password');
  const [keyId, secret, password] = shown;
  shownOnce.push(secret, password);
  const tenant = (await admin('GET', '/tenants')).body.items.find((t) => t.domain_name === 'acme');
  assert.ok(tenant, 'the tenant exists');
  // The secret works: the access key is the tenant's.
  assert.ok((await admin('GET', `/tenants/${tenant.id}/access-keys`)).body.items.some((k) => k.id === keyId));
  await shot(page, '07-tenants');

  await page.getByRole('link', { name: 'acme' }).click();
  await page.getByRole('button', { name: 'Create an access key' }).click();
  const newSecret = (await page.locator('#new-key .secret-value').allInnerTexts())[1];
  shownOnce.push(newSecret);
  await page.getByLabel('Name', { exact: true }).fill('ops');
  await page.getByRole('button', { name: 'Create user' }).click();
  const chosen = await page.locator('#new-user .secret-value').innerText();
  shownOnce.push(chosen);
  await page.reload();
  assert.equal(await page.locator('.secret-value').count(), 0, 'a secret is never shown again');
  await page.getByRole('button', { name: `Revoke access key ${keyId}` }).click();
  await page.getByText(`Access key ${keyId} revoked`).waitFor();
  await shot(page, '08-tenant');

  await page.getByRole('link', { name: 'Kafka instances' }).click();
  await page.getByLabel('Instance id').fill('ckafka-browser1');
  await page.getByLabel('Bootstrap servers').fill('127.0.0.1:9092');
  await page.getByLabel('Security protocol').selectOption('SASL_PLAINTEXT');
  await page.getByLabel('SASL mechanism').selectOption('PLAIN');
  await page.getByLabel('SASL user').fill('alice');
  await page.getByLabel('SASL password').fill(kafkaPassword);
  await page.getByLabel('Shared by every tenant').check();
  await page.getByRole('button', { name: 'Register instance' }).click();
  await page.getByText('Kafka instance ckafka-browser1 registered.').waitFor();
  assert.match(await page.locator('#instances').innerText(), /ckafka-browser1/);
  await shot(page, '09-instances');

  // A refusal comes back with the admin API's own message.
  await page.getByLabel('Instance id').fill('ckafka-browser2');
  await page.getByLabel('Bootstrap servers').fill('not a server');
  await page.getByLabel('Shared by every tenant').check();
  await page.getByRole('button', { name: 'Register instance' }).click();
  await page.getByText(/bootstrap_servers must be host:port/).waitFor();

  await page.getByRole('link', { name: 'HTTP functions' }).click();
  await page.getByLabel('Name', { exact: true }).fill('greeter');
  await page.getByLabel('URL').fill('http://127.0.0.1:9000/greet');
  await page.getByLabel("Tenant's IAM domain name").fill('acme');
  await page.getByRole('button', { name: 'Register function' }).click();
  await page.getByText('Function default/greeter registered.').waitFor();
  await shot(page, '10-functions');

  await page.getByRole('link', { name: 'Networks' }).click();
  await page.getByLabel('Id', { exact: true }).first().fill('vpc-browser');
  await page.getByLabel('CIDR').first().fill('127.0.10.0/24');
  await page.locator('#vpc-shared').check();
  await page.getByRole('button', { name: 'Register VPC' }).click();
  await page.getByText('VPC vpc-browser registered.').waitFor();
  assert.match(await page.locator('#networks').innerText(), /vpc-browser/);
  await shot(page, '11-networks');
  await context.close();
});

test('accessibility basics: one h1, every control labelled, the lists work from the keyboard', async () => {
  const { context, page } = await signedIn();
  for (const route of routes) {
    await page.goto(`${junction.url}${route}`);
    assert.equal(await page.locator('h1').count(), 1, `${route}: one h1`);
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
      .filter((e) => !(e.labels?.length || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby')))
      .map((e) => e.outerHTML));
    assert.deepEqual(unlabelled, [], `${route}: every control has a label`);
    assert.equal(await page.locator('html[lang]').count(), 1, `${route}: the page says its language`);
  }

  // From the top of the connections list, Tab reaches the first connection's link; Enter opens it.
  await page.goto(`${junction.url}/console/connections`);
  const first = await page.locator('#connections tbody tr a').first().getAttribute('href');
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate((href) => document.activeElement?.getAttribute('href') === href, first);
  }
  assert.ok(reached, 'Tab reaches the first row of the list');
  await page.keyboard.press('Enter');
  await page.waitForURL(`${junction.url}${first}`);
  // The skip link is the first stop and leads to the content.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
  await context.close();
});

test('no rendered page contains a secret', () => {
  assert.ok(pages.length >= 20, `pages were searched (${pages.length})`);
  assert.equal(shownOnce.length, 4);
  for (const secret of secrets) {
    const leaks = pages.filter((p) => p.html.includes(secret)).map((p) => p.url);
    assert.deepEqual(leaks, [], 'a secret Junction was given appears in no page');
  }
  for (const secret of shownOnce) {
    const shown = pages.filter((p) => p.html.includes(secret)).map((p) => p.url);
    assert.equal(shown.length, 1, `a secret Junction made is shown once, in the answer that made it (${shown.join(', ')})`);
  }
});
