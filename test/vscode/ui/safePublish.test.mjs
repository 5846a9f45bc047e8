// UI: safe on a shared broker. Pool "ceilometer" is another application's (connection ceilometer-agent-notification) on
// nova / notifications.info. Publish Test Notifications… from the palette asks first (modal), naming that pool and its
// application and the count; Cancel publishes nothing (its consumer gets nothing, no publisher connection opens);
// Publish then delivers them. (A read-only broker's refusals: test/vscode/suite/safeBroker.test.ts.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { launchWorkbench, openContainer, screenshot, api, until, amqpVhost, answer, runExact, labelRow, addBrokerThroughInput } from './helpers.mjs';

const VHOST = `rmqp-test-ui-safe-${randomBytes(3).toString('hex')}`;
const BROKER = 'shared-ui';
const broker = amqpVhost(VHOST);
let received = 0;
let wb;

before(async () => {
  await api('PUT', `vhosts/${encodeURIComponent(VHOST)}`, {});
  await api('PUT', `permissions/${encodeURIComponent(VHOST)}/guest`, { configure: '.*', write: '.*', read: '.*' });
  const ch = await (await broker.connect('ui-safe-setup')).createChannel();
  await ch.assertExchange('nova', 'topic', { durable: true });
  await ch.assertQueue('ceilometer', { durable: true });
  await ch.bindQueue('ceilometer', 'nova', 'notifications.info');
  const other = await (await broker.connect('ceilometer-agent-notification:4242:0cd5f39f-1b2c-4d3e-8f40-a1b2c3d4e5f6')).createChannel();
  await other.prefetch(10);
  await other.consume('ceilometer', (m) => { if (m) { received++; other.ack(m); } }, { consumerTag: 'ceilometer-1' });
  await until(async () => {
    const [consumers, conns] = await Promise.all([api('GET', `consumers/${encodeURIComponent(VHOST)}`), api('GET', `vhosts/${encodeURIComponent(VHOST)}/connections`)]);
    return consumers.length === 1 && conns.length === 2 && consumers[0].channel_details?.connection_name ? true : undefined;
  }, 'the other application\'s consumer in the management API');
  wb = await launchWorkbench();
});

after(async () => {
  await wb?.close();
  await broker.close();
  await api('DELETE', `vhosts/${encodeURIComponent(VHOST)}`).catch(() => {});
});

async function publishFromPalette(page, count) {
  await runExact(page, 'RabbitMQ: Publish Test Notifications…');
  await answer(page, 'Publish to which exchange', 'nova');
  await answer(page, 'Routing key of the test notifications', undefined);
  await answer(page, 'How many test notifications', String(count));
  await answer(page, 'Messages per second', '');
  await answer(page, 'Event type', undefined);
}

const publisherConnections = async () => (await api('GET', `vhosts/${encodeURIComponent(VHOST)}/connections`))
  .filter((c) => (c.user_provided_name ?? c.client_properties?.connection_name) === 'rmq-pools:publisher').length;

test('Publish Test Notifications asks before reaching another application\'s pool; Cancel publishes nothing', async () => {
  const { page, lap } = wb;
  await openContainer(page);
  await addBrokerThroughInput(page, BROKER, VHOST);
  await labelRow(page, BROKER).waitFor({ timeout: 30_000 });
  lap('broker added');

  await publishFromPalette(page, 25);
  const dialog = page.locator('.monaco-dialog-box').filter({ hasText: 'reach pools other applications consume' });
  await dialog.waitFor({ timeout: 15_000 });
  const text = (await dialog.innerText()).replace(/\s+/g, ' ');
  assert.match(text, /Publish Test Notifications: 25 test notifications to nova \/ notifications\.info reach pools other applications consume/, text);
  assert.match(text, /ceilometer \(ceilometer-agent-notification\)/, text);
  await screenshot(page, 'safe-publish-asks');
  await dialog.locator('.monaco-button', { hasText: /^Cancel$/ }).click();
  await dialog.waitFor({ state: 'detached', timeout: 10_000 });
  // Nothing may arrive: give a publish that slipped through the time to land, then check both ends.
  await new Promise((r) => setTimeout(r, 3000));
  assert.equal(received, 0, 'the other application got nothing');
  assert.equal(await publisherConnections(), 0, 'no publisher connection was opened');
  lap('cancelled: nothing published');

  await publishFromPalette(page, 25);
  await dialog.waitFor({ timeout: 15_000 });
  await dialog.locator('.monaco-button', { hasText: /^Publish$/ }).click();
  await until(async () => received === 25 || undefined, 'the 25 test notifications to arrive', 30_000);
  lap('published after consent');
});
