/**
 * The Delivery Counts panel's messages, shared by the extension side (src/webview/) and the page (media/main.ts): one
 * file, so both sides fail to compile when a message changes. Plain JSON only (postMessage clones it).
 *
 * Host → page: one `snapshot` when the page is (re)loaded, then `update`s (only the pools that changed, the new rate
 * points and the running action's progress, at most 4 a second), and `audit` / `notice` when an action ends.
 * Page → host: `ready` first (with the page's persisted state after a reload), then the buttons' actions.
 *
 * Every string in here may come from the broker (pool, exchange, worker names): the page renders it as text only.
 */
import { MAX_AUDIT_COUNT } from '../broker/limits';

/** What the panel looks at: one exchange and routing key on one broker's vhost, and optionally one highlighted pool. */
export interface PanelSelection {
  broker: string;
  vhost: string;
  exchange: string;
  routingKey: string;
  /** The pool the user selected in the table (its bars are shown first and its row is marked). */
  pool?: string;
}

export interface WorkerRow {
  name: string;
  delivered: number;
  state: string;
}

export interface SpreadView {
  min: number;
  max: number;
  mean: number;
  /** Coefficient of variation: 0 = perfectly even. */
  cv: number;
  idle: number;
}

export interface PoolRow {
  name: string;
  /** local: exact counts from this extension's workers; remote: the management API's queue counters. */
  source: 'local' | 'remote';
  /** Consumers on the pool (local workers for a local pool). */
  workers: number;
  delivered: number;
  acked: number;
  redelivered: number;
  /** Only known for local pools (by message_id); undefined for remote ones. */
  duplicates?: number;
  ratePerSecond: number;
  /** From the management API; undefined until it answered. */
  ready?: number;
  unacked?: number;
  /** Per-worker deliveries (local pools only). */
  workerCounts: WorkerRow[];
  spread?: SpreadView;
  /** Epoch ms of the numbers. */
  at: number;
  /** true when the numbers come from the management API (they lag and include other traffic). */
  approximate: boolean;
  note?: string;
}

/** Deliveries per second of each pool at time t (epoch ms). */
export interface RatePoint {
  t: number;
  rates: Record<string, number>;
}

export interface LatencyView {
  count: number;
  p50: number;
  p95: number;
  p99: number;
}

export interface AuditPoolView {
  name: string;
  received: number;
  missing: number;
  duplicates: number;
  exact: boolean;
  latencyMs: LatencyView;
  note?: string;
}

export interface AuditView {
  at: number;
  published: number;
  confirmed: number;
  unroutable: number;
  seconds: number;
  ok: boolean;
  cancelled: boolean;
  timedOut: boolean;
  pools: AuditPoolView[];
}

export interface BusyView {
  action: 'publish' | 'audit';
  total: number;
  published: number;
  confirmed: number;
}

/** The Health section (health.ts, read by the host every statistics interval while the panel is visible). */
export interface HealthWorkerView {
  consumerTag: string;
  application: string;
  unacked: number | null;
  prefetch: number | null;
  ackRate: number | null;
  lastAckSecondsAgo: number | null;
  state: 'ok' | 'slow' | 'stalled' | 'idle';
  why: string;
}

export interface HealthPoolView {
  name: string;
  verdict: string;
  capacity: number | null;
  ready: number;
  unacked: number;
  publishRate: number | null;
  ackRate: number | null;
  oldestAgeSeconds: number | null;
  /** Ready and unacked over time (epoch ms), from the broker's samples. */
  history: { t: number; ready: number; unacked: number }[];
  /** In (publish) and ack rates per second over time (epoch ms), from the same samples; null where unknown. */
  rates: { t: number; publish: number | null; ack: number | null }[];
  /** How old the newest sample behind this pool's numbers was when read, and the sampling interval (s); null: unknown. */
  dataAgeSeconds: number | null;
  resolutionSeconds: number | null;
  workers: HealthWorkerView[];
}

