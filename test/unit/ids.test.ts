import * as assert from 'assert';
import { timeOfUuidv7, uuidv7 } from '../../src/broker/ids';

describe('ids: UUIDv7 message ids carry the publish time', () => {
  it('is a well-formed version-7, variant-10 UUID', () => {
    for (let i = 0; i < 1000; i++) {
      assert.match(uuidv7(), /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('round-trips the time to the millisecond', () => {
    for (const ms of [1_577_836_800_000, 1_764_000_000_123, Date.now(), 4_102_444_800_000 - 1]) {
      const now = Math.max(Date.now(), ms);
      assert.strictEqual(timeOfUuidv7(uuidv7(ms), now), ms);
    }
  });

  it('is unique across many ids in the same millisecond (random bits refilled from the pool)', () => {
    const ms = Date.now();
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) { seen.add(uuidv7(ms)); }
    assert.strictEqual(seen.size, 5000);
  });

  it('sorts by time as text', () => {
    const a = uuidv7(1_700_000_000_000);
    const b = uuidv7(1_700_000_000_001);
    assert.ok(a < b, `${a} < ${b}`);
  });

  it('reads nothing from uuid4s, other text, implausible times or non-strings', () => {
    assert.strictEqual(timeOfUuidv7('9b2c7a1e-5d3f-4c2b-8a1d-0e9f8c7b6a5d'), undefined);
    assert.strictEqual(timeOfUuidv7('not-a-uuid'), undefined);
    assert.strictEqual(timeOfUuidv7(undefined), undefined);
    assert.strictEqual(timeOfUuidv7(42), undefined);
    assert.strictEqual(timeOfUuidv7('00000000-0000-7000-8000-000000000000'), undefined, 'before 2020');
    assert.strictEqual(timeOfUuidv7(uuidv7(Date.now() + 3 * 86_400_000)), undefined, 'days in the future');
    assert.strictEqual(timeOfUuidv7('zz90f3c2-7a1b-7c3d-9e4f-0123456789ab'), undefined, 'not hex');
  });
});
