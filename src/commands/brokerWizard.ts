/**
 * The one multi-step input of Add Broker and Edit Broker (./multiStepInput.ts): a step counter, Back with the values kept, each
 * step validated as you type; then a connection test. Edit first asks what to change and then only that, so changing a
 * password is two steps and leaves the settings as they are. Passwords go to SecretStorage only (BrokerStore).
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { DEFAULT_USER, brokerConfig, parseUrl, splitUrls } from '../broker/connection';
import { describeError } from '../broker/errors';
import { BrokerDraft, BrokerStore } from '../settings/brokerStore';
import { ConnectionTestResult, testConnection } from '../broker/connectionTest';
import type { Services } from '../services';
import { PickItem, Step, pickStep, runSteps, textStep } from './multiStepInput';

/** What Edit Broker can change on its own. */
export type BrokerField = 'name' | 'amqpUrl' | 'managementUrl' | 'vhost' | 'tls' | 'username' | 'password';
export const ALL_FIELDS: readonly BrokerField[] = ['name', 'amqpUrl', 'managementUrl', 'vhost', 'tls', 'username', 'password'];

type TlsMode = 'verify' | 'caFile' | 'insecure';

/** The values the flow collects; kept across Back, "Edit Again" and a second run. */
export interface BrokerFlowState {
  mode: 'add' | 'edit';
  /** Edit: what to change (undefined until picked); Add: everything. */
  fields?: readonly BrokerField[];
  name: string;
  /** One URL, or a cluster's separated by commas; no password in it. */
  amqpUrl: string;
  managementUrl: string;
  vhost: string;
  username: string;
  /** The password typed in this flow (never shown back from the store). Empty: keep the stored one (Edit) or none. */
  password: string;
  /** Edit: a password is in the secret storage for this broker. */
  hasStoredPassword: boolean;
  tlsMode: TlsMode;
  caFile: string;
  /** Names already in use by other brokers. */
  taken: readonly string[];
}

function urlsError(v: string, allowed: ('amqp' | 'amqps' | 'http' | 'https')[], what: string, example: string): string | undefined {
  if (!v.trim()) { return `Enter the ${what}, e.g. ${example}`; }
  const urls = splitUrls(v);
  for (const [i, u] of urls.entries()) {
    try { parseUrl(u, allowed, urls.length > 1 ? `${what} ${i + 1}` : what); } catch (e) { return describeError(e); }
  }
  return undefined;
}

const usesTls = (s: BrokerFlowState) => /\b(amqps|https):\/\//i.test(`${s.amqpUrl} ${s.managementUrl}`);
const wants = (s: BrokerFlowState, f: BrokerField) => s.mode === 'add' || (s.fields?.includes(f) ?? false);
const onlyPassword = (s: BrokerFlowState) => s.mode === 'edit' && s.fields?.length === 1 && s.fields[0] === 'password';

/** The management URL the AMQP URL suggests (same host, 15672 or 15671). */
function derivedManagementUrl(amqpUrl: string): string {
  try {
    const c = brokerConfig({ amqpUrl, password: '' });
    return c.managementUrls?.join(', ') ?? c.managementUrl;
  } catch {
    return '';
  }
}

const FIELD_ITEMS: PickItem<readonly BrokerField[]>[] = [
  { label: 'Name', value: ['name'], description: 'the display name (its password moves with it)' },
  { label: 'AMQP URL(s)', value: ['amqpUrl'], description: 'one URL, or a cluster\'s nodes separated by commas' },
  { label: 'Management URL(s)', value: ['managementUrl'], description: 'the management HTTP API' },
  { label: 'Vhost', value: ['vhost'], description: 'the vhost to show' },
  { label: 'TLS', value: ['tls'], description: 'certificate verification, a CA file' },
  { label: 'User name', value: ['username'] },
  { label: 'Password…', value: ['password'], description: 'kept in VS Code\'s secret storage' },
  { label: 'All fields', value: ALL_FIELDS, description: 'every step, prefilled' },
];

