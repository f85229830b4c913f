// The scanner the dashboard test relies on to find names: it must see every metric and label of the
// shapes the chart's queries use, and nothing else (functions, keywords, strings, durations).
import t from 'tap';
import { legendLabels, queryNames } from './promql-names.ts';

void t.test('metrics, matchers and grouping labels', (t) => {
  t.same(queryNames('sum by (result) (rate(nfs_provisioner_provisions_total{job="$job"}[5m]))'), {
    selectors: [{ metric: 'nfs_provisioner_provisions_total', labels: ['job'] }],
    grouping: ['result'],
  });
  t.same(queryNames('histogram_quantile(0.99, sum by (le, export) (rate(x_bucket{job="a",export=~".*"}[1m])))'), {
    selectors: [{ metric: 'x_bucket', labels: ['job', 'export'] }],
    grouping: ['le', 'export'],
  });
  t.same(queryNames('count(a{j="x"} > b{j="x"}) or vector(0)').selectors.map((s) => s.metric), ['a', 'b']);
  t.same(queryNames('sum(a) by (x) / on (y) group_left (z) b offset 5m').grouping, ['x', 'y', 'z']);
  t.same(queryNames('sum without (operation) (rate(t_total{job="j"}[5m])) > 0').selectors, [{ metric: 't_total', labels: ['job'] }]);
  t.same(queryNames('sum(x) < 1 or absent(x{a="b, c=d"})').selectors, [{ metric: 'x', labels: [] }, { metric: 'x', labels: ['a'] }], 'a comma inside a string is no matcher');
  t.same(queryNames('{__name__="m", b!~"c"}').selectors, [{ metric: '', labels: ['__name__', 'b'] }]);
  t.same(queryNames('topk(10, used / capacity) > 1.5e3').selectors.map((s) => s.metric), ['used', 'capacity']);
  t.throws(() => queryNames('x{a b}'), /unexpected matcher/);
  t.end();
});

void t.test('legend labels', (t) => {
  t.same(legendLabels('{{namespace}}/{{ persistentvolumeclaim }} ({{export}})'), ['namespace', 'persistentvolumeclaim', 'export']);
  t.same(legendLabels('p99'), []);
  t.end();
});
