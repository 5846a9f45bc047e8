import { Commands } from '../constants';
import { LoadMoreNode } from '../tree/nodes/messageNodes';
import type { CommandDef } from './command';

/** "Load more…": one more page of the folder it sits in. */
export const loadMoreCommand: CommandDef = {
  id: Commands.loadMore,
  title: 'Load More',
  run: (s, node) => {
    if (!(node instanceof LoadMoreNode)) { return; }
    node.owner.loadMore();
    s.tree.redraw(node.owner);
  },
};
