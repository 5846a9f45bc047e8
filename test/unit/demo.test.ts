/** The demo's guards, without a broker: local brokers only, never "/", a sane rate; the scenario's shape. */
import * as assert from 'node:assert/strict';
import { brokerConfig } from '../../src/broker/connection';
import { DEMO_POOLS, DEMO_VHOST, isLocalBroker, validateDemoRate, validateDemoVhost } from '../../src/broker/demo';
import { BrokerError } from '../../src/broker/errors';

const cfg = (amqpUrl: string, managementUrl?: string) => brokerConfig({ amqpUrl, managementUrl });

describe('demo guards', () => {
  it('runs only where every AMQP and management URL is this machine', () => {
    assert.equal(isLocalBroker(cfg('amqp://127.0.0.1:5672')), true);
    assert.equal(isLocalBroker(cfg('amqp://localhost:5672', 'http://localhost:15672')), true);
    assert.equal(isLocalBroker(cfg('amqp://[::1]:5672', 'http://127.0.0.2:15672')), true);
    assert.equal(isLocalBroker(cfg('amqp://rabbit.example.com:5672')), false);
    assert.equal(isLocalBroker(cfg('amqp://127.0.0.1:5672', 'http://10.0.0.5:15672')), false, 'a remote management URL');
    assert.equal(isLocalBroker(cfg('amqp://127.0.0.1:5672, amqp://10.0.0.6:5672')), false, 'a cluster with a remote node');
    assert.equal(isLocalBroker(cfg('amqp://localhost.example.com:5672')), false);
  });

  it('never uses "/" or an empty vhost; rates from above 0 to 100 a second', () => {
    assert.doesNotThrow(() => validateDemoVhost(DEMO_VHOST));
    for (const v of ['/', '', '  ', 'x'.repeat(256)]) {
      assert.throws(() => validateDemoVhost(v), (e: BrokerError) => e.kind === 'invalid-input', JSON.stringify(v));
    }
    for (const r of [0.1, 3, 100]) { assert.doesNotThrow(() => validateDemoRate(r)); }
    for (const r of [0, -1, 100.5, NaN, Infinity]) { assert.throws(() => validateDemoRate(r), (e: BrokerError) => e.kind === 'invalid-input', String(r)); }
  });

  it('the seed\'s scenario: two pools of local workers, a shared pool of two applications, the default queue', () => {
    assert.deepEqual(DEMO_POOLS.map((p) => `${p.name}:${p.kind}:${p.workers}`),
      ['ceilometer:pool:3', 'audit:pool:1', 'monitoring:shared-pool:2', 'notifications.info:default-queue:0']);
    const shared = DEMO_POOLS.find((p) => p.kind === 'shared-pool')!;
    assert.equal(new Set(shared.applications).size, 2, 'two different applications');
  });
});