/** The steps, in order; each is shown only when its field is being changed. */
export function brokerSteps(): Step<BrokerFlowState>[] {
  return [
    pickStep<BrokerFlowState, readonly BrokerField[]>({
      skip: (s) => s.mode === 'add',
      placeholder: 'What to change?',
      items: () => FIELD_ITEMS,
      active: (s) => FIELD_ITEMS.find((i) => i.value.join() === s.fields?.join())?.value,
      apply: (v, s) => { s.fields = v; },
    }),
    textStep<BrokerFlowState>({
      skip: (s) => !wants(s, 'name'),
      prompt: 'A short, unique name for the broker',
      placeholder: 'staging',
      value: (s) => s.name,
      validate: (v, s) => (!v.trim() ? 'Enter a name, e.g. staging' : s.taken.includes(v.trim()) ? `A broker named "${v.trim()}" exists already: pick another name` : undefined),
      apply: (v, s) => { s.name = v.trim(); },
    }),
    textStep<BrokerFlowState>({
      skip: (s) => !wants(s, 'amqpUrl'),
      prompt: 'AMQP URL without the password (it is asked separately and kept in the secret storage); a cluster: its nodes\' URLs separated by commas',
      placeholder: 'amqp://127.0.0.1:5672',
      value: (s) => s.amqpUrl,
      validate: (v) => urlsError(v, ['amqp', 'amqps'], 'AMQP URL', 'amqp://127.0.0.1:5672'),
      apply: (v, s) => {
        // A user or password typed into the URL is taken out of it: the user to its own field, the password to the secret storage.
        const first = parseUrl(splitUrls(v)[0], ['amqp', 'amqps'], 'AMQP URL');
        if (first.username) { s.username = first.username; }
        if (first.password) { s.password = first.password; }
        s.amqpUrl = splitUrls(v).map((u) => u.replace(/\/\/[^@/]*@/, '//')).join(', ');
        if (!s.managementUrl) { s.managementUrl = derivedManagementUrl(s.amqpUrl); }
      },
    }),
    textStep<BrokerFlowState>({
      skip: (s) => !wants(s, 'managementUrl'),
      prompt: 'Management HTTP API URL; a cluster: its nodes\' URLs separated by commas',
      placeholder: (s) => derivedManagementUrl(s.amqpUrl) || 'http://127.0.0.1:15672',
      value: (s) => s.managementUrl || derivedManagementUrl(s.amqpUrl),
      validate: (v) => urlsError(v, ['http', 'https'], 'management URL', 'http://127.0.0.1:15672'),
      apply: (v, s) => { s.managementUrl = splitUrls(v).join(', '); },
    }),
    textStep<BrokerFlowState>({
      skip: (s) => !wants(s, 'vhost'),
      prompt: 'The vhost to show (empty: every vhost the user can see)',
      placeholder: '/',
      value: (s) => s.vhost,
      validate: (v) => (v.length > 255 ? 'A vhost name is at most 255 characters' : undefined),
      apply: (v, s) => { s.vhost = v; },
    }),
    pickStep<BrokerFlowState, TlsMode>({
      // Add: only for amqps:// or https:// URLs. Edit: when TLS is what to change, or with all fields for a TLS broker.
      skip: (s) => !(s.mode === 'edit' && s.fields?.length === 1 ? s.fields[0] === 'tls' : wants(s, 'tls') && (usesTls(s) || s.tlsMode !== 'verify')),
      placeholder: 'TLS: how to check the broker\'s certificate (amqps:// and https:// URLs)',
      items: () => [
        { label: 'Verify the certificate', value: 'verify', description: 'against the system\'s CAs (the default)' },
        { label: 'Verify with a CA file…', value: 'caFile', description: 'a PEM file with the CA certificate(s) to trust' },
        { label: 'Do not verify', value: 'insecure', description: 'insecure: anyone between you and the broker can read the password', detail: 'Only for a test broker with a self-signed certificate.' },
      ],
      active: (s) => s.tlsMode,
      apply: (v, s) => { s.tlsMode = v; },
    }),
    textStep<BrokerFlowState>({
      skip: (s) => !wants(s, 'tls') || s.tlsMode !== 'caFile',
      prompt: 'Path of the PEM file with the CA certificate(s) to trust',
      placeholder: '/etc/ssl/my-ca.pem',
      value: (s) => s.caFile,
      validate: (v) => (!v.trim() ? 'Enter the path of a PEM file' : fs.existsSync(v.trim()) ? undefined : `No file at "${v.trim()}": enter the path of an existing PEM file`),
      apply: (v, s) => { s.caFile = v.trim(); },
    }),
    textStep<BrokerFlowState>({
      skip: (s) => !wants(s, 'username'),
      prompt: 'User name',
      placeholder: DEFAULT_USER,
      value: (s) => s.username || DEFAULT_USER,
      validate: (v) => (v.trim() ? undefined : 'Enter a user name, e.g. guest'),
      apply: (v, s) => { s.username = v.trim(); },
    }),
    textStep<BrokerFlowState>({
      skip: (s) => !wants(s, 'password'),
      password: true,
      prompt: (s) => (onlyPassword(s) ? 'The new password (kept in VS Code\'s secret storage only)'
        : s.mode === 'edit' && s.hasStoredPassword ? 'Password (empty: keep the stored one; kept in VS Code\'s secret storage only)'
          : 'Password (kept in VS Code\'s secret storage only; empty: none, or guest\'s default for user guest)'),
      value: (s) => s.password,
      validate: (v, s) => (onlyPassword(s) && !v ? 'Enter the new password (Escape cancels)' : undefined),
      apply: (v, s) => { s.password = v; },
    }),
  ];
}

