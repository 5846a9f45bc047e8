/**
 * What the tree shows about a cluster, vscode-free: the nodes (running, alarms, partitions), each pool's placement
 * (queue type, leader, members online/offline) and the node each worker is connected to. Pure functions over the
 * management API's data, so that the cluster tests can check exactly what the tree will show.
 */
import type { ApiNode, ApiOverview, ManagementEndpoint } from '../broker/management';
import type { Pool, Worker } from '../broker/topology';
import { plural } from './text';

export type NodeState = 'running' | 'down' | 'alarm' | 'partitioned';

export interface ClusterNodeView {
  name: string;
  /** "rabbit-c1" of "rabbit-c1@vm": what labels show. */
  short: string;
  running: boolean;
  memAlarm: boolean;
  diskAlarm: boolean;
  partitions: string[];
  state: NodeState;
  /** One line: "running · memory 120 MB of 9.6 GB · disk 40 GB free". */
  description: string;
  /** The node the management API answered through (the connection's node, for a cluster). */
  answering: boolean;
}

export interface ClusterView {
  name: string | undefined;
  nodes: ClusterNodeView[];
  running: number;
  /** "3 nodes, all running" / "3 nodes, 1 down (rabbit-c1)" / "…, memory alarm on rabbit-c2". */
  summary: string;
  /** "connected through node 2 of 3 (…); node 1 (…) is down" when the broker lists several management URLs. */
  endpoint?: string;
}

/**
 * A node's short name: "rabbit-c1@host" → "rabbit-c1". Nodes named the default "rabbit" (most production clusters, and
 * the Kubernetes cluster operator's "rabbit@rmq-server-0.rmq-nodes.ns") go by their host's first label instead
 * ("rmq-server-0"): otherwise every node of the cluster would read "rabbit".
 */
export function shortNode(name: string): string {
  const at = name.indexOf('@');
  if (at <= 0) { return name; }
  const local = name.slice(0, at);
  const host = name.slice(at + 1).split('.')[0];
  return local === 'rabbit' && host ? host : local;
}

function bytes(n: number | undefined): string | undefined {
  if (typeof n !== 'number' || !Number.isFinite(n)) { return undefined; }
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) { v /= 1000; i++; }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

export function nodeView(n: ApiNode, answeringNode?: string): ClusterNodeView {
  const running = n.running !== false;
  const partitions = Array.isArray(n.partitions) ? n.partitions : [];
  const memAlarm = n.mem_alarm === true;
  const diskAlarm = n.disk_free_alarm === true;
  const state: NodeState = !running ? 'down' : partitions.length ? 'partitioned' : memAlarm || diskAlarm ? 'alarm' : 'running';
  const parts: string[] = [running ? 'running' : 'down'];
  if (memAlarm) { parts.push('memory alarm'); }
  if (diskAlarm) { parts.push('disk alarm'); }
  if (partitions.length) { parts.push(`partitioned from ${partitions.map(shortNode).join(', ')}`); }
  if (running) {
    const used = bytes(n.mem_used);
    const limit = bytes(n.mem_limit);
    if (used) { parts.push(`memory ${used}${limit ? ` of ${limit}` : ''}`); }
    const free = bytes(n.disk_free);
    if (free) { parts.push(`disk ${free} free`); }
  }
  return { name: n.name, short: shortNode(n.name), running, memAlarm, diskAlarm, partitions, state, description: parts.join(' · '), answering: n.name === answeringNode };
}

export function clusterView(overview: ApiOverview | undefined, nodes: readonly ApiNode[], endpoint?: ManagementEndpoint): ClusterView {
  const views = [...nodes].sort((a, b) => a.name.localeCompare(b.name)).map((n) => nodeView(n, overview?.node));
  const running = views.filter((n) => n.running).length;
  const notes: string[] = [];
  const down = views.filter((n) => !n.running);
  if (down.length) { notes.push(`${down.length} down (${down.map((n) => n.short).join(', ')})`); }
  const mem = views.filter((n) => n.memAlarm);
  if (mem.length) { notes.push(`memory alarm on ${mem.map((n) => n.short).join(', ')}`); }
  const disk = views.filter((n) => n.diskAlarm);
  if (disk.length) { notes.push(`disk alarm on ${disk.map((n) => n.short).join(', ')}`); }
  const parted = views.filter((n) => n.partitions.length);
  if (parted.length) { notes.push(`partitions seen by ${parted.map((n) => n.short).join(', ')}`); }
  const count = plural(views.length, 'node');
  const summary = notes.length ? `${count}, ${notes.join(', ')}` : `${count}, all running`;
  return {
    name: overview?.cluster_name, nodes: views, running, summary,
    endpoint: endpoint && endpoint.count > 1 ? describeEndpointShort(endpoint) : undefined,
  };
}

function describeEndpointShort(e: ManagementEndpoint): string {
  const down = e.down.filter((d) => d.index !== e.index);
  return `connected through node ${e.index + 1} of ${e.count} (${e.url})` +
    (down.length ? `; ${down.map((d) => `node ${d.index + 1} (${d.url})`).join(', ')} ${down.length === 1 ? 'is' : 'are'} down` : '');
}

export interface MemberView {
  name: string;
  short: string;
  leader: boolean;
  online: boolean;
  /** "leader · online" / "online" / "offline". */
  description: string;
}

export interface PoolPlacement {
  type: string;
  /** The classic queue's node, or the quorum/stream leader. */
  leader: string | undefined;
  members: MemberView[];
  online: number;
  /** "quorum · leader rabbit-c2 · 3/3 online" / "classic on rabbit-c1" / "classic on rabbit-c1 (down)". */
  summary: string;
}

/**
 * Where a pool lives. Quorum and stream queues have members, of which `online` ones are up (a member whose node is
 * reported down counts as offline even when the queue's stats have not caught up yet).
 */
export function poolPlacement(p: Pool, nodes: readonly ApiNode[] = []): PoolPlacement {
  const down = new Set(nodes.filter((n) => n.running === false).map((n) => n.name));
  const type = String(p.type);
  if (type === 'classic' || !p.members?.length) {
    const node = p.node ?? p.leader;
    const isDown = node !== undefined && (down.has(node) || p.state === 'down');
    return {
      type, leader: node, members: [], online: node && !isDown ? 1 : 0,
      summary: node ? `${type} on ${shortNode(node)}${isDown ? ' (down)' : ''}` : type,
    };
  }
  const online = new Set((p.online ?? p.members).filter((m) => !down.has(m)));
  // Without a majority of members online a quorum queue has no working leader, whatever the API last reported.
  const majority = Math.floor(p.members.length / 2) + 1;
  const leader = p.leader && !down.has(p.leader) && (type !== 'quorum' || online.size >= majority) ? p.leader : undefined;
  const members: MemberView[] = [...p.members].sort().map((m) => {
    const isLeader = m === leader;
    const on = online.has(m);
    return { name: m, short: shortNode(m), leader: isLeader, online: on, description: [isLeader ? 'leader' : '', on ? 'online' : 'offline'].filter(Boolean).join(' · ') };
  });
  const n = members.filter((m) => m.online).length;
  return {
    type, leader, members, online: n,
    summary: `${type} · ${leader ? `leader ${shortNode(leader)}` : 'no leader'} · ${n}/${members.length} online`,
  };
}

/** "on rabbit-c2" for a worker of a cluster (its connection's node); undefined when unknown. */
export function workerNodeLabel(w: Worker): string | undefined {
  return w.node ? `on ${shortNode(w.node)}` : undefined;
}
