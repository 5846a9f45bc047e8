/**
 * Brokers from the `rabbitmqPools.brokers` setting, passwords from SecretStorage (never in settings, never logged).
 *
 * The user name travels in the AMQP URL (`amqp://user@host:5672`); the password is kept under `passwordKey(name)`.
 * With no broker configured the local default broker is used. While the workspace is untrusted only the user's own
 * (global) list counts: a cloned repository must not point the extension at a broker of its choosing.
 */
import * as vscode from 'vscode';
import { BrokerConfig, BrokerInput, DEFAULT_AMQP_URL, DEFAULT_MANAGEMENT_URL, DEFAULT_USER, TlsOptions, brokerConfig, insecureTlsWarning, parseUrl, splitUrls } from '../broker/connection';
import { invalidInput } from '../broker/errors';
import type { Logger } from '../broker/logger';
import { registerSecret } from '../broker/redact';
import { CONFIG_SECTION, Settings, passwordKey } from '../constants';

/** One entry of the setting, exactly as stored (no password). */
export interface BrokerSetting {
  name: string;
  amqpUrl: string;
  managementUrl?: string;
  /** A cluster: the other nodes' AMQP URLs (after amqpUrl), tried in turn when one is down. */
  amqpUrls?: string[];
  /** A cluster: the other nodes' management URLs (after managementUrl). */
  managementUrls?: string[];
  vhost?: string;
  tls?: TlsOptions;
  /** Look, never write: publish, pools, purge, delete and the demo are refused on this broker. */
  readOnly?: boolean;
}

export interface BrokerEntry {
  setting: BrokerSetting;
  /** Where it comes from: the user's settings, the workspace's, or the implicit local broker. */
  source: 'user' | 'workspace' | 'default';
}

/** What Add/Edit Broker collect (from input boxes or, for tests and scripts, an argument object). */
export interface BrokerDraft {
  name: string;
  /** One AMQP URL, or a cluster's, separated by commas. */
  amqpUrl: string;
  /** One management URL, or a cluster's, separated by commas. */
  managementUrl?: string;
  amqpUrls?: string[];
  managementUrls?: string[];
  vhost?: string;
  username?: string;
  password?: string;
  tls?: TlsOptions;
}

export const DEFAULT_BROKER: BrokerSetting = { name: 'localhost', amqpUrl: `amqp://${DEFAULT_USER}@127.0.0.1:5672`, managementUrl: DEFAULT_MANAGEMENT_URL };

