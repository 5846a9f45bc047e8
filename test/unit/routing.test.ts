/**
 * Routing as tables of cases from AMQP 0-9-1 / RabbitMQ semantics. Every case whose answer was not obvious
 * (topic keys with empty words, the empty key, headers void values and "-with-x", alternate exchanges behind
 * exchange-to-exchange bindings) was checked against RabbitMQ 3.10.8 by publishing with mandatory and reading
 * the queues; test/broker/routingCrossCheck.test.ts keeps checking random topic cases against the broker.
 */
import assert from 'node:assert/strict';
import { HeaderValue, RoutingTable, apiArguments, headersMatch, parseHeaderFlag, route, routingTable, topicMatches, topicWords } from '../../src/broker/routing';

describe('routing', () => {
  describe('topic words', () => {
    it('splits on "." keeping empty words, but the empty key has no words', () => {
      assert.deepEqual(topicWords(''), []);
      assert.deepEqual(topicWords('a..b'), ['a', '', 'b']);
      assert.deepEqual(topicWords('.'), ['', '']);
      assert.deepEqual(topicWords('a.'), ['a', '']);
    });
  });

  describe('topic patterns (pattern, routing key, matches)', () => {
    const cases: [string, string, boolean][] = [
      ['#', '', true],
      ['#', 'a', true],
      ['#', 'a.b.c', true],
      ['#', '.', true],
      ['#.#', '', true],
      ['#.#', 'a.b', true],
      ['#.#.#', '', true],
      ['*', '', false], // "" has no words, so "*" (exactly one) does not match it
      ['*', 'a', true],
      ['*', 'a.b', false],
      ['*', '.', false], // two empty words
      ['*.*', '.', true],
      ['*.*', 'a..', false],
      ['*.*.*', 'a..b', true],
      ['', '', true],
      ['', 'a', false],
      ['', '.', false],
      ['a.*.b', 'a..b', true], // an empty word is a word
      ['a.b', 'a..b', false],
      ['*.a', '.a', true],
      ['.a', 'a', false],
      ['a.*', 'a.', true],
      ['a', 'a.', false],
      ['a.#', 'a', true],
      ['a.#', 'a.', true],
      ['a.#', 'ab', false],
      ['#.a', 'a', true],
      ['#.a', 'x.y.a', true],
      ['#.a', 'a.x', false],
      ['a.#.b', 'a.b', true], // "#" in the middle may be zero words
      ['a.#.b', 'a.x.y.b', true],
      ['a.#.b', 'a.x.y.c', false],
      ['a.#.b', 'b', false],
      ['a.#.b', 'a.b.b', true],
      ['a.#.#.b', 'a.b', true],
      ['*.#', '', false],
      ['*.#', 'a', true],
      ['*.#', 'a.b.c', true],
      ['#.*', '', false],
      ['#.*', '.', true],
      ['#.*.#', 'a', true],
      ['#.*.#', '', false],
      ['.#', '', false],
      ['.#', '.', true],
      ['#.', 'a.', true],
      ['#.', 'a', false],
      ['a*b', 'a*b', true], // "*" inside a word is a literal character
      ['a*b', 'axb', false],
      ['a*b', 'a.b', false],
      ['*', 'a*b', true],
      ['a#', 'a#', true],
      ['a#', 'ab', false],
      ['a#', 'a.b', false],
      ['A', 'a', false], // case-sensitive
      ['notifications.info', 'notifications.info', true],
      ['notifications.*', 'notifications.info.x', false],
      ['notifications.#', 'notifications', true],
    ];
    for (const [pattern, key, expected] of cases) {
      it(`${JSON.stringify(pattern)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(key)}`, () => {
        assert.equal(topicMatches(pattern, key), expected);
      });
    }

    it('does not blow up on many "#" against a long key', () => {
      const pattern = Array.from({ length: 40 }, () => '#').join('.') + '.z';
      const key = Array.from({ length: 200 }, () => 'a').join('.');
      assert.equal(topicMatches(pattern, key), false);
      assert.equal(topicMatches(pattern, key + '.z'), true);
    });
  });

  describe('headers bindings (binding arguments, message headers, matches)', () => {
    type H = Record<string, HeaderValue> | undefined;
    const cases: [string, Record<string, unknown>, H, boolean][] = [
      ['all: equal value', { 'x-match': 'all', a: 1 }, { a: 1 }, true],
      ['all: typed values, number 1 is not string "1"', { 'x-match': 'all', a: 1 }, { a: '1' }, false],
      ['all: typed values, string "1" is not number 1', { 'x-match': 'all', a: '1' }, { a: 1 }, false],
      ['all: one key missing', { 'x-match': 'all', a: 1, b: 2 }, { a: 1 }, false],
      ['all: extra message headers do not matter', { 'x-match': 'all', a: 1, b: 2 }, { a: 1, b: 2, c: 3 }, true],
      ['any: one key equal', { 'x-match': 'any', a: 1, b: 2 }, { b: 2 }, true],
      ['any: keys present with other values', { 'x-match': 'any', a: 1, b: 2 }, { a: 2, b: 3 }, false],
      ['any: no headers', { 'x-match': 'any', a: 1, b: 2 }, {}, false],
      ['all with no keys matches every message', { 'x-match': 'all' }, {}, true],
      ['any with no keys matches no message', { 'x-match': 'any' }, { a: 1 }, false],
      ['no x-match means all', { a: 1 }, { a: 1 }, true],
      ['no x-match means all (missing key)', { a: 1 }, { b: 1 }, false],
      ['no arguments at all matches every message', {}, { a: 1 }, true],
      ['all: x- keys are ignored (so nothing to compare)', { 'x-match': 'all', 'x-foo': 'y' }, {}, true],
      ['any: x- keys are ignored (so nothing can match)', { 'x-match': 'any', 'x-foo': 'y' }, { 'x-foo': 'y' }, false],
      ['any: x- key ignored, a plain key still matches', { 'x-match': 'any', 'x-foo': 'y', a: 1 }, { a: 1 }, true],
      ['any: x- key ignored even when equal', { 'x-match': 'any', 'x-foo': 'y', a: 1 }, { 'x-foo': 'y' }, false],
      ['all-with-x: x- key compared, equal', { 'x-match': 'all-with-x', 'x-foo': 'y' }, { 'x-foo': 'y' }, true],
      ['all-with-x: x- key compared, different', { 'x-match': 'all-with-x', 'x-foo': 'y' }, { 'x-foo': 'z' }, false],
      ['all-with-x: x- key compared, absent', { 'x-match': 'all-with-x', 'x-foo': 'y' }, {}, false],
      ['all-with-x: plain and x- keys', { 'x-match': 'all-with-x', a: 1, 'x-foo': 'y' }, { a: 1, 'x-foo': 'y' }, true],
      ['any-with-x: x- key alone matches', { 'x-match': 'any-with-x', 'x-foo': 'y', a: 1 }, { 'x-foo': 'y' }, true],
      ['all-with-x with no keys matches every message', { 'x-match': 'all-with-x' }, {}, true],
      ['any-with-x: x-match itself is never compared', { 'x-match': 'any-with-x' }, { 'x-match': 'any-with-x' }, false],
      ['void value matches on presence (string)', { 'x-match': 'all', a: null }, { a: 'anything' }, true],
      ['void value matches on presence (void)', { 'x-match': 'all', a: null }, { a: null }, true],
      ['void value: absent key does not match', { 'x-match': 'all', a: null }, {}, false],
      ['any: void value present', { 'x-match': 'any', a: null, b: 2 }, { a: 1 }, true],
      ['boolean true equals true', { 'x-match': 'all', a: true }, { a: true }, true],
      ['boolean true is not the string "true"', { 'x-match': 'all', a: true }, { a: 'true' }, false],
      ['boolean true is not 1', { 'x-match': 'all', a: true }, { a: 1 }, false],
      ['non-integer numbers compare by value', { 'x-match': 'all', a: 1.5 }, { a: 1.5 }, true],
      ['no headers on the message, all with a key', { 'x-match': 'all', a: 1 }, undefined, false],
      ['a key named like an Object.prototype member is not "present" by inheritance', { 'x-match': 'all', constructor: null }, {}, false],
    ];
    for (const [name, args, headers, expected] of cases) {
      it(name, () => assert.equal(headersMatch(args, headers), expected));
    }
  });

  describe('route() over a vhost', () => {
    const q = (name: string) => ({ name });
    const ex = (name: string, type: string, args?: Record<string, unknown>) => ({ name, type, arguments: args ?? {} });
    const bq = (source: string, destination: string, routing_key: string, args?: Record<string, unknown>) =>
      ({ source, destination, destination_type: 'queue' as const, routing_key, arguments: args ?? {} });
    const bx = (source: string, destination: string, routing_key: string) =>
      ({ source, destination, destination_type: 'exchange' as const, routing_key, arguments: {} });

    const queues = ['q.a', 'q.a2', 'q.b', 'q.empty', 'q.f1', 'q.f2', 'orders', 'q.info', 'q.star', 'q.all', 'q.ab', 'q.json', 'q.any',
      'q.chain2', 'q.chain3', 'q.cycle', 'q.c2', 'q.ae', 'q.d1', 'q.hash1', 'q.pc', 'constructor', '__proto__', 'unbound'].map(q);
    const exchanges = [
      ex('', 'direct'), ex('amq.direct', 'direct'), ex('d', 'direct'), ex('f', 'fanout'), ex('t', 'topic'), ex('h', 'headers'),
      ex('chain1', 'fanout'), ex('chain2', 'direct'), ex('chain3', 'topic'), ex('c1', 'fanout'), ex('c2', 'fanout'),
      ex('ae', 'fanout'), ex('withAe', 'direct', { 'alternate-exchange': 'ae' }), ex('void', 'direct'), ex('toAe', 'fanout'),
      ex('aeToMissing', 'direct', { 'alternate-exchange': 'nope' }), ex('aeLoop1', 'direct', { 'alternate-exchange': 'aeLoop2' }),
      ex('aeLoop2', 'direct', { 'alternate-exchange': 'aeLoop1' }), ex('hash', 'x-consistent-hash'),
      ex('delayed', 'x-delayed-message', { 'alternate-exchange': 'ae' }), ex('pluginChain', 'fanout'),
      ex('selfLoop', 'fanout', { 'alternate-exchange': 'ae' }),
    ];
    const bindings = [
      // what /api/bindings also lists: the default exchange's implicit bindings, which routingTable() drops
      ...queues.map((x) => bq('', x.name, x.name)),
      bq('d', 'q.a', 'a'), bq('d', 'q.a2', 'a'), bq('d', 'q.b', 'b'), bq('d', 'q.empty', ''), bq('d', 'constructor', 'proto'),
      bq('f', 'q.f1', 'x'), bq('f', 'q.f2', ''),
      bq('t', 'q.info', 'notifications.info'), bq('t', 'q.info', 'notifications.#'), bq('t', 'q.star', 'notifications.*'),
      bq('t', 'q.all', '#'), bq('t', 'q.ab', 'a.#.b'),
      bq('h', 'q.json', '', { 'x-match': 'all', format: 'json', version: 2 }), bq('h', 'q.any', '', { 'x-match': 'any', format: 'json', urgent: true }),
      bx('chain1', 'chain2', 'ignored'), bx('chain2', 'chain3', 'k'), bq('chain2', 'q.chain2', 'k'), bq('chain3', 'q.chain3', '#'),
      bx('c1', 'c2', ''), bx('c2', 'c1', ''), bq('c1', 'q.cycle', ''), bq('c2', 'q.cycle', ''), bq('c2', 'q.c2', ''),
      bq('ae', 'q.ae', ''), bq('withAe', 'q.d1', 'k'), bx('withAe', 'void', 'to-void'), bx('toAe', 'withAe', ''),
      bq('hash', 'q.hash1', '1'), bq('pluginChain', 'q.pc', ''), bx('pluginChain', 'hash', ''), bx('selfLoop', 'selfLoop', ''),
    ];
    const table: RoutingTable = routingTable(exchanges, bindings, queues);

    interface Case { name: string; exchange: string; key: string; headers?: Record<string, HeaderValue>; pools: string[]; unpredictable?: string[]; alternates?: string[]; path?: [string, string[]] }
    const cases: Case[] = [
      { name: 'direct: exact key reaches every pool bound with it', exchange: 'd', key: 'a', pools: ['q.a', 'q.a2'] },
      { name: 'direct: another key', exchange: 'd', key: 'b', pools: ['q.b'] },
      { name: 'direct: the empty key is a key like any other', exchange: 'd', key: '', pools: ['q.empty'] },
      { name: 'direct: keys are case-sensitive', exchange: 'd', key: 'A', pools: [] },
      { name: 'direct: no pattern matching', exchange: 'd', key: 'a.b', pools: [] },
      { name: 'direct: a pool named "constructor"', exchange: 'd', key: 'proto', pools: ['constructor'] },
      { name: 'fanout: the key is ignored', exchange: 'f', key: 'anything', pools: ['q.f1', 'q.f2'] },
      { name: 'fanout: empty key', exchange: 'f', key: '', pools: ['q.f1', 'q.f2'] },
      { name: 'default exchange: key = pool name', exchange: '', key: 'orders', pools: ['orders'], path: ['orders', ['']] },
      { name: 'default exchange: a pool named "__proto__"', exchange: '', key: '__proto__', pools: ['__proto__'] },
      { name: 'default exchange: reaches pools that have no bindings', exchange: '', key: 'unbound', pools: ['unbound'] },
      { name: 'default exchange: unknown pool name is unroutable', exchange: '', key: 'nope', pools: [] },
      { name: 'default exchange: empty key', exchange: '', key: '', pools: [] },
      { name: 'amq.direct without bindings', exchange: 'amq.direct', key: 'orders', pools: [] },
      { name: 'unknown exchange: no pools, nothing unpredictable', exchange: 'nope', key: 'a', pools: [], unpredictable: [] },
      { name: 'topic: once per pool although two bindings match', exchange: 't', key: 'notifications.info', pools: ['q.all', 'q.info', 'q.star'] },
      { name: 'topic: # and "*" vs a longer key', exchange: 't', key: 'notifications.info.x', pools: ['q.all', 'q.info'] },
      { name: 'topic: empty key reaches only "#"', exchange: 't', key: '', pools: ['q.all'] },
      { name: 'topic: a.#.b against a.b', exchange: 't', key: 'a.b', pools: ['q.ab', 'q.all'] },
      { name: 'topic: a.#.b against a.x.y.b', exchange: 't', key: 'a.x.y.b', pools: ['q.ab', 'q.all'] },
      { name: 'headers: all matches', exchange: 'h', key: 'ignored', headers: { format: 'json', version: 2 }, pools: ['q.any', 'q.json'] },
      { name: 'headers: typed value mismatch', exchange: 'h', key: '', headers: { format: 'json', version: '2' }, pools: ['q.any'] },
      { name: 'headers: any on a boolean', exchange: 'h', key: '', headers: { urgent: true }, pools: ['q.any'] },
      { name: 'headers: no headers', exchange: 'h', key: '', pools: [] },
      { name: 'exchange-to-exchange chain, same key at every hop', exchange: 'chain1', key: 'k', pools: ['q.chain2', 'q.chain3'], path: ['q.chain3', ['chain1', 'chain2', 'chain3']] },
      { name: 'chain broken in the middle by the key', exchange: 'chain1', key: 'other', pools: [] },
      { name: 'cycle: each pool once', exchange: 'c1', key: 'x', pools: ['q.c2', 'q.cycle'] },
      { name: 'cycle entered from the other side', exchange: 'c2', key: 'x', pools: ['q.c2', 'q.cycle'] },
      { name: 'self-bound fanout: no pools and no alternate (its route is not empty)', exchange: 'selfLoop', key: 'x', pools: [], alternates: [] },
      { name: 'alternate exchange when nothing matches', exchange: 'withAe', key: 'zzz', pools: ['q.ae'], alternates: ['ae'], path: ['q.ae', ['withAe', 'ae']] },
      { name: 'no alternate exchange when a binding matches', exchange: 'withAe', key: 'k', pools: ['q.d1'], alternates: [] },
      { name: 'no alternate exchange when only an exchange binding matches, even into a dead end', exchange: 'withAe', key: 'to-void', pools: [], alternates: [] },
      { name: 'alternate exchange of an exchange reached by an exchange binding', exchange: 'toAe', key: 'zzz', pools: ['q.ae'], alternates: ['ae'] },
      { name: 'alternate exchange that does not exist', exchange: 'aeToMissing', key: 'x', pools: [], alternates: ['nope'] },
      { name: 'alternate exchanges in a loop terminate', exchange: 'aeLoop1', key: 'x', pools: [], alternates: ['aeLoop2'] },
      { name: 'unknown type: unpredictable, pools behind it not listed', exchange: 'hash', key: 'x', pools: [], unpredictable: ['hash'] },
      { name: 'unknown type without bindings: still unpredictable, alternate not used', exchange: 'delayed', key: 'x', pools: [], unpredictable: ['delayed'], alternates: [] },
      { name: 'unknown type behind a fanout', exchange: 'pluginChain', key: 'x', pools: ['q.pc'], unpredictable: ['hash'] },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const r = route(table, c.exchange, c.key, c.headers);
        assert.deepEqual(r.pools, c.pools);
        assert.equal(r.exchange, c.exchange);
        assert.equal(r.routingKey, c.key);
        assert.deepEqual(Object.keys(r.paths).sort(), c.pools);
        if (c.unpredictable) { assert.deepEqual(r.unpredictable, c.unpredictable); }
        if (c.alternates) { assert.deepEqual(r.alternates, c.alternates); }
        if (c.path) { assert.deepEqual(r.paths[c.path[0]], c.path[1]); }
      });
    }

    it('drops the default exchange\'s implicit bindings and keeps the queue list for it', () => {
      assert.ok(table.bindings.every((b) => b.source !== ''));
      assert.equal(table.queues.length, queues.length);
    });
  });

  describe('management API quirks', () => {
    it('reads the API\'s "undefined" (an AMQP void) as a presence-only header value', () => {
      assert.deepEqual(apiArguments({ 'x-match': 'all', a: 'undefined', b: 1 }), { 'x-match': 'all', a: null, b: 1 });
      assert.equal(apiArguments(undefined), undefined);
      const t = routingTable([{ name: 'h', type: 'headers' }],
        [{ source: 'h', destination: 'q', destination_type: 'queue', routing_key: '', arguments: { 'x-match': 'all', a: 'undefined' } }], [{ name: 'q' }]);
      assert.deepEqual(route(t, 'h', '', { a: 'whatever' }).pools, ['q']);
      assert.deepEqual(route(t, 'h', '', { b: 'whatever' }).pools, []);
    });
  });

  describe('--header flags', () => {
    const cases: [string, [string, HeaderValue]][] = [
      ['format=json', ['format', 'json']],
      ['version=2', ['version', 2]],
      ['ratio=-1.5', ['ratio', -1.5]],
      ['urgent=true', ['urgent', true]],
      ['urgent=false', ['urgent', false]],
      ['empty=', ['empty', '']],
      ['eq=a=b', ['eq', 'a=b']],
    ];
    for (const [flag, expected] of cases) {
      it(`parses ${flag}`, () => assert.deepEqual(parseHeaderFlag(flag), expected));
    }
    it('rejects a flag without "=" or without a key, saying how to write it', () => {
      for (const bad of ['format', '=json']) {
        assert.throws(() => parseHeaderFlag(bad), (e: Error & { kind?: string; hint?: string }) => e.kind === 'invalid-input' && /key=value/.test(e.hint ?? ''));
      }
    });
  });
});
