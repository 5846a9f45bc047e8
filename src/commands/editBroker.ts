import { parseUrl } from '../broker/connection';
import { Commands } from '../constants';
import type { BrokerDraft, BrokerEntry } from '../brokers/brokerStore';
import type { Services } from '../services';
import type { CommandDef } from './command';
import { askBroker, isScripted, saveScripted, testAndSave } from './brokerWizard';
import { brokerEntryFor } from './pickers';

async function wizard(s: Services, entry: BrokerEntry, start: BrokerDraft): Promise<boolean> {
  const previous = entry.source === 'default' ? undefined : entry.setting.name;
  const taken = s.store.list().filter((e) => e.source !== 'default' && e.setting.name !== previous).map((e) => e.setting.name);
  const draft = await askBroker(`Edit Broker "${entry.setting.name}"`, start, taken);
  return draft ? testAndSave(s, draft, previous, (d) => wizard(s, entry, d)) : false;
}

/**
 * Edit Broker: the same steps as Add Broker, prefilled; an empty password keeps the stored one. Editing the implicit local
 * broker adds it to the settings. Scripted: `executeCommand(id, 'old name', { name, amqpUrl, …, password })`.
 */
export const editBrokerCommand: CommandDef = {
  id: Commands.editBroker,
  title: 'Edit Broker',
  run: async (s, arg, scripted) => {
    const entry = await brokerEntryFor(s, arg, 'Broker to edit');
    if (!entry) { return undefined; }
    const previous = entry.source === 'default' ? undefined : entry.setting.name;
    if (isScripted(scripted)) {
      const password = scripted.password ?? (previous ? await s.store.password(previous) : undefined);
      return saveScripted(s, { ...scripted, password }, previous);
    }
    const url = parseUrl(entry.setting.amqpUrl, ['amqp', 'amqps'], 'AMQP URL');
    const stored = previous ? await s.store.password(previous) : undefined;
    return wizard(s, entry, {
      name: entry.setting.name, amqpUrl: entry.setting.amqpUrl.replace(/\/\/[^@/]*@/, '//'), managementUrl: entry.setting.managementUrl,
      vhost: entry.setting.vhost, username: url.username, password: stored, tls: entry.setting.tls,
    });
  },
};
