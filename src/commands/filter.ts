/** Filter… and Clear Filter on the Exchanges and Pools folders: the management API's `name` + `use_regex`, page by page. */
import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { Filter } from '../viewModel/pagedList';
import { FolderNode } from '../tree/nodes/folderNodes';
import type { CommandDef } from './command';

export const filterCommand: CommandDef = {
  id: Commands.filter,
  title: 'Filter',
  run: async (s, node, arg) => {
    if (!(node instanceof FolderNode)) {
      void vscode.window.showInformationMessage('Use Filter… on an "Exchanges" or "Pools" folder in the Brokers view.');
      return;
    }
    let filter: Filter | undefined;
    if (arg && typeof arg === 'object' && typeof (arg as Filter).text === 'string') {
      filter = { text: (arg as Filter).text, regex: (arg as Filter).regex !== false };
    } else {
      const text = await vscode.window.showInputBox({
        title: `Filter ${node.getTreeItem().label as string} in vhost ${node.vhost}`,
        prompt: 'A regular expression matched against names by the broker (case-insensitive). Empty clears the filter.',
        value: node.filter?.text ?? '',
        validateInput: (v) => {
          try { new RegExp(v); return undefined; } catch (e) { return `Not a valid regular expression: ${(e as Error).message}`; }
        },
      });
      if (text === undefined) { return; }
      filter = text ? { text, regex: true } : undefined;
    }
    node.setFilter(filter);
    s.log.info(`Filter on ${node.id}: ${filter ? filter.text : '(none)'}`);
    s.tree.redraw(node);
  },
};

export const clearFilterCommand: CommandDef = {
  id: Commands.clearFilter,
  title: 'Clear Filter',
  run: (s, node) => {
    if (!(node instanceof FolderNode)) { return; }
    node.setFilter(undefined);
    s.tree.redraw(node);
  },
};
