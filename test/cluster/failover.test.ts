/**
 * Several URLs per broker, without a cluster: config parsing, the settings round trip, and the management client's
 * failover against small local HTTP servers (one refusing, one answering). Runs under `npm run test:cluster` in a second.
 */
import './vscodeStub';
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import { amqpConnectArgs, amqpUrlsOf, brokerConfig, describeBroker, managementUrlsOf } from '../../src/broker/connection';
import { BrokerError } from '../../src/broker/errors';
import { ManagementClient, describeEndpoint } from '../../src/broker/management';
import { BrokerStore } from '../../src/settings/brokerStore';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); });
    s.on('error', reject);
  });
}

/** A fake management API: answers /api/overview as node `node`, or with `status`. */
async function fakeApi(node: string, status = 200): Promise<{ url: string; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(status === 200 ? JSON.stringify({ rabbitmq_version: '3.10.8', node, cluster_name: 'test' }) : JSON.stringify({ error: 'not_authorised', reason: 'Login failed' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, hits, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

describe('several URLs per broker (no cluster needed)', () => {
  it('a comma-separated AMQP URL list: the first is amqpUrl, all are amqpUrls; credentials from the URL that has them', () => {
    const c = brokerConfig({ amqpUrl: 'amqp://alice:s3cret-pw@10.0.0.1:5672, amqp://10.0.0.2:5672,amqp://10.0.0.3', managementUrl: 'http://10.0.0.1:15672,http://10.0.0.2:15672' });
    assert.equal(c.amqpUrl, 'amqp://10.0.0.1:5672');
    assert.deepEqual(c.amqpUrls, ['amqp://10.0.0.1:5672', 'amqp://10.0.0.2:5672', 'amqp://10.0.0.3:5672']);
    assert.equal(c.managementUrl, 'http://10.0.0.1:15672');
    assert.deepEqual(c.managementUrls, ['http://10.0.0.1:15672', 'http://10.0.0.2:15672']);
    assert.equal(c.username, 'alice');
    assert.equal(c.password, 's3cret-pw');
    assert.match(describeBroker(c), /alice@amqp:\/\/10\.0\.0\.1:5672 \+2 more nodes, vhost \/, management http:\/\/10\.0\.0\.1:15672 \+1 more node\)/);
    assert.doesNotMatch(describeBroker(c), /s3cret/);
    assert.equal(amqpConnectArgs(c, 'x', 1).url.hostname, '10.0.0.2');
    assert.equal(amqpConnectArgs(c, 'x', 5).url.hostname, '10.0.0.3');
  });

  it('amqpUrls / managementUrls lists add nodes after amqpUrl, without duplicates; one node keeps the old shape', () => {
    const c = brokerConfig({ amqpUrl: 'amqp://h1:5673', amqpUrls: ['amqp://h1:5673', 'amqp://h2:5674'], managementUrls: ['http://h1:15673', 'http://h2:15674'] });
    assert.deepEqual(amqpUrlsOf(c), ['amqp://h1:5673', 'amqp://h2:5674']);
    assert.deepEqual(managementUrlsOf(c), ['http://h1:15673', 'http://h2:15674']);
    const single = brokerConfig({ amqpUrl: 'amqp://h1:5673' });
    assert.equal(single.amqpUrls, undefined);
    assert.equal(single.managementUrls, undefined);
    assert.deepEqual(amqpUrlsOf(single), ['amqp://h1:5673']);
    assert.equal(single.managementUrl, 'http://h1:15672');
  });

  it('a bad second URL is reported by its position', () => {
    assert.throws(() => brokerConfig({ amqpUrl: 'amqp://h1:5672,amqp://h2:99999' }), (e: unknown) => e instanceof BrokerError && /AMQP URL 2/.test(e.message));
  });

  it('Add Broker keeps the first node in amqpUrl / managementUrl and the others in amqpUrls / managementUrls', () => {
    const { setting, config } = BrokerStore.toSetting({ name: 'prod', amqpUrl: 'amqp://ops@r1:5672,amqp://r2:5672,amqp://r3:5672', managementUrl: 'http://r1:15672, http://r2:15672, http://r3:15672', password: 'pw-123456' });
    assert.deepEqual(setting, {
      name: 'prod', amqpUrl: 'amqp://ops@r1:5672', managementUrl: 'http://r1:15672',
      amqpUrls: ['amqp://r2:5672', 'amqp://r3:5672'], managementUrls: ['http://r2:15672', 'http://r3:15672'],
    });
    assert.equal(config.amqpUrls?.length, 3);
    const one = BrokerStore.toSetting({ name: 'one', amqpUrl: 'amqp://r1:5672' }).setting;
    assert.deepEqual(one, { name: 'one', amqpUrl: 'amqp://guest@r1:5672', managementUrl: 'http://r1:15672' });
  });

  it('the management client moves on from a refusing node to the next, remembers it, and says which answered', async () => {
    const refused = await freePort();
    const b = await fakeApi('rabbit@two');
    try {
      const client = new ManagementClient(brokerConfig({ amqpUrl: 'amqp://127.0.0.1:1', managementUrls: [`http://127.0.0.1:${refused}`, b.url] }));
      const o = await client.overview();
      assert.equal(o.node, 'rabbit@two');
      assert.equal(client.endpoint().index, 1);
      assert.deepEqual(client.endpoint().down.map((d) => [d.index, d.reason]), [[0, 'ECONNREFUSED']]);
      assert.equal(client.describeEndpoint(), `connected through node 2 of 2 (${b.url}); node 1 (http://127.0.0.1:${refused}) is down`);
      const before = client.requests;
      await client.overview();
      assert.equal(client.requests - before, 1, 'the second call goes straight to the node that answered');
      assert.equal(b.hits.length, 2);
      assert.match(client.uiUrl('queue', '/', 'q'), new RegExp(`^${b.url}/#/queues/`));
      client.dispose();
    } finally { await b.close(); }
  });

  it('an HTTP error (401) from a live node is the answer: no failover', async () => {
    const a = await fakeApi('rabbit@one', 401);
    const b = await fakeApi('rabbit@two');
    try {
      const client = new ManagementClient(brokerConfig({ amqpUrl: 'amqp://127.0.0.1:1', managementUrls: [a.url, b.url] }));
      await assert.rejects(client.overview(), (e: unknown) => e instanceof BrokerError && e.kind === 'auth');
      assert.equal(b.hits.length, 0);
      client.dispose();
    } finally { await a.close(); await b.close(); }
  });

  it('every node down: one error naming all of them', async () => {
    const [p1, p2, p3] = await Promise.all([freePort(), freePort(), freePort()]);
    const client = new ManagementClient(brokerConfig({ amqpUrl: `amqp://127.0.0.1:${p3}`, managementUrls: [`http://127.0.0.1:${p1}`, `http://127.0.0.1:${p2}`] }));
    await assert.rejects(client.overview(), (e: unknown) => e instanceof BrokerError && e.kind === 'unreachable' &&
      e.message.includes(`http://127.0.0.1:${p1}`) && e.message.includes(`http://127.0.0.1:${p2}`) && /None of the 2 nodes answers/.test(e.message));
    client.dispose();
  });

  it('describeEndpoint for one node, and for a node that came back', () => {
    assert.equal(describeEndpoint({ index: 0, count: 1, url: 'http://a', down: [] }), 'connected to http://a');
    assert.equal(describeEndpoint({ index: 2, count: 3, url: 'http://c', down: [{ index: 0, url: 'http://a', reason: 'ECONNREFUSED' }, { index: 1, url: 'http://b', reason: 'ETIMEDOUT' }] }),
      'connected through node 3 of 3 (http://c); node 1 (http://a), node 2 (http://b) are down');
  });
});