export class BrokerStore implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly log: Logger,
    /** Whether workspace settings may be used (tests pass their own; VS Code's trust by default). */
    private readonly isTrusted: () => boolean = () => vscode.workspace.isTrusted,
  ) {
    this.disposables.push(
      this.emitter,
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration(`${CONFIG_SECTION}.${Settings.brokers}`)) { this.emitter.fire(); } }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.emitter.fire()),
      secrets.onDidChange((e) => { if (e.key.startsWith(passwordKey(''))) { this.emitter.fire(); } }),
    );
  }

  dispose(): void {
    for (const d of this.disposables) { d.dispose(); }
  }

  private inspect() {
    return vscode.workspace.getConfiguration(CONFIG_SECTION).inspect<BrokerSetting[]>(Settings.brokers);
  }

  /** The configured brokers (valid-looking entries, unique names), or the local default broker when there are none. */
  list(): BrokerEntry[] {
    const i = this.inspect();
    const out: BrokerEntry[] = [];
    const add = (list: unknown, source: BrokerEntry['source']) => {
      if (!Array.isArray(list)) { return; }
      for (const raw of list as unknown[]) {
        const s = raw as Partial<BrokerSetting> | null;
        if (!s || typeof s.name !== 'string' || !s.name.trim() || typeof s.amqpUrl !== 'string') {
          this.log.warn(`Ignoring a ${source} entry of ${CONFIG_SECTION}.${Settings.brokers} without "name" and "amqpUrl"`);
          continue;
        }
        if (out.some((e) => e.setting.name === s.name)) {
          this.log.warn(`Ignoring a second broker named "${s.name}" in ${CONFIG_SECTION}.${Settings.brokers}: names must be unique`);
          continue;
        }
        out.push({ setting: s as BrokerSetting, source });
      }
    };
    if (this.isTrusted()) {
      add(i?.workspaceFolderValue, 'workspace');
      add(i?.workspaceValue, 'workspace');
    }
    add(i?.globalValue, 'user');
    return out.length ? out : [{ setting: DEFAULT_BROKER, source: 'default' }];
  }

  find(name: string): BrokerEntry | undefined {
    return this.list().find((e) => e.setting.name === name);
  }

  /** The broker's full config with its password from SecretStorage (guest's default password for the local broker). */
  async config(entry: BrokerEntry): Promise<BrokerConfig> {
    const s = entry.setting;
    const password = entry.source === 'default' ? undefined : await this.secrets.get(passwordKey(s.name));
    registerSecret(password);
    const amqp = parseUrl(splitUrls(s.amqpUrl)[0], ['amqp', 'amqps'], `AMQP URL of broker "${s.name}"`);
    if (amqp.password) {
      this.log.warn(`The AMQP URL of broker "${s.name}" holds a password in settings.json: run "Edit Broker" to move it to the secret storage`);
    }
    const config = brokerConfig({
      name: s.name, amqpUrl: s.amqpUrl, managementUrl: s.managementUrl, vhost: s.vhost, password: password ?? amqp.password, tls: s.tls,
      amqpUrls: stringList(s.amqpUrls), managementUrls: stringList(s.managementUrls), readOnly: s.readOnly === true,
    });
    const warning = BrokerStore.tlsWarning(config);
    if (warning) {
      this.log.warn(warning);
      // Once per broker and session: config() runs on every refresh.
      if (!this.tlsWarned.has(s.name)) {
        this.tlsWarned.add(s.name);
        void vscode.window.showWarningMessage(warning);
      }
    }
    return config;
  }

  /** Brokers whose "verification off" warning was shown this session. */
  private readonly tlsWarned = new Set<string>();

  /** The warning for a broker whose TLS certificate is not verified (shown once, logged on every use), or undefined. */
  static tlsWarning(config: BrokerConfig): string | undefined {
    return insecureTlsWarning(config, `"tls.rejectUnauthorized": false in ${CONFIG_SECTION}.${Settings.brokers}`);
  }

  /** Validates a draft into a setting (URLs without secrets) and the password to keep apart. */
  static toSetting(d: BrokerDraft): { setting: BrokerSetting; password?: string; config: BrokerConfig } {
    const name = d.name?.trim();
    if (!name) { throw invalidInput('The broker has no name', 'Give it a short unique name, e.g. "staging"'); }
    const amqp = parseUrl(splitUrls(d.amqpUrl || DEFAULT_AMQP_URL)[0], ['amqp', 'amqps'], 'AMQP URL');
    const username = d.username?.trim() || amqp.username || DEFAULT_USER;
    const password = d.password || amqp.password || undefined;
    const input: BrokerInput = {
      name, amqpUrl: d.amqpUrl || DEFAULT_AMQP_URL, managementUrl: d.managementUrl || undefined, username, password: password ?? (username === DEFAULT_USER ? DEFAULT_USER : ''), tls: d.tls,
      amqpUrls: d.amqpUrls, managementUrls: d.managementUrls,
    };
    if (d.vhost) { input.vhost = d.vhost; }
    const config = brokerConfig(input);
    const host = config.amqpUrl.replace(/^(amqps?:\/\/)/, `$1${encodeURIComponent(username)}@`);
    const setting: BrokerSetting = { name, amqpUrl: host, managementUrl: config.managementUrl };
    // A cluster: the first node stays in amqpUrl / managementUrl (as for one node), the others follow.
    if (config.amqpUrls) { setting.amqpUrls = config.amqpUrls.slice(1); }
    if (config.managementUrls) { setting.managementUrls = config.managementUrls.slice(1); }
    if (d.vhost) { setting.vhost = d.vhost; }
    if (d.tls && (d.tls.caFile || d.tls.rejectUnauthorized === false)) { setting.tls = d.tls; }
    return { setting, password, config };
  }

  /** Adds a broker (to the user's settings) or replaces the one named `previousName`. */
  async save(draft: BrokerDraft, previousName?: string): Promise<BrokerSetting> {
    const { setting, password } = BrokerStore.toSetting(draft);
    registerSecret(password);
    const i = this.inspect();
    const inWorkspace = previousName !== undefined && Array.isArray(i?.workspaceValue) && i.workspaceValue.some((b) => b?.name === previousName);
    const target = inWorkspace ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    const current = [...((inWorkspace ? i?.workspaceValue : i?.globalValue) ?? [])];
    const clash = this.list().find((e) => e.source !== 'default' && e.setting.name === setting.name && e.setting.name !== previousName);
    if (clash) { throw invalidInput(`A broker named "${setting.name}" exists already`, 'Pick another name, or edit that broker'); }
    const at = previousName === undefined ? -1 : current.findIndex((b) => b?.name === previousName);
    // Edit Broker does not ask about readOnly: an edit keeps it.
    if (at >= 0 && current[at]?.readOnly === true) { setting.readOnly = true; }
    if (at >= 0) { current[at] = setting; } else { current.push(setting); }
    // The secret first: the settings change refreshes the tree, which must find the password already there.
    if (password !== undefined) {
      await this.secrets.store(passwordKey(setting.name), password);
    } else if (previousName !== undefined && previousName !== setting.name) {
      const old = await this.secrets.get(passwordKey(previousName));
      if (old !== undefined) { await this.secrets.store(passwordKey(setting.name), old); }
    }
    if (previousName !== undefined && previousName !== setting.name) { await this.secrets.delete(passwordKey(previousName)); }
    await vscode.workspace.getConfiguration(CONFIG_SECTION).update(Settings.brokers, current, target);
    this.log.info(`Saved broker "${setting.name}" (${setting.amqpUrl}, management ${setting.managementUrl}${setting.vhost ? `, vhost ${setting.vhost}` : ''}) to the ${inWorkspace ? 'workspace' : 'user'} settings; its password is in the secret storage`);
    return setting;
  }

  /** Replaces only the password of a configured broker (Edit Broker → Password…): the settings are not touched. */
  async savePassword(name: string, password: string): Promise<void> {
    if (!this.list().some((e) => e.source !== 'default' && e.setting.name === name)) {
      throw invalidInput(`No configured broker is named "${name}"`, 'Add it with "RabbitMQ: Add Broker"');
    }
    registerSecret(password);
    await this.secrets.store(passwordKey(name), password);
    this.log.info(`Changed the password of broker "${name}" in the secret storage (its settings are unchanged)`);
  }

  async remove(name: string): Promise<boolean> {
    const i = this.inspect();
    let removed = false;
    for (const [value, target] of [[i?.globalValue, vscode.ConfigurationTarget.Global], [i?.workspaceValue, vscode.ConfigurationTarget.Workspace]] as const) {
      if (Array.isArray(value) && value.some((b) => b?.name === name)) {
        await vscode.workspace.getConfiguration(CONFIG_SECTION).update(Settings.brokers, value.filter((b) => b?.name !== name), target);
        removed = true;
      }
    }
    await this.secrets.delete(passwordKey(name));
    if (removed) { this.log.info(`Removed broker "${name}" and its password`); }
    return removed;
  }

  password(name: string): Thenable<string | undefined> {
    return this.secrets.get(passwordKey(name));
  }
}

/** A settings value that should be a list of strings (hand-edited settings may hold anything). */
function stringList(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '') : undefined;
}
