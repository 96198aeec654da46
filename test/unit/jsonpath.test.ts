// kubectl's JSONPath dialect, table-driven with the cases of k8s.io/client-go/util/jsonpath's
// jsonpath_test.go (TestTypesInput, TestStructInput, TestJSONInput, TestKubernetes) over JSON
// data. Objects there decode to maps, which Go prints with sorted keys, as here.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { columnValue, naturalLess, parseColumns, sortItems } from '../../src/output/columns.ts';
import { runTemplate, TemplateError, TemplateExecutionError } from '../../src/output/jsonpath.ts';

const types = {
  bools: [true, false, true, false],
  integers: [1, 2, 3, 4],
  floats: [1.0, 2.2, 3.3, 4.0],
  strings: ['one', 'two', 'three', 'four'],
  interfaces: [true, 'one', 1, 1.1],
  maps: [
    { name: 'one', value: 1 },
    { name: 'two', value: 2.02 },
    { name: 'three', value: 3.03 },
    { name: 'four', value: 4.04 },
  ],
};

const store = {
  Name: 'jsonpath',
  Book: [
    { Category: 'reference', Author: 'Nigel Rees', Title: 'Sayings of the Centurey', Price: 8.95 },
    { Category: 'fiction', Author: 'Evelyn Waugh', Title: 'Sword of Honour', Price: 12.99 },
    { Category: 'fiction', Author: 'Herman Melville', Title: 'Moby Dick', Price: 8.99 },
  ],
  Bicycle: [
    { Color: 'red', Price: 19.95, IsNew: true },
    { Color: 'green', Price: 20.01, IsNew: false },
  ],
  Labels: { engieer: 10, 'web/html': 15, 'k8s-app': 20 },
  Employees: { jason: 'manager', dan: 'clerk' },
};

const points = [
  { id: 'i1', x: 4, y: -5 },
  { id: 'i2', x: -2, y: -5, z: 1 },
  { id: 'i3', x: 8, y: 3 },
  { id: 'i4', x: -6, y: -1 },
  { id: 'i5', x: 0, y: 2, z: 1 },
  { id: 'i6', x: 1, y: 4 },
];

const nodes = {
  kind: 'List',
  items: [
    {
      kind: 'None',
      metadata: { name: '127.0.0.1', labels: { 'kubernetes.io/hostname': '127.0.0.1' } },
      status: { capacity: { cpu: '4' }, ready: true, addresses: [{ type: 'LegacyHostIP', address: '127.0.0.1' }] },
    },
    {
      kind: 'None',
      metadata: { name: '127.0.0.2', labels: { 'kubernetes.io/hostname': '127.0.0.2' } },
      status: {
        capacity: { cpu: '8' },
        ready: false,
        addresses: [
          { type: 'LegacyHostIP', address: '127.0.0.2' },
          { type: 'another', address: '127.0.0.3' },
        ],
      },
    },
  ],
  users: [
    { name: 'myself', user: {} },
    { name: 'e2e', user: { username: 'admin', password: 'secret' } },
  ],
};

