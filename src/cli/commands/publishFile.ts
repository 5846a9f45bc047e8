/** `rmq-pools publish --file F`: the one message of a JSON template (broker/messageTemplate.ts), with a publisher confirm. */
import { readFileSync } from 'node:fs';
import { parseTemplate } from '../../broker/messageTemplate';
import { publishMessage } from '../../broker/publishMessage';
import { UsageError, stringFlag } from '../args';
import type { CliContext } from '../context';
import { safe } from '../output';

/** Flags of the N-notifications publish that mean nothing for one message from a file. */
const NOT_WITH_FILE = ['count', 'rate', 'event-type', 'publisher-id', 'priority', 'payload', 'raw', 'text', 'transient', 'in-flight'];

export async function publishFileCommand(ctx: CliContext): Promise<number> {
  const f = ctx.args.flags;
  const file = stringFlag(f, 'file') as string;
  const clash = NOT_WITH_FILE.find((k) => f[k] !== undefined);
  if (clash) { throw new UsageError(`--${clash} does not go with --file (the template says everything about its one message)`, 'Put it in the template, or drop --file'); }
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) {
    throw new UsageError(`Cannot read the template ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'Give the path of a JSON template file');
  }
  const plan = parseTemplate(text);
  const exchange = stringFlag(f, 'exchange');
  const key = stringFlag(f, 'key');
  if (exchange !== undefined) { plan.exchange = exchange; }
  if (key !== undefined) { plan.routingKey = key; }
  const r = await publishMessage(ctx.broker(), plan);
  if (ctx.json) {
    ctx.io.out(JSON.stringify(r) + '\n');
  } else {
    ctx.io.out(`Published 1 message (${r.bytes} bytes, id ${safe(r.messageId)}) to ${safe(r.exchange || '(default exchange)')} / ${safe(r.routingKey)}: ${r.confirmed ? 'confirmed' : 'NACKED by the broker'}${r.routed ? '' : ', but unroutable: no pool is bound to that key'}\n`);
  }
  if (!r.confirmed) { ctx.io.err('rmq-pools publish: the broker refused (nacked) the message. Check queue length limits (x-overflow reject-publish) and the broker\'s alarms\n'); return 1; }
  return 0;
}
