import t from 'tap';
import { parseBenchArgs } from '../../bench/args.ts';
import type { BenchOptions } from '../../bench/args.ts';
import { subjectPlans } from '../../bench/subject.ts';

const options = (argv: string[]): BenchOptions => {
  const p = parseBenchArgs(argv);
  if (p.help) throw new Error('help');
  return p.options;
};

void t.test('ours alone, the command alone, or both with their own sizes (ours first)', (t) => {
  t.same(subjectPlans(options([]), '/r/dist/main.js'), [{ spec: { label: 'ours', main: '/r/dist/main.js', env: {} }, claims: 1000, pvs: [10_000] }]);
  const go = ['--provisioner-cmd', '/tmp/go', '--mount-at', '/persistentvolumes', '--rbac', '/tmp/rbac.yaml', '--label', 'go', '--cmd-claims', '200', '--cmd-pvs', '10000'];
  t.same(subjectPlans(options(go)), [
    { spec: { label: 'go', command: '/tmp/go', mountAt: '/persistentvolumes', rbacFile: '/tmp/rbac.yaml', env: {} }, claims: 200, pvs: [10_000] },
  ]);
  const both = subjectPlans(options([...go, '--with-ours', '--pvs', '10000', '--pvs', '50000', '--env', 'WORKERS=4']), 'm.js');
  t.same(
    both.map((p) => [p.spec.label, p.spec.command, p.claims, p.pvs]),
    [
      ['ours (WORKERS=4)', undefined, 1000, [10_000, 50_000]],
      ['go', '/tmp/go', 200, [10_000]],
    ],
  );
  t.same(both[0]?.spec.env, { WORKERS: '4' }, '--env goes to every provisioner under test');
  t.end();
});