const CASES: [string, string, unknown, string][] = [
  ['boolSlice', '{ .bools }', types, '[true,false,true,false]'],
  ['boolSliceIndex', '{ .bools[-1] }', types, 'false'],
  ['boolSubSlice', '{ .bools[0:2] }', types, 'true false'],
  ['boolSubSliceStep2', '{ .bools[:4:2] }', types, 'true true'],
  ['integerSliceIndexReverse', '{ .integers[-2] }', types, '3'],
  ['floatSlice', '{ .floats }', types, '[1,2.2,3.3,4]'],
  ['stringSliceIndex', '{ .strings[0] }', types, 'one'],
  ['interfaceSlice', '{ .interfaces }', types, '[true,"one",1,1.1]'],
  ['mapSliceIndex', '{ .maps[0] }', types, '{"name":"one","value":1}'],
  ['mapSubSliceStepEven', '{ .maps[1::2] }', types, '{"name":"two","value":2.02} {"name":"four","value":4.04}'],
  ['plain', 'hello jsonpath', null, 'hello jsonpath'],
  ['recursive', '{..}', [1, 2, 3], '[1,2,3]'],
  ['filter', '{[?(@<5)]}', [2, 6, 3, 7], '2 3'],
  ['quote', '{"{"}', null, '{'],
  ['union', '{[1,3,4]}', [0, 1, 2, 3, 4], '1 3 4'],
  ['array', '{[0:2]}', ['Monday', 'Tudesday'], 'Monday Tudesday'],
  ['variable', 'hello {.Name}', store, 'hello jsonpath'],
  ['dict/', '{$.Labels.web/html}', store, '15'],
  ['dict-', '{.Labels.k8s-app}', store, '20'],
  ['nest', '{.Bicycle[*].Color}', store, 'red green'],
  ['allarray', '{.Book[*].Author}', store, 'Nigel Rees Evelyn Waugh Herman Melville'],
  ['recurfields', '{..Price}', store, '8.95 12.99 8.99 19.95 20.01'],
  ['lastarray', '{.Book[-1:]}', store, '{"Author":"Herman Melville","Category":"fiction","Price":8.99,"Title":"Moby Dick"}'],
  ['recurarray', '{..Book[2]}', store, '{"Author":"Herman Melville","Category":"fiction","Price":8.99,"Title":"Moby Dick"}'],
  ['bool', '{.Bicycle[?(@.IsNew==true)]}', store, '{"Color":"red","IsNew":true,"Price":19.95}'],
  ['regexp match get green bicycle', "{.Bicycle[?(@.Color=~'^g.*en.*')]}", store, '{"Color":"green","IsNew":false,"Price":20.01}'],
  ['nonexistent field (missing keys allowed)', 'before-{.hello}after', store, 'before-after'],
  ['exists filter', '{[?(@.z)].id}', points, 'i2 i5'],
  ['bracket key', "{[0]['id']}", points, 'i1'],
  ['range item', '{range .items[*]}{.metadata.name}, {end}{.kind}', nodes, '127.0.0.1, 127.0.0.2, List'],
  ['range item with quote', '{range .items[*]}{.metadata.name}{"\\t"}{end}', nodes, '127.0.0.1\t127.0.0.2\t'],
  ['range addresss', '{.items[*].status.addresses[*].address}', nodes, '127.0.0.1 127.0.0.2 127.0.0.3'],
  ['double range', '{range .items[*]}{range .status.addresses[*]}{.address}, {end}{end}', nodes, '127.0.0.1, 127.0.0.2, 127.0.0.3, '],
  ['union nodes capacity', "{.items[*]['metadata.name', 'status.capacity']}", nodes, '127.0.0.1 127.0.0.2 {"cpu":"4"} {"cpu":"8"}'],
  ['range nodes capacity', '{range .items[*]}[{.metadata.name}, {.status.capacity}] {end}', nodes, '[127.0.0.1, {"cpu":"4"}] [127.0.0.2, {"cpu":"8"}] '],
  ['user password', '{.users[?(@.name=="e2e")].user.password}', nodes, 'secret'],
  ['hostname', '{.items[0].metadata.labels.kubernetes\\.io/hostname}', nodes, '127.0.0.1'],
  ['hostname filter', '{.items[?(@.metadata.labels.kubernetes\\.io/hostname=="127.0.0.1")].kind}', nodes, 'None'],
  ['bool item', '{.items[?(@..ready==true)].metadata.name}', nodes, '127.0.0.1'],
  ['empty range', '{range .items[*]}{.metadata.name}{end}', { items: [] }, ''],
];

for (const [name, template, input, expected] of CASES) {
  test(`jsonpath ${name}: ${template}`, () => {
    assert.equal(runTemplate(template, input), expected);
  });
}

const FAILURES: [string, string, RegExp][] = [
  ['invalid identifier', '{hello}', /unrecognized identifier hello/],
  ['invalid array', '{.Labels[0]}', /map is not array or slice/],
  ['invalid filter operator', '{.Book[?(@.Price<>10)]}', /unrecognized filter operator <>/],
  ['redundant end', '{range .Labels.*}{@}{end}{end}', /not in range, nothing to end/],
  ['regexp on a number', "{.Bicycle[?(@.Price=~'.*95')]}", /regular expression/],
  ['super recursive', '{............................................................Price}', /invalid recursive descent/],
];

for (const [name, template, message] of FAILURES) {
  test(`jsonpath fails: ${name}`, () => {
    assert.throws(
      () => runTemplate(template, store),
      (error: unknown) => error instanceof TemplateError && message.test(error.message),
    );
  });
}

