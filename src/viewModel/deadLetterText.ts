/** How the tree says where dead letters go and where they come from (vscode-free: unit- and broker-tested as is). */
import { DeadLetterPath, describeDeadLetterKey } from '../broker/deadLetters';

function exchangeName(x: string): string {
  return x === '' ? '(default exchange)' : x;
}

/** "Dead letters → orders-dlx (the message's own routing keys) → dlq-orders (20 ready)" and its variants when they are lost. */
export function deadLetterPathLabel(p: DeadLetterPath): string {
  const head = `Dead letters → ${exchangeName(p.exchange)} (${describeDeadLetterKey(p)})`;
  if (p.exchangeExists === false) { return `${head}: the exchange does not exist, they are lost`; }
  if (!p.pools.length) { return p.unpredictable.length ? `${head} → not predicted (exchange type of ${p.unpredictable.join(', ')})` : `${head} → no pool: they are lost`; }
  return `${head} → ${p.pools.map((q) => `${q.name} (${q.ready.toLocaleString('en-US')} ready)`).join(', ')}`;
}

/** True when the path loses messages (the tree shows it as a warning). */
export function deadLettersLost(p: DeadLetterPath): boolean {
  return p.exchangeExists === false || (!p.pools.length && !p.unpredictable.length);
}

/** "Dead letters from orders, payments" */
export function deadLetterSourcesLabel(sources: readonly string[]): string {
  return `Dead letters from ${sources.join(', ')}`;
}

/** The tooltip lines of a dead-letter path. */
export function deadLetterPathDetail(p: DeadLetterPath): string[] {
  return [
    `Dead-letter exchange: ${exchangeName(p.exchange)} (from the queue's ${p.from === 'policy' ? 'policy' : 'x-dead-letter-exchange argument'})`,
    `Routing key: ${p.routingKey === undefined ? `the message's own routing keys (${p.keys.join(', ')})` : p.routingKey}`,
    p.pools.length ? `Received by: ${p.pools.map((q) => `${q.name} (${q.messages.toLocaleString('en-US')} messages)`).join(', ')}` : 'Received by no pool',
  ];
}
