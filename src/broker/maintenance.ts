/**
 * "Can this node go down?": what stopping one cluster node does to the pools of a vhost. Classic queues that live only
 * there stop (no synchronised mirror elsewhere), quorum (and stream) queues whose online members elsewhere are no
 * longer a majority stop accepting and delivering, and the workers whose connections are on that node are dropped
 * (clients that reconnect come back through another node). Pure over API data; `checkNodeMaintenance` reads it.
 */
import type { ApiConnection, ApiConsumer, ApiNode, ManagementClient } from './management';
import type { HealthApiQueue } from './health';
import { applicationOf, clientNameOf } from './topology';
import { BrokerError } from './errors';
import { inertText } from './text';

export interface MaintenancePool {
  name: string;
  type: string;
  messages: number;
  consumers: number;
  /** Quorum / stream: members, and those online now and after the node stops. */
  members?: string[];
  onlineAfter?: string[];
  majority?: number;
  why: string;
}

export interface MaintenanceWorker { consumerTag: string; pool: string; application: string; connection: string }

export interface MaintenanceVerdict {
  node: string;
  vhost: string;
  safe: boolean;
  /** Classic pools that stop with the node (they live only there). */
  stops: MaintenancePool[];
  /** Quorum / stream pools that lose their majority. */
  losesMajority: MaintenancePool[];
  /** Classic pools whose queue is on the node but a synchronised mirror takes over. */
  failsOver: MaintenancePool[];
  /** Workers (consumers) whose connection is on the node: dropped, reconnecting elsewhere if their client does. */
  workersDropped: MaintenanceWorker[];
  summary: string;
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export interface MaintenanceInput {
  node: string;
  vhost: string;
  queues: HealthApiQueue[];
  consumers: ApiConsumer[];
  connections: ApiConnection[];
  /** /api/nodes, to know which nodes run now; without it, a quorum queue's `online` is taken as it is. */
  nodes?: ApiNode[];
}

export function nodeMaintenance(i: MaintenanceInput): MaintenanceVerdict {
  const running = i.nodes ? new Set(i.nodes.filter((n) => n.running !== false).map((n) => n.name)) : undefined;
  const stops: MaintenancePool[] = [];
  const losesMajority: MaintenancePool[] = [];
  const failsOver: MaintenancePool[] = [];
  const consumersOf = (q: string) => i.consumers.filter((c) => c.queue?.name === q).length;
  for (const q of i.queues) {
    const type = q.type ?? 'classic';
    const base = { name: q.name, type, messages: q.messages ?? 0, consumers: q.consumers ?? consumersOf(q.name) };
    if (type === 'quorum' || type === 'stream') {
      const members = list(q.members);
      if (!members.includes(i.node)) { continue; }
      const online = (q.online ? list(q.online) : members).filter((m) => !running || running.has(m));
      const after = online.filter((m) => m !== i.node);
      const majority = Math.floor(members.length / 2) + 1;
      if (after.length < majority) {
        losesMajority.push({ ...base, members, onlineAfter: after, majority,
          why: `${after.length} of ${members.length} members would stay online, ${majority} are needed` });
      }
      continue;
    }
    if (q.node !== i.node) { continue; }
    const synced = list(q.synchronised_slave_nodes).filter((n) => n !== i.node && (!running || running.has(n)));
    if (synced.length) {
      failsOver.push({ ...base, why: `a synchronised mirror on ${synced.join(', ')} takes over` });
    } else {
      stops.push({ ...base, why: `the queue lives only on ${i.node}${base.consumers ? `; its ${base.consumers} worker${base.consumers === 1 ? '' : 's'} lose it` : ''}` });
    }
  }
  const conns = new Map(i.connections.map((c) => [c.name, c]));
  const workersDropped: MaintenanceWorker[] = [];
  for (const c of i.consumers) {
    const name = c.channel_details?.connection_name ?? '';
    const conn = conns.get(name);
    const node = conn?.node ?? c.channel_details?.node;
    if (node !== i.node) { continue; }
    workersDropped.push({ consumerTag: c.consumer_tag, pool: c.queue?.name ?? '', application: applicationOf(conn, clientNameOf(conn) ?? name), connection: name });
  }
  const safe = stops.length === 0 && losesMajority.length === 0;
  const parts: string[] = [];
  if (stops.length) { parts.push(`${stops.length} classic pool${stops.length === 1 ? '' : 's'} would stop`); }
  if (losesMajority.length) { parts.push(`${losesMajority.length} quorum pool${losesMajority.length === 1 ? '' : 's'} would lose the majority`); }
  if (workersDropped.length) { parts.push(`${workersDropped.length} worker${workersDropped.length === 1 ? '' : 's'} connected to it would be dropped`); }
  const summary = `${i.node} ${safe ? 'can go down' : 'cannot go down safely'} for vhost ${i.vhost}${parts.length ? `: ${parts.join('; ')}` : ': no pool depends on it alone'}.`;
  return { node: i.node, vhost: i.vhost, safe, stops, losesMajority, failsOver, workersDropped, summary };
}

/** Reads the vhost and the cluster's nodes and judges stopping `node`. An unknown node is an error naming the known ones. */
export async function checkNodeMaintenance(client: ManagementClient, vhost: string, node: string): Promise<MaintenanceVerdict> {
  const enc = encodeURIComponent;
  const [nodes, queues, consumers, connections] = await Promise.all([
    client.nodes().catch(() => undefined),
    client.get<HealthApiQueue[]>(`api/queues/${enc(vhost)}`, { columns: ['name', 'type', 'node', 'members', 'online', 'leader', 'messages', 'consumers', 'slave_nodes', 'synchronised_slave_nodes', 'state'] }),
    client.consumers(vhost),
    client.connections(vhost),
  ]);
  if (nodes && !nodes.some((n) => n.name === node)) {
    throw new BrokerError('not-found', `No cluster node "${node}": the cluster has ${nodes.map((n) => n.name).join(', ')}`,
      'Give one of those names to --node (rabbitmqctl cluster_status lists them)');
  }
  return nodeMaintenance({ node, vhost, queues: Array.isArray(queues) ? queues : [], consumers, connections, nodes });
}

/** The verdict as plain text, broker names made inert (a VS Code document, logs); the CLI prints its own table-free copy. */
export function maintenanceText(v: MaintenanceVerdict, show: (s: string) => string = (x) => inertText(x)): string {
  let out = `${show(v.summary)}\n`;
  const section = (title: string, rows: string[]) => { if (rows.length) { out += `\n${title}:\n${rows.map((r) => `  - ${r}\n`).join('')}`; } };
  section('Pools that would stop', v.stops.map((p) => `${show(p.name)} (${p.type}, ${p.messages} messages): ${show(p.why)}`));
  section('Quorum pools that would lose the majority', v.losesMajority.map((p) => `${show(p.name)} (${p.messages} messages): ${show(p.why)}`));
  section('Classic pools that fail over', v.failsOver.map((p) => `${show(p.name)}: ${show(p.why)}`));
  section('Workers whose connections would drop', v.workersDropped.map((w) => `${show(w.consumerTag)} on ${show(w.pool)} (${show(w.application)})`));
  return out;
}
