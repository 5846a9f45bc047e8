import * as assert from 'node:assert/strict';
import type { ApiQueue } from '../../src/broker/management';
import { buildTopology, Topology } from '../../src/broker/topology';
import { FINDING_KINDS, clusterRules, diagnose } from '../../src/broker/diagnose';

const V = 'v';
const N1 = 'rabbit-c1@vm';
const N2 = 'rabbit-c2@vm';
const N3 = 'rabbit-c3@vm';

function topo(queues: ApiQueue[]): Topology {
  return buildTopology({
    vhost: V, exchanges: [{ name: 'nova', type: 'topic', vhost: V }], queues,
    bindings: queues.map((q) => ({ source: 'nova', vhost: V, destination: q.name, destination_type: 'queue' as const, routing_key: 'notifications.info' })),
    consumers: [], connections: [],
  });
}

const nodes = (...down: string[]) => [N1, N2, N3].map((name) => ({ name, running: !down.includes(name) }));
const kinds = (t: Topology, n?: ReturnType<typeof nodes>) => diagnose(t, { nodes: n }).map((f) => `${f.kind}:${f.pool}`);

describe('diagnose: cluster rules', () => {
  it('knows the two cluster kinds', () => {
    assert.ok(FINDING_KINDS.includes('classic-pool-node-down'));
    assert.ok(FINDING_KINDS.includes('quorum-minority'));
  });

  it('is silent on a healthy cluster: classic pool on a running node, quorum pool with every member online', () => {
    const t = topo([
      { name: 'classic', vhost: V, type: 'classic', node: N1, state: 'running' },
      { name: 'qq', vhost: V, type: 'quorum', leader: N2, members: [N1, N2, N3], online: [N1, N2, N3], state: 'running' },
    ]);
    assert.deepEqual(kinds(t, nodes()), []);
    assert.deepEqual(kinds(t), []);
  });

  it('classic-pool-node-down: the only node of a classic pool is down (from /api/nodes)', () => {
    const t = topo([
      { name: 'on-c1', vhost: V, type: 'classic', node: N1 },
      { name: 'on-c2', vhost: V, type: 'classic', node: N2 },
    ]);
    const fs = diagnose(t, { nodes: nodes(N1) });
    assert.deepEqual(fs.map((f) => `${f.kind}:${f.pool}`), ['classic-pool-node-down:on-c1']);
    assert.equal(fs[0].severity, 'error');
    assert.match(fs[0].message, /classic queue on node rabbit-c1@vm, which is down/);
    assert.match(fs[0].action, /quorum/);
  });

  it('classic-pool-node-down: also from the queue state "down" when the nodes cannot be read', () => {
    const t = topo([{ name: 'gone', vhost: V, type: 'classic', node: N3, state: 'down' }]);
    assert.deepEqual(kinds(t), ['classic-pool-node-down:gone']);
  });

  it('quorum-minority: 1 of 3 members online is below the majority of 2', () => {
    const t = topo([{ name: 'qq', vhost: V, type: 'quorum', leader: N1, members: [N1, N2, N3], online: [N1] }]);
    const fs = diagnose(t, {});
    assert.deepEqual(fs.map((f) => f.kind), ['quorum-minority']);
    assert.match(fs[0].message, /1 of its 3 members online \(rabbit-c1@vm\); it needs 2/);
    assert.match(fs[0].message, /Offline: rabbit-c2@vm, rabbit-c3@vm/);
  });

  it('quorum-minority: not while a majority (2 of 3) is online — losing one node is what quorum queues survive', () => {
    const t = topo([{ name: 'qq', vhost: V, type: 'quorum', leader: N2, members: [N1, N2, N3], online: [N2, N3] }]);
    assert.deepEqual(kinds(t, nodes(N1)), []);
  });

  it('quorum-minority: nodes reported down count as offline even if the queue still lists them online (stale stats)', () => {
    const t = topo([{ name: 'qq', vhost: V, type: 'quorum', leader: N1, members: [N1, N2, N3], online: [N1, N2, N3] }]);
    assert.deepEqual(kinds(t, nodes(N2, N3)), ['quorum-minority:qq']);
  });

  it('quorum-minority: 2 of 4 members is not a majority; 3 of 5 is', () => {
    const four = [N1, N2, N3, 'rabbit-c4@vm'];
    assert.equal(clusterRules(topo([{ name: 'q4', vhost: V, type: 'quorum', members: four, online: [N1, N2] }]).pools[0]).length, 1);
    const five = [...four, 'rabbit-c5@vm'];
    assert.equal(clusterRules(topo([{ name: 'q5', vhost: V, type: 'quorum', members: five, online: [N1, N2, N3] }]).pools[0]).length, 0);
  });

  it('quorum-minority: from the queue state "minority" as well', () => {
    const t = topo([{ name: 'qq', vhost: V, type: 'quorum', members: [N1, N2, N3], online: [N1, N2], state: 'minority' }]);
    assert.deepEqual(kinds(t), ['quorum-minority:qq']);
  });

  it('never fires for streams, nor for a quorum queue without member information', () => {
    const t = topo([
      { name: 'stream', vhost: V, type: 'stream', leader: N1, members: [N1, N2, N3], online: [N1] },
      { name: 'qq', vhost: V, type: 'quorum' },
    ]);
    assert.deepEqual(kinds(t, nodes(N1, N2, N3)), []);
  });
});
