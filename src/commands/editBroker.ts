import { Commands } from '../constants';
import type { BrokerEntry } from '../settings/brokerStore';
import type { Services } from '../services';
import type { CommandDef } from './command';
import { BrokerField, BrokerFlowState, askBroker, draftOf, editState, isPasswordOnly, isScripted, saveScripted, testAndSave } from './brokerWizard';
import { brokerEntryFor } from './pickers';
import { ErrorNode } from '../tree/nodes/messageNodes';

async function flow(s: Services, entry: BrokerEntry, state: BrokerFlowState): Promise<boolean> {
  if (!await askBroker(`Edit Broker "${entry.setting.name}"`, state)) { return false; }
  const previous = entry.source === 'default' ? undefined : entry.setting.name;
  const stored = previous ? await s.store.password(previous) : undefined;
  const draft = draftOf(state, stored);
  // Only the password of a configured broker: the secret changes, the settings are not rewritten.
  const save = previous !== undefined && isPasswordOnly(state)
    ? () => s.store.savePassword(previous, state.password)
    : () => s.store.save(draft, previous);
  return testAndSave(s, draft, save, () => flow(s, entry, state));
}

/**
 * Edit Broker: one multi-step input that first asks what to change (a field, or all of them) and then only that; an empty
 * password keeps the stored one. From an authentication-failure node the password is what is offered first. Editing the
 * implicit local broker adds it to the settings. Scripted: `executeCommand(id, 'old name', { name, amqpUrl, …, password })`.
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
    const taken = s.store.list().filter((e) => e.source !== 'default' && e.setting.name !== previous).map((e) => e.setting.name);
    const hasStored = previous !== undefined && (await s.store.password(previous)) !== undefined;
    // From a failure Edit Broker fixes, "What to change?" opens on the likely fix (Password… for a refused login).
    const fix = arg instanceof ErrorNode ? arg.brokerFix : undefined;
    const suggested: BrokerField[] | undefined = fix === 'password' ? ['password'] : fix === 'vhost' ? ['vhost'] : undefined;
    return flow(s, entry, editState(entry.setting, taken, hasStored, suggested));
  },
};