/** The state to start Add Broker with. */
export function addState(taken: readonly string[], amqpUrl: string): BrokerFlowState {
  return { mode: 'add', name: '', amqpUrl, managementUrl: '', vhost: '', username: '', password: '', hasStoredPassword: false, tlsMode: 'verify', caFile: '', taken };
}

/** The state to start Edit Broker with: the broker's setting (cluster URLs joined), nothing of its password but whether there is one. */
export function editState(setting: { name: string; amqpUrl: string; amqpUrls?: string[]; managementUrl?: string; managementUrls?: string[]; vhost?: string; tls?: { caFile?: string; rejectUnauthorized?: boolean } },
  taken: readonly string[], hasStoredPassword: boolean, fields?: readonly BrokerField[]): BrokerFlowState {
  const strip = (u: string) => u.replace(/\/\/[^@/]*@/, '//');
  const amqp = [setting.amqpUrl, ...(setting.amqpUrls ?? [])].map(strip).join(', ');
  let username = DEFAULT_USER;
  try { username = parseUrl(splitUrls(setting.amqpUrl)[0], ['amqp', 'amqps'], 'AMQP URL').username ?? DEFAULT_USER; } catch { /* asked again in the flow */ }
  return {
    mode: 'edit', fields, name: setting.name, amqpUrl: amqp,
    managementUrl: setting.managementUrl ? [setting.managementUrl, ...(setting.managementUrls ?? [])].join(', ') : '',
    vhost: setting.vhost ?? '', username, password: '', hasStoredPassword,
    tlsMode: setting.tls?.rejectUnauthorized === false ? 'insecure' : setting.tls?.caFile ? 'caFile' : 'verify', caFile: setting.tls?.caFile ?? '', taken,
  };
}

/** The draft the state describes; `storedPassword` fills in an empty password on Edit. */
export function draftOf(s: BrokerFlowState, storedPassword?: string): BrokerDraft {
  const tls = s.tlsMode === 'insecure' ? { rejectUnauthorized: false } : s.tlsMode === 'caFile' && s.caFile ? { caFile: s.caFile } : undefined;
  return {
    name: s.name, amqpUrl: s.amqpUrl, managementUrl: s.managementUrl || undefined, vhost: s.vhost || undefined,
    username: s.username || undefined, password: s.password || storedPassword || undefined, tls,
  };
}

/** Runs the flow over `state` (changed in place); undefined when the user cancels. */
export function askBroker(title: string, state: BrokerFlowState): Promise<BrokerFlowState | undefined> {
  return runSteps(title, brokerSteps(), state);
}

/** Edit Broker changing only the password: the settings stay as they are. */
export function isPasswordOnly(s: BrokerFlowState): boolean {
  return onlyPassword(s);
}

/** Tests the draft with a progress notification; the lines are logged (redacted) either way. */
export async function testDraft(s: Services, draft: BrokerDraft): Promise<ConnectionTestResult> {
  const { config } = BrokerStore.toSetting(draft);
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Testing the connection to "${config.name}"…` },
    () => testConnection(config));
  for (const l of result.lines) { (result.ok ? s.log.info : s.log.warn)(`Test connection "${config.name}": ${l}`); }
  return result;
}

/** Interactive: test, then save (`save`), or offer to save anyway / edit again (`again`). Returns true once saved. */
export async function testAndSave(s: Services, draft: BrokerDraft, save: () => Promise<unknown>, again: () => Promise<boolean>): Promise<boolean> {
  const r = await testDraft(s, draft);
  if (!r.ok) {
    const pick = await vscode.window.showWarningMessage(`The connection test of "${draft.name}" failed: ${r.lines.join(' — ')}`, { modal: true }, 'Save Anyway', 'Edit Again');
    if (pick === 'Edit Again') { return again(); }
    if (pick !== 'Save Anyway') { return false; }
  }
  await save();
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
