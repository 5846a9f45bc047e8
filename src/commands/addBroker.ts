import { DEFAULT_AMQP_URL } from '../broker/connection';
import { Commands } from '../constants';
import type { Services } from '../services';
import type { BrokerDraft } from '../brokers/brokerStore';
import type { CommandDef } from './command';
import { askBroker, isScripted, saveScripted, testAndSave } from './brokerWizard';

async function wizard(s: Services, start: BrokerDraft): Promise<boolean> {
  const taken = s.store.list().filter((e) => e.source !== 'default').map((e) => e.setting.name);
  const draft = await askBroker('Add Broker', start, taken);
  return draft ? testAndSave(s, draft, undefined, (d) => wizard(s, d)) : false;
}

/** Add Broker: step-by-step input, a connection test, then settings (no password) + SecretStorage (the password). */
export const addBrokerCommand: CommandDef = {
  id: Commands.addBroker,
  title: 'Add Broker',
  run: (s, arg) => (isScripted(arg) ? saveScripted(s, arg) : wizard(s, { name: '', amqpUrl: DEFAULT_AMQP_URL })),
};
