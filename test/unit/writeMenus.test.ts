/**
 * Read-only brokers: every write command (src/commands/writeCommands.ts) is hidden from the menus of a read-only broker's
 * items and, when every broker is read-only, from the view's title menu and the palette. Fails when someone adds a write
 * command (one that calls assertWritable or a guarded helper) without listing it, or a menu entry without the exclusion.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NOT_ALL_READ_ONLY, NOT_READ_ONLY_ITEM, READ_COMMANDS_WITH_A_WRITE_STEP, READ_ONLY_TOKEN, WRITE_COMMANDS } from '../../src/commands/writeCommands';
import { Commands } from '../../src/constants';

interface MenuEntry { command: string; when?: string; group?: string }
const root = path.join(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { contributes: { menus: Record<string, MenuEntry[]>; commands: { command: string }[] } };
const menus = pkg.contributes.menus;

/** Helpers that refuse on a read-only broker: a command calling one of them writes. */
const GUARDS = ['assertWritable(', 'confirmPublish(', 'confirmPoolAction('];

function commandFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => d.isDirectory() ? commandFiles(path.join(dir, d.name)) : d.name.endsWith('.ts') ? [path.join(dir, d.name)] : []);
}

/** The command ids whose definition (`id: Commands.x` up to the next one in its file) calls a read-only guard. */
function guardedCommands(): string[] {
  const out: string[] = [];
  for (const f of commandFiles(path.join(root, 'src', 'commands'))) {
    const text = fs.readFileSync(f, 'utf8');
    const parts = text.split(/id: Commands\.(\w+)/);
    for (let i = 1; i < parts.length; i += 2) {
      if (GUARDS.some((g) => parts[i + 1].includes(g))) { out.push((Commands as Record<string, string>)[parts[i]]); }
    }
  }
  return [...new Set(out)].sort();
}

describe('read-only brokers: write commands in the menus', () => {
  it('the list names real commands of package.json', () => {
    const declared = new Set(pkg.contributes.commands.map((c) => c.command));
    for (const id of WRITE_COMMANDS) { assert.ok(declared.has(id), `${id} is declared in contributes.commands`); }
    assert.ok(WRITE_COMMANDS.length >= 7);
  });

  it('every command that calls a read-only guard is a listed write command (or a reading command with a write step)', () => {
    const guarded = guardedCommands();
    assert.ok(guarded.includes(Commands.purgePool) && guarded.includes(Commands.publishTestNotifications), `scan found ${guarded.join(', ')}`);
    const unlisted = guarded.filter((id) => !WRITE_COMMANDS.includes(id) && !READ_COMMANDS_WITH_A_WRITE_STEP.includes(id));
    assert.deepEqual(unlisted, [], 'add these to WRITE_COMMANDS in src/commands/writeCommands.ts and follow the README convention');
  });

  it('every tree-item menu entry of a write command excludes read-only items', () => {
    const entries = menus['view/item/context'].filter((e) => WRITE_COMMANDS.includes(e.command));
    assert.ok(entries.length >= 8, 'the write commands have tree-item menu entries');
    const missing = entries.filter((e) => !(e.when ?? '').includes(`&& ${NOT_READ_ONLY_ITEM}`)).map((e) => `${e.command} (${e.group ?? ''})`);
    assert.deepEqual(missing, [], `these entries' when clauses lack "&& ${NOT_READ_ONLY_ITEM}"`);
  });

  it('every view-title and palette entry of a write command is hidden when every broker is read-only', () => {
    const title = menus['view/title'].filter((e) => WRITE_COMMANDS.includes(e.command));
    assert.ok(title.length >= 4);
    assert.deepEqual(title.filter((e) => !(e.when ?? '').includes(`&& ${NOT_ALL_READ_ONLY}`)).map((e) => e.command), []);
    for (const id of WRITE_COMMANDS) {
      const pal = menus.commandPalette.filter((e) => e.command === id);
      assert.equal(pal.length, 1, `${id} has one commandPalette entry`);
      assert.ok(pal[0].when === 'false' || (pal[0].when ?? '').includes(NOT_ALL_READ_ONLY), `${id}'s palette entry: ${pal[0].when}`);
    }
  });

  it('the exclusion matches the read-only items and nothing else', () => {
    // VS Code evaluates `viewItem =~ /re/` as a JavaScript regular expression on the item's contextValue.
    const re = new RegExp(/\/(.*)\//.exec(NOT_READ_ONLY_ITEM)![1]);
    for (const v of ['rabbitmqPools.pool', 'rabbitmqPools.pool.local', 'rabbitmqPools.exchange', 'rabbitmqPools.bindingKey', 'rabbitmqPools.poolsFolder.filtered']) {
      assert.equal(re.test(v), false, v);
      assert.equal(re.test(`${v}${READ_ONLY_TOKEN}`), true, `${v}${READ_ONLY_TOKEN}`);
    }
  });

  it('reading commands are not hidden on read-only items', () => {
    const reads = menus['view/item/context'].filter((e) => [Commands.routePreview, Commands.diagnose, Commands.showDeliveryCounts, Commands.refresh, Commands.copyName].includes(e.command as never));
    assert.ok(reads.length >= 5);
    assert.deepEqual(reads.filter((e) => (e.when ?? '').includes('readOnly\\b')).map((e) => e.command), []);
  });
});
