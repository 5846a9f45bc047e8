/** The selected broker's state in the status bar (connected / unreachable / auth failed); a click opens the broker quick pick. */
import * as vscode from 'vscode';
import { Commands } from './constants';
import type { BrokerSession } from './viewModel/brokerSession';
import type { BrokersTreeProvider } from './tree/brokersTreeProvider';
import type { TreeNode } from './tree/nodes/treeNode';

const SELECTED_KEY = 'rabbitmqPools.selectedBroker';

export class BrokerStatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly tree: BrokersTreeProvider, view: vscode.TreeView<TreeNode>, private readonly memento: vscode.Memento) {
    this.item = vscode.window.createStatusBarItem('rabbitmqPools.broker', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'RabbitMQ Broker';
    this.item.command = Commands.selectBroker;
    this.disposables.push(
      this.item,
      tree.onDidChangeSessions(() => this.update()),
      view.onDidChangeSelection((e) => {
        const name = e.selection[0]?.session?.name;
        if (name && name !== this.selectedName) { void this.select(name); }
      }),
    );
    this.update();
  }

  get selectedName(): string | undefined {
    return this.memento.get<string>(SELECTED_KEY);
  }

  /** The selected broker's session: the one picked last, else the first. */
  selected(): BrokerSession | undefined {
    const all = this.tree.allSessions();
    return all.find((s) => s.name === this.selectedName) ?? all[0];
  }

  async select(name: string): Promise<void> {
    await this.memento.update(SELECTED_KEY, name);
    this.update();
  }

  update(): void {
    const s = this.selected();
    if (!s) { this.item.hide(); return; }
    const st = s.status;
    const [icon, word] = st.state === 'connected' ? ['$(server-environment)', 'connected']
      : st.state === 'auth' ? ['$(lock)', 'auth failed']
        : st.state === 'unreachable' ? ['$(debug-disconnect)', 'unreachable']
          : st.state === 'error' ? ['$(warning)', 'error'] : ['$(server-environment)', '…'];
    // The broker name is user text: the status bar renders $(icons) in it, so neutralise "$(".
    this.item.text = `${icon} ${s.name.replace(/\$\(/g, '$\u200b(')}: ${word}`;
    this.item.tooltip = `RabbitMQ broker "${s.name}": ${st.detail}. Click to pick a broker.`;
    this.item.backgroundColor = st.state === 'auth' || st.state === 'unreachable' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  dispose(): void {
    for (const d of this.disposables) { d.dispose(); }
  }
}
