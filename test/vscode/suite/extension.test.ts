/** The extension inside a real VS Code: it activates, registers every command it contributes, and its view exists. */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { BROKERS_VIEW, Commands, EXTENSION_ID, VIEW_CONTAINER } from '../../../src/constants';


interface Manifest {
  contributes: {
    commands: { command: string }[];
    views: Record<string, { id: string; name: string }[]>;
    viewsContainers: { activitybar: { id: string; title: string }[] };
  };
}

describe('extension', () => {
  let ext: vscode.Extension<unknown>;
  let manifest: Manifest;

  before(async () => {
    const found = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(found, `extension ${EXTENSION_ID} is not installed in this VS Code`);
    ext = found;
    manifest = ext.packageJSON as Manifest;
    await ext.activate();
  });

  it('activates', () => {
    assert.strictEqual(ext.isActive, true);
  });

  it('registers every command it contributes', async () => {
    const contributed = manifest.contributes.commands.map((c) => c.command);
    assert.ok(contributed.length > 0, 'package.json contributes no commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepStrictEqual(contributed.filter((c) => !registered.has(c)), [], 'contributed but not registered');
  });

  it('knows every command id of the constants table', () => {
    const contributed = new Set(manifest.contributes.commands.map((c) => c.command));
    assert.deepStrictEqual(Object.values(Commands).filter((c) => !contributed.has(c)), [], 'in src/constants.ts but not in package.json');
  });

  it('contributes the Brokers view in the RabbitMQ Pools container', async () => {
    assert.ok(manifest.contributes.viewsContainers.activitybar.some((c) => c.id === VIEW_CONTAINER), `no view container ${VIEW_CONTAINER}`);
    const views = manifest.contributes.views[VIEW_CONTAINER] ?? [];
    assert.ok(views.some((v) => v.id === BROKERS_VIEW), `no view ${BROKERS_VIEW} in ${VIEW_CONTAINER}`);
    // The workbench registers `<view id>.focus` for every view it actually knows about.
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.ok(registered.has(`${BROKERS_VIEW}.focus`), `the workbench does not know the view ${BROKERS_VIEW}`);
  });

  it('shows the Brokers view and refreshes it without throwing', async () => {
    await vscode.commands.executeCommand(`${BROKERS_VIEW}.focus`);
    await vscode.commands.executeCommand(Commands.refresh);
  });
});
