/**
 * The management HTTP API's objects as the tool reads them (only the fields it uses; everything a broker may omit is
 * optional), and its paging shapes.
 */
export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  pageCount: number;
  /** Items that match the filter (name/use_regex). */
  filteredCount: number;
  /** Items in the vhost before filtering. */
  totalCount: number;
}

export interface PageQuery {
  page?: number;
  pageSize?: number;
  /** Filter on the name; a regular expression when useRegex is set. */
  name?: string;
  useRegex?: boolean;
  columns?: readonly string[];
  sort?: string;
  sortReverse?: boolean;
}

export const MAX_PAGE_SIZE = 500;

// ---- API object types (only the fields the tool reads; everything optional that a broker may omit) ----
export interface RateDetails { rate: number }
export interface MessageStats {
  publish?: number; publish_details?: RateDetails;
  deliver_get?: number; deliver_get_details?: RateDetails;
  deliver?: number; deliver_details?: RateDetails;
  deliver_no_ack?: number;
  ack?: number; ack_details?: RateDetails;
  redeliver?: number; redeliver_details?: RateDetails;
  publish_in?: number; publish_out?: number;
}
export interface ApiOverview {
  management_version?: string; rabbitmq_version?: string; erlang_version?: string; cluster_name?: string; node?: string;
  rates_mode?: string; object_totals?: { queues?: number; exchanges?: number; consumers?: number; connections?: number; channels?: number };
  queue_totals?: { messages?: number; messages_ready?: number; messages_unacknowledged?: number };
  listeners?: { node: string; protocol: string; port: number; ip_address: string }[];
}
export interface ApiNode {
  name: string; running?: boolean; type?: string; mem_used?: number; mem_limit?: number; mem_alarm?: boolean;
  disk_free?: number; disk_free_limit?: number; disk_free_alarm?: boolean; partitions?: string[]; uptime?: number;
}
export interface ApiVhost { name: string; messages?: number; description?: string; tracing?: boolean }
export interface ApiExchange {
  name: string; vhost: string; type: string; durable?: boolean; auto_delete?: boolean; internal?: boolean;
  arguments?: Record<string, unknown>; message_stats?: MessageStats;
}
export interface ApiQueue {
  name: string; vhost: string; durable?: boolean; auto_delete?: boolean; exclusive?: boolean;
  arguments?: Record<string, unknown>; type?: string; node?: string; leader?: string; members?: string[]; online?: string[];
  state?: string; messages?: number; messages_ready?: number; messages_unacknowledged?: number; consumers?: number;
  consumer_utilisation?: number | null; single_active_consumer_tag?: string | null; message_stats?: MessageStats;
  idle_since?: string; policy?: string | null; effective_policy_definition?: Record<string, unknown> | null;
}
export interface ApiBinding {
  source: string; vhost: string; destination: string; destination_type: 'queue' | 'exchange';
  routing_key: string; arguments?: Record<string, unknown>; properties_key?: string;
}
export interface ApiChannelDetails { connection_name?: string; name?: string; number?: number; peer_host?: string; peer_port?: number; user?: string; node?: string }
export interface ApiConsumer {
  consumer_tag: string; ack_required?: boolean; active?: boolean; activity_status?: string; exclusive?: boolean;
  prefetch_count?: number; arguments?: Record<string, unknown>; channel_details?: ApiChannelDetails; queue?: { name: string; vhost: string };
}
export interface ApiConnection {
  name: string; vhost?: string; user?: string; node?: string; user_provided_name?: string; state?: string;
  peer_host?: string; peer_port?: number; channels?: number; protocol?: string;
  client_properties?: { connection_name?: string; product?: string; platform?: string; version?: string; [k: string]: unknown };
}
export interface ApiChannel {
  name: string; number?: number; vhost?: string; user?: string; node?: string; prefetch_count?: number; global_prefetch_count?: number;
  consumer_count?: number; messages_unacknowledged?: number; connection_details?: { name?: string; peer_host?: string; peer_port?: number };
  message_stats?: MessageStats; state?: string;
}
export interface ApiPermission { user: string; vhost: string; configure: string; write: string; read: string }
/** One entry of `GET /api/deprecated-features/used`. */
export interface ApiDeprecatedFeature {
  name?: string;
  desc?: string;
  deprecation_phase?: string;
  doc_url?: string;
  provided_by?: string;
}