export interface HealthView {
  at: number;
  note: string;
  pools: HealthPoolView[];
  error?: string;
}

export interface PanelState {
  selection: PanelSelection;
  pools: PoolRow[];
  history: RatePoint[];
  audit?: AuditView;
  busy?: BusyView;
  /** Epoch ms of the last management API answer (undefined: not yet, or failing). */
  managementAt?: number;
  /** Why the management API could not be read, when it could not. */
  managementError?: string;
  /** Default count for Publish / Run Audit. */
  defaultCount: number;
  /** The Health section, once read. */
  health?: HealthView;
}

/** What the page keeps through a reload (vscode.setState) and what the serializer gets back. */
export interface PersistedState {
  selection: PanelSelection;
  count?: number;
}

export type ExportFormat = 'json' | 'csv';

// ---- host → page ----
export type HostMessage =
  | { type: 'snapshot'; state: PanelState }
  /** Only what changed since the last message; `busy: null` = the running action ended. */
  | { type: 'update'; pools: PoolRow[]; removed: string[]; points: RatePoint[]; managementAt?: number; managementError?: string | null; busy?: BusyView | null; health?: HealthView }
  | { type: 'audit'; audit: AuditView }
  | { type: 'notice'; severity: 'info' | 'error'; message: string };

// ---- page → host ----
export type PageMessage =
  | { type: 'ready'; persisted?: PersistedState }
  | { type: 'publish'; count: number }
  | { type: 'audit'; count: number }
  | { type: 'reset' }
  | { type: 'cancel' }
  | { type: 'export'; format: ExportFormat }
  | { type: 'selectPool'; pool: string | undefined }
  | { type: 'cspViolation'; directive: string; blocked: string }
  | { type: 'peek'; pool: string }
  | { type: 'publishMessage' };

export const PANEL_VIEW_TYPE = 'rabbitmqPools.deliveryCounts';
export const DEFAULT_COUNT = 1000;
/** The panel's one count field serves Publish and Run Audit: the audit's limit, the tighter of the two. */
export const MAX_COUNT = MAX_AUDIT_COUNT;
/** How many rate points the line chart keeps (one a second: five minutes). */
export const HISTORY_POINTS = 300;
/** At most this many messages a second from host to page. */
export const MAX_UPDATES_PER_SECOND = 4;

const PAGE_TYPES = new Set<PageMessage['type']>(['ready', 'publish', 'audit', 'reset', 'cancel', 'export', 'selectPool', 'cspViolation', 'peek', 'publishMessage']);

/** The page is code we ship, but its messages still cross a boundary: check the shape before acting on one. */
export function isPageMessage(m: unknown): m is PageMessage {
  if (typeof m !== 'object' || m === null) { return false; }
  const t = (m as { type?: unknown }).type;
  if (typeof t !== 'string' || !PAGE_TYPES.has(t as PageMessage['type'])) { return false; }
  const o = m as Record<string, unknown>;
  switch (t) {
    case 'publish':
    case 'audit':
      return typeof o.count === 'number' && Number.isInteger(o.count) && o.count >= 1 && o.count <= MAX_COUNT;
    case 'export':
      return o.format === 'json' || o.format === 'csv';
    case 'selectPool':
      return o.pool === undefined || typeof o.pool === 'string';
    case 'peek':
      return typeof o.pool === 'string' && o.pool.length > 0;
    case 'ready':
      return o.persisted === undefined || isPersistedState(o.persisted);
    default:
      return true;
  }
}

export function isPersistedState(s: unknown): s is PersistedState {
  if (typeof s !== 'object' || s === null) { return false; }
  const sel = (s as { selection?: unknown }).selection as Record<string, unknown> | undefined;
  return typeof sel === 'object' && sel !== null && typeof sel.broker === 'string' && typeof sel.vhost === 'string'
    && typeof sel.exchange === 'string' && typeof sel.routingKey === 'string' && (sel.pool === undefined || typeof sel.pool === 'string');
}
