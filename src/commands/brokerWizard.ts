/** The step-by-step input of Add Broker and Edit Broker: each step validated as you type, then a connection test. */
import * as vscode from 'vscode';
import { DEFAULT_USER, brokerConfig, parseUrl } from '../broker/connection';
import { describeError } from '../broker/errors';
import { BrokerDraft, BrokerStore } from '../brokers/brokerStore';
import { ConnectionTestResult, testConnection } from '../brokers/connectionTest';
import type { Services } from '../services';

function validUrl(v: string, allowed: ('amqp' | 'amqps' | 'http' | 'https')[], what: string): string | undefined {
  try { parseUrl(v, allowed, what); return undefined; } catch (e) { return describeError(e); }
}

/** Asks for each field in turn; undefined when the user cancels. `taken` are names already in use. */
export async function askBroker(title: string, start: BrokerDraft, taken: string[]): Promise<BrokerDraft | undefined> {
  const steps = 6;
  const ask = (step: number, o: vscode.InputBoxOptions) => vscode.window.showInputBox({ title: `${title} (${step}/${steps})`, ignoreFocusOut: true, ...o });
  const name = await ask(1, {
    prompt: 'A short, unique name for the broker', value: start.name, placeHolder: 'staging',
    validateInput: (v) => (!v.trim() ? 'Enter a name' : taken.includes(v.trim()) ? `A broker named "${v.trim()}" exists already` : undefined),
  });
  if (name === undefined) { return undefined; }
  const amqpUrl = await ask(2, {
    prompt: 'AMQP URL, without the password (it is asked separately and kept in the secret storage)', value: start.amqpUrl, placeHolder: 'amqp://127.0.0.1:5672',
    validateInput: (v) => validUrl(v, ['amqp', 'amqps'], 'AMQP URL'),
  });
  if (amqpUrl === undefined) { return undefined; }
  const parsed = parseUrl(amqpUrl, ['amqp', 'amqps'], 'AMQP URL');
  const derived = brokerConfig({ amqpUrl, password: '' }).managementUrl;
  const managementUrl = await ask(3, {
    prompt: 'Management HTTP API URL', value: start.managementUrl ?? derived, placeHolder: derived,
    validateInput: (v) => validUrl(v, ['http', 'https'], 'management URL'),
  });
  if (managementUrl === undefined) { return undefined; }
  const vhost = await ask(4, { prompt: 'vhost to show (empty: every vhost the user can see)', value: start.vhost ?? parsed.path ?? '', placeHolder: '/' });
  if (vhost === undefined) { return undefined; }
  const username = await ask(5, { prompt: 'User name', value: start.username ?? parsed.username ?? DEFAULT_USER, validateInput: (v) => (v.trim() ? undefined : 'Enter a user name') });
  if (username === undefined) { return undefined; }
  const password = await ask(6, { prompt: start.password === undefined ? 'Password (empty: keep the stored one)' : 'Password', password: true, value: '' });
  if (password === undefined) { return undefined; }
  return { name: name.trim(), amqpUrl, managementUrl, vhost: vhost || undefined, username: username.trim(), password: password || start.password, tls: start.tls };
}

/** Tests the draft with a progress notification; the lines are logged (redacted) either way. */
export async function testDraft(s: Services, draft: BrokerDraft): Promise<ConnectionTestResult> {
  const { config } = BrokerStore.toSetting(draft);
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Testing the connection to "${config.name}"…` },
    () => testConnection(config));
  for (const l of result.lines) { (result.ok ? s.log.info : s.log.warn)(`Test connection "${config.name}": ${l}`); }
  return result;
}

/** Interactive: test, then save, or offer to save anyway / edit again. Returns true once saved. */
export async function testAndSave(s: Services, draft: BrokerDraft, previousName: string | undefined, again: (d: BrokerDraft) => Promise<boolean>): Promise<boolean> {
  const r = await testDraft(s, draft);
  if (!r.ok) {
    const pick = await vscode.window.showWarningMessage(`The connection test of "${draft.name}" failed: ${r.lines.join(' — ')}`, { modal: true }, 'Save Anyway', 'Edit Again');
    if (pick === 'Edit Again') { return again(draft); }
    if (pick !== 'Save Anyway') { return false; }
  }
  await s.store.save(draft, previousName);
  void vscode.window.showInformationMessage(r.ok ? `Saved broker "${draft.name}" (${r.lines[0]}).` : `Saved broker "${draft.name}" (the connection test failed).`);
  return true;
}

/** For tests and scripts: `{ name, amqpUrl, …, password, test?: boolean, saveAnyway?: boolean }`. */
export interface ScriptedBroker extends BrokerDraft {
  test?: boolean;
  saveAnyway?: boolean;
}

export interface SaveResult {
  saved: boolean;
  test?: ConnectionTestResult;
}

export function isScripted(arg: unknown): arg is ScriptedBroker {
  return !!arg && typeof arg === 'object' && typeof (arg as ScriptedBroker).name === 'string' && typeof (arg as ScriptedBroker).amqpUrl === 'string';
}

export async function saveScripted(s: Services, arg: ScriptedBroker, previousName?: string): Promise<SaveResult> {
  const { test, saveAnyway, ...draft } = arg;
  let result: ConnectionTestResult | undefined;
  if (test !== false) {
    result = await testConnection(BrokerStore.toSetting(draft).config);
    for (const l of result.lines) { s.log.info(`Test connection "${draft.name}": ${l}`); }
    if (!result.ok && !saveAnyway) { return { saved: false, test: result }; }
  }
  await s.store.save(draft, previousName);
  return { saved: true, test: result };
}
