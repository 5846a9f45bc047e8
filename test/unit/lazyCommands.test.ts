/**
 * The two extension bundles as esbuild.mjs builds them (into a directory of this test's own), loaded in this process with
 * the bench's stand-in for `vscode`: activation does not load dist/commands.js; the ids and titles registered for its
 * commands are the ones it holds; its first use loads it, and its code shares the core of dist/extension.js (a BrokerError
 * thrown there is described with its hint by the error handler of dist/extension.js, which needs one BrokerError class).
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import Module from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import { LAZY_COMMAND_TITLES } from '../../src/commands/lazy';
import { Commands } from '../../src/constants';

const ROOT = path.resolve(__dirname, '../..');
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS stand-in shared with bench/activate-probe.cjs
const fake = require(path.join(ROOT, 'bench/fake-vscode.cjs')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
// eslint-disable-next-line @typescript-eslint/no-require-imports -- its ExtensionContext, shared with bench/activate-probe.cjs
const { fakeContext } = require(path.join(ROOT, 'bench/fake-context.cjs')) as { fakeContext(root: string, storage: string): { subscriptions: { dispose(): unknown }[] } };

interface Bundle { activate(ctx: unknown): unknown; deactivate(): Promise<void>; __shared: Record<string, unknown> }
interface LazyModule { LAZY_COMMANDS: { id: string; title: string }[] }

describe('dist/commands.js: the commands loaded on first use', function () {
  this.timeout(60_000);
  let dir: string;
  let handlers: Map<string, (...a: unknown[]) => Promise<unknown>>;
  let errors: string[];
  let bundle: Bundle;
  let subscriptions: { dispose(): unknown }[] = [];
  const restore: (() => void)[] = [];
  const commandsJs = () => path.join(dir, 'commands.js');
  const loaded = () => require.cache[commandsJs()] !== undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the built bundles are CommonJS files on disk
  const load = <T>(file: string) => require(file) as T;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rmqp-lazy-'));
    execFileSync(process.execPath, ['esbuild.mjs', '--outdir', dir], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    handlers = new Map();
    errors = [];
    const register = fake.commands.registerCommand;
    fake.commands.registerCommand = (id: string, fn: (...a: unknown[]) => Promise<unknown>) => { handlers.set(id, fn); return new fake.Disposable(); };
    fake.window.showErrorMessage = async (m: string) => { errors.push(m); return undefined; };
    restore.push(() => { fake.commands.registerCommand = register; delete fake.window.showErrorMessage; });
    const mod = Module as unknown as { _load(request: string, parent: unknown, isMain: boolean): unknown };
    const load = mod._load;
    mod._load = function (request, parent, isMain) { return request === 'vscode' ? fake : load.call(this, request, parent, isMain); };
    restore.push(() => { mod._load = load; });
  });

  after(async () => {
    await bundle?.deactivate();
    for (const d of subscriptions) { d.dispose(); }
    for (const r of restore.reverse()) { r(); }
    for (const f of Object.keys(require.cache)) { if (f.startsWith(dir)) { delete require.cache[f]; } }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('activation registers every command without loading dist/commands.js', () => {
    bundle = load<Bundle>(path.join(dir, 'extension.js'));
    const ctx = fakeContext(ROOT, dir);
    bundle.activate(ctx);
    subscriptions = ctx.subscriptions;
    assert.equal(loaded(), false, 'activate() loaded dist/commands.js');
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { contributes: { commands: { command: string }[] } };
    const missing = manifest.contributes.commands.map((c) => c.command).filter((c) => !c.startsWith('rabbitmqPools.test.') && !handlers.has(c));
    assert.deepEqual(missing, [], 'contributed but not registered at activation');
  });

  it('registers the ids and titles that dist/commands.js holds, and nothing of it is also in dist/extension.js', () => {
    const lazy = load<LazyModule>(commandsJs());
    assert.deepEqual(lazy.LAZY_COMMANDS.map(({ id, title }) => ({ id, title })), LAZY_COMMAND_TITLES);
    const text = fs.readFileSync(commandsJs(), 'utf8');
    // The core's classes come from dist/extension.js: the file has no copy of them.
    for (const cls of ['BrokerError', 'BrokerStore', 'ManagementClient', 'LocalPools']) {
      assert.doesNotMatch(text, new RegExp(`\\b${cls} = class\\b`), `dist/commands.js has its own ${cls}`);
    }
    const wanted = [...text.matchAll(/__shared\["([^"]+)"\]/g)].map((m) => m[1]);
    assert.ok(wanted.includes('src/broker/errors.ts'), 'dist/commands.js does not take src/broker/errors.ts from dist/extension.js');
    assert.deepEqual(wanted.filter((f) => !(f in bundle.__shared)), [], 'dist/commands.js asks dist/extension.js for modules it does not export');
    assert.doesNotMatch(fs.readFileSync(path.join(dir, 'extension.js'), 'utf8'), /\bDeliveryCountsPanel = class\b/, 'the panel is in dist/extension.js');
  });

  it('a lazy command runs through the extension\'s own error handling: one BrokerError class across the two files', async () => {
    const stop = handlers.get(Commands.stopPool);
    assert.ok(stop, 'Stop Pool is not registered');
    await stop();
    // "No local worker pool is running" is a BrokerError with a hint; describeError (dist/extension.js) adds the hint only
    // when the error thrown in dist/commands.js is an instance of its own class.
    assert.deepEqual(errors, ['Stop Pool: No local worker pool is running. Start one with "RabbitMQ: Create Worker Pool…"']);
    assert.equal(loaded(), true);
  });
});
