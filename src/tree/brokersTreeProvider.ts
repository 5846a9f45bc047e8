/**
 * The Brokers view. Foundation version: the local broker with its overview, exchanges, binding keys, pools and workers,
 * read through the core. Failures become an error node with the reason, never a blank view.
 */
import * as vscode from 'vscode';
import { brokerConfig } from '../broker/connection';
import { describeError } from '../broker/errors';
import type { Logger } from '../broker/logger';
import { ManagementClient } from '../broker/management';
import { BindingGroup, ExchangeModel, Pool, Topology, Worker, fetchTopology } from '../broker/topology';

type Node =
  | { kind: 'broker' }
  | { kind: 'exchange'; exchange: ExchangeModel }
  | { kind: 'binding'; exchange: ExchangeModel; binding: BindingGroup }
  | { kind: 'pool'; pool: Pool; parentId: string }
  | { kind: 'worker'; worker: Worker; parentId: string }
  | { kind: 'message'; text: string; error: boolean };

export class BrokersTreeProvider implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private topology?: Promise<Topology>;
  private client?: ManagementClient;

  constructor(private readonly log: Logger) {}

  refresh(): void {
    this.topology = undefined;
    this.emitter.fire(undefined);
  }

  dispose(): void {
    this.emitter.dispose();
    this.client?.dispose();
  }

  getTreeItem(n: Node): vscode.TreeItem {
    const C = vscode.TreeItemCollapsibleState;
    switch (n.kind) {
      case 'broker': {
        const item = new vscode.TreeItem('localhost', C.Expanded);
        item.id = 'broker:local';
        item.iconPath = new vscode.ThemeIcon('server');
        item.contextValue = 'broker';
        item.description = '127.0.0.1:5672';
        return item;
      }
      case 'exchange': {
        const item = new vscode.TreeItem(n.exchange.name, C.Collapsed);
        item.id = `exchange:${n.exchange.name}`;
        item.iconPath = new vscode.ThemeIcon('symbol-event');
        item.description = n.exchange.type;
        item.contextValue = 'exchange';
        return item;
      }
      case 'binding': {
        const item = new vscode.TreeItem(n.binding.routingKey || '(empty key)', C.Collapsed);
        item.id = `binding:${n.exchange.name}:${n.binding.routingKey}:${JSON.stringify(n.binding.arguments)}`;
        item.iconPath = new vscode.ThemeIcon('key');
        item.description = `${n.binding.pools.length} pool(s)`;
        item.contextValue = 'bindingKey';
        return item;
      }
      case 'pool': {
        const item = new vscode.TreeItem(n.pool.name, n.pool.workers.length ? C.Collapsed : C.None);
        item.id = `${n.parentId}/pool:${n.pool.name}`;
        item.iconPath = new vscode.ThemeIcon('inbox');
        item.description = `${n.pool.workers.length} workers · ${n.pool.messages} msgs`;
        item.contextValue = 'pool';
        return item;
      }
      case 'worker': {
        const item = new vscode.TreeItem(n.worker.application, C.None);
        item.id = `${n.parentId}/worker:${n.worker.consumerTag}`;
        item.iconPath = new vscode.ThemeIcon('person');
        item.description = n.worker.consumerTag;
        item.contextValue = 'worker';
        return item;
      }
      case 'message': {
        const item = new vscode.TreeItem(n.text, C.None);
        item.iconPath = new vscode.ThemeIcon(n.error ? 'error' : 'info');
        item.contextValue = n.error ? 'error' : 'info';
        return item;
      }
    }
  }

  async getChildren(n?: Node): Promise<Node[]> {
    try {
      if (!n) { return [{ kind: 'broker' }]; }
      if (n.kind === 'broker') {
        const t = await this.load();
        return t.exchanges.length ? t.exchanges.map((exchange) => ({ kind: 'exchange', exchange })) : [{ kind: 'message', text: 'No exchanges', error: false }];
      }
      if (n.kind === 'exchange') { return n.exchange.bindings.map((binding) => ({ kind: 'binding', exchange: n.exchange, binding })); }
      if (n.kind === 'binding') {
        const id = `binding:${n.exchange.name}:${n.binding.routingKey}`;
        return n.binding.pools.map((pool) => ({ kind: 'pool', pool, parentId: id }));
      }
      if (n.kind === 'pool') {
        const id = `${n.parentId}/pool:${n.pool.name}`;
        return n.pool.workers.map((worker) => ({ kind: 'worker', worker, parentId: id }));
      }
      return [];
    } catch (e) {
      this.log.error(`Brokers view: ${describeError(e)}`);
      return [{ kind: 'message', text: describeError(e), error: true }];
    }
  }

  private load(): Promise<Topology> {
    if (!this.topology) {
      this.client ??= new ManagementClient(brokerConfig({}));
      this.topology = fetchTopology(this.client, '/');
      this.topology.catch(() => { this.topology = undefined; });
    }
    return this.topology;
  }
}
