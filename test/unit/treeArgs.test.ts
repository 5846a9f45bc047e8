// A command chosen from a tree row that the view was redrawing gets `undefined` for the row (src/commands/treeArgs.ts): it
// must say so rather than run as from the palette. Pure logic, no VS Code.
import * as assert from 'assert';
import { vanishedTreeItem } from '../../src/commands/treeArgs';

describe('vanishedTreeItem: a tree row VS Code could not resolve', () => {
  it('is [undefined] (a context menu or inline button on a row being redrawn), also with an empty multi-selection', () => {
    assert.strictEqual(vanishedTreeItem([undefined]), true);
    assert.strictEqual(vanishedTreeItem([undefined, []]), true);
    assert.strictEqual(vanishedTreeItem([undefined, undefined]), true);
  });

  it('is not the palette (no arguments), a resolved row, a selection object, or a keybinding with no focused row (null)', () => {
    assert.strictEqual(vanishedTreeItem([]), false);
    assert.strictEqual(vanishedTreeItem([{ id: 'k/nova/notifications.info' }]), false);
    assert.strictEqual(vanishedTreeItem([{ id: 'a' }, [{ id: 'a' }]]), false);
    assert.strictEqual(vanishedTreeItem([{ broker: 'b', vhost: '/', exchange: 'nova', routingKey: 'notifications.info' }]), false);
    assert.strictEqual(vanishedTreeItem([null]), false);
    assert.strictEqual(vanishedTreeItem([undefined, 'a second argument']), false);
  });
});
