import t from 'tap';
import { ArgsError, parseFaultArgs, SCENARIOS } from './args.ts';

const seed = (): number => 42;

void t.test('defaults: full setting, every scenario, a random seed', (t) => {
  const p = parseFaultArgs([], seed);
  t.same(p, { help: false, options: { mode: 'full', seed: 42, scenarios: [...SCENARIOS], cluster: undefined, json: false, verbose: false } });
  t.end();
});

void t.test('flags', (t) => {
  const p = parseFaultArgs(['--short', '--seed', '7', '--scenario', 'hung-export,crash', '--json', '--cluster', 'local'], seed);
  t.same(p, { help: false, options: { mode: 'short', seed: 7, scenarios: ['crash', 'hung-export'], cluster: 'local', json: true, verbose: false } });
  const h = parseFaultArgs(['--help'], seed);
  t.ok(h.help && h.text.includes('--seed N'));
  t.end();
});

void t.test('bad flags are errors', (t) => {
  for (const argv of [['--seed', 'x'], ['--seed', '99999999999'], ['--scenario', 'nope'], ['--full', '--short'], ['--what'], ['--cluster', 'kind']]) {
    t.throws(() => parseFaultArgs(argv, seed), ArgsError, argv.join(' '));
  }
  t.end();
});
