import { DEFAULT_AMQP_URL } from '../broker/connection';
import { Commands } from '../constants';
import type { Services } from '../services';
import type { CommandDef } from './command';
import { BrokerFlowState, addState, askBroker, draftOf, isScripted, saveScripted, testAndSave } from './brokerWizard';

async function flow(s: Services, state: BrokerFlowState): Promise<boolean> {
  if (!await askBroker('Add Broker', state)) { return false; }
  const draft = draftOf(state);
  return testAndSave(s, draft, () => s.store.save(draft), () => flow(s, state));
}

/** Add Broker: one multi-step input (Back keeps the values), a connection test, then settings (no password) + SecretStorage (the password). */
export const addBrokerCommand: CommandDef = {
  id: Commands.addBroker,
  title: 'Add Broker',
  run: (s, arg) => {
    if (isScripted(arg)) { return saveScripted(s, arg); }
    const taken = s.store.list().filter((e) => e.source !== 'default').map((e) => e.setting.name);
    return flow(s, addState(taken, DEFAULT_AMQP_URL));
  },
};
