import * as assert from 'node:assert/strict';
import { usageLine } from '../../src/cli/args';
import { main } from '../../src/cli/main';
import { COMMANDS } from '../../src/cli/registry';

/** Runs the CLI in-process and returns what it printed. */
async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => { out += s; }, err: (s) => { err += s; } }, {});
  return { code, out, err };
}

describe('CLI usage lines come from the flag tables', () => {
  for (const cmd of COMMANDS) {
    it(`${cmd.name} --help: the usage line names every flag the command accepts, required ones without brackets`, async () => {
      const r = await run([...cmd.name.split(' '), '--help']);
      assert.equal(r.code, 0, r.err);
      const usage = r.out.split('\n')[0];
      assert.ok(usage.startsWith(`Usage: rmq-pools ${cmd.name}`), usage);
      for (const [name, spec] of Object.entries(cmd.flags)) {
        assert.ok(usage.includes(`--${name}`), `${cmd.name}: --${name} missing from "${usage}"`);
        if (spec.required) { assert.doesNotMatch(usage, new RegExp(`\\[[^\\]]*--${name}\\b`), `--${name} is required: not in brackets`); }
      }
    });
  }

  it('alternatives share one bracket', () => {
    const u = usageLine('x', undefined, { a: { type: 'string', valueName: 'N', description: '', oneOf: 'g' }, b: { type: 'boolean', description: '', oneOf: 'g' }, c: { type: 'list', valueName: 'K', description: '' } }, '[--json]');
    assert.equal(u, 'x [--a N | --b] [--c K ...] [--json]');
  });
});