test('custom-columns: relaxed paths, <none> for missing, several values joined by commas; a bad spec is an error', () => {
  const columns = parseColumns('NAME:metadata.name,ADDR:.status.addresses[*].address,X:{.nope}');
  assert.deepEqual(
    columns.map((c) => c.header),
    ['NAME', 'ADDR', 'X'],
  );
  const row = (item: unknown) => columns.map((c) => columnValue(c.path, item));
  assert.deepEqual(row(nodes.items[1]), ['127.0.0.2', '127.0.0.2,127.0.0.3', '<none>']);
  assert.throws(() => parseColumns('NAME'), /expected <header>:<json-path-expr>/);
});

// What kubectl 1.33 printed for `kubectl get nullables -o custom-columns=...` of a CR holding
// {"mode": null, "cookie": {"hash": null, "name": "X"}} (nullable fields kept by the apiserver):
// `<nil>`, `<nil>` and `map[hash:<nil> name:X]`, Go's fmt.Sprint of the unstructured values.
test('custom-columns prints values as Go does: <nil>, map[k:v] with sorted keys, [a b], %v numbers', () => {
  const item = { mode: null, cookie: { name: 'X', hash: null }, ports: [80, 443], n: 1.5, tiny: 0.00001, big: 1e21, on: true };
  const cells = ['.mode', '.cookie.hash', '.cookie', '.ports', '.n', '.tiny', '.big', '.on'].map((path) => columnValue(path, item));
  assert.deepEqual(cells, ['<nil>', '<nil>', 'map[hash:<nil> name:X]', '[80 443]', '1.5', '1e-05', '1e+21', 'true']);
});

test('--sort-by: numbers by value, text by text, stable', () => {
  assert.deepEqual(
    sortItems(points, '.x').map((p) => p.id),
    ['i4', 'i2', 'i5', 'i6', 'i1', 'i3'],
  );
  assert.deepEqual(
    sortItems(points, '{.id}')
      .reverse()
      .map((p) => p.id),
    ['i6', 'i5', 'i4', 'i3', 'i2', 'i1'],
  );
});

// kubectl's --sort-by compares strings with github.com/fvbommel/sortorder's NaturalLess.
test('--sort-by orders strings naturally, as kubectl: digit runs by value', () => {
  const cases: [string, string, boolean][] = [
    ['80', '6379', true],
    ['6379', '80', false],
    ['a2', 'a10', true],
    ['a', 'b', true],
    ['1', 'a', true],
    ['a', '1', false],
    ['a01', 'a1', false],
    ['a1', 'a01', true],
    ['x', 'x', false],
    ['x', 'xy', true],
  ];
  for (const [a, b, less] of cases) assert.equal(naturalLess(a, b), less, `${a} < ${b}`);
  assert.deepEqual(
    sortItems([{ p: '6379' }, { p: '80' }, { p: '443' }], '.p').map((x) => x.p),
    ['80', '443', '6379'],
  );
});

// client-go's filters compare with text/template's eq/lt: null, maps and lists are refused,
// kinds must match, bools only with == and !=; a side with several values is an error.
test('filters refuse what client-go refuses, as execution errors', () => {
  const store = { items: [{ a: null, n: 80, s: 'x', b: true, l: [1, 2] }] };
  const refused: [string, RegExp][] = [
    ['{.items[?(@.a=="x")]}', /^invalid type for comparison$/],
    ['{.items[?(@.n=="80")]}', /^incompatible types for comparison$/],
    ['{.items[?(@.n==80.0)]}', /^incompatible types for comparison$/],
    ['{.items[?(@.b<true)]}', /^invalid type for comparison$/],
    ['{.items[?(@.l[*]==1)]}', /^can only compare one element at a time$/],
    ['{.items[0].s[?(@==1)]}', /is not array or slice and cannot be filtered$/],
  ];
  for (const [template, message] of refused) {
    assert.throws(
      () => runTemplate(template, store),
      (error: unknown) => error instanceof TemplateExecutionError && message.test(error.message),
      template,
    );
  }
  assert.equal(runTemplate('{.items[?(@.n==80)].s}{.items[?(@.missing=="x")].s}{.items[?(@.b!=false)].n}', store), 'x80');
});
