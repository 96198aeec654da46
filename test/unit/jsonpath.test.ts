// kubectl's JSONPath dialect, table-driven with the cases of k8s.io/client-go/util/jsonpath's
// jsonpath_test.go and parser_test.go at v0.34.4 (the client-go of test/cluster/go.mod) over JSON
// data: every case whose input is JSON-shaped, and the struct cases with their structs as JSON
// objects (Go prints a map with sorted keys, so those expectations have their keys sorted).
// kubectl prints with missing keys allowed (--allow-missing-template-keys=true), so the cases that
// client-go runs with AllowMissingKeys(false) are left out. Where client-go's test says only
// "expect error", the message is the one kubectl 1.32 printed for the same template
// (`kubectl label --local -f FILE a=b -o jsonpath=...`, which needs no server).

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
  { id: 'i7', x: null, y: 4 },
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
  ['invalid array', '{.Labels[0]}', /^map\[string\]interface \{\} is not array or slice$/],
  ['invalid filter operator', '{.Book[?(@.Price<>10)]}', /unrecognized filter operator <>/],
  ['redundant end', '{range .Labels.*}{@}{end}{end}', /not in range, nothing to end/],
  // client-go has no =~: the filter's operator is `=`, and its right side `~'...'` does not parse.
  ['no regular expressions', "{.Bicycle[?(@.Color=~'^g.*en.*')]}", /^unrecognized character in action: U\+007E '~'$/],
  ['super recursive', '{............................................................Price}', /^invalid multiple recursive descent$/],
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
    sortItems(points.slice(0, 6), '.x').map((p) => p.id),
    ['i4', 'i2', 'i5', 'i6', 'i1', 'i3'],
  );
  assert.deepEqual(
    sortItems(points.slice(0, 6), '{.id}')
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

// The rest of client-go's TestTypesInput (the non-struct slices), TestStructInput and
// TestJSONInput, as facts.
const MORE_CASES: [string, string, unknown, string][] = [
  ['boolSliceIndex', '{ .bools[0] }', types, 'true'],
  ['boolSubSliceFirst2', '{ .bools[:2] }', types, 'true false'],
  ['integerSlice', '{ .integers }', types, '[1,2,3,4]'],
  ['integerSliceIndex', '{ .integers[0] }', types, '1'],
  ['integerSubSliceFirst2', '{ .integers[0:2] }', types, '1 2'],
  ['integerSubSliceFirst2Alt', '{ .integers[:2] }', types, '1 2'],
  ['integerSubSliceStep2', '{ .integers[:4:2] }', types, '1 3'],
  ['floatSliceIndex', '{ .floats[0] }', types, '1'],
  ['floatSliceIndexReverse', '{ .floats[-2] }', types, '3.3'],
  ['floatSubSliceFirst2', '{ .floats[0:2] }', types, '1 2.2'],
  ['floatSubSliceFirst2Alt', '{ .floats[:2] }', types, '1 2.2'],
  ['floatSubSliceStep2', '{ .floats[:4:2] }', types, '1 3.3'],
  ['stringSlice', '{ .strings }', types, '["one","two","three","four"]'],
  ['stringSliceIndexReverse', '{ .strings[-2] }', types, 'three'],
  ['stringSubSliceFirst2', '{ .strings[0:2] }', types, 'one two'],
  ['stringSubSliceFirst2Alt', '{ .strings[:2] }', types, 'one two'],
  ['stringSubSliceStep2', '{ .strings[:4:2] }', types, 'one three'],
  ['interfaceSliceIndex', '{ .interfaces[0] }', types, 'true'],
  ['interfaceSliceIndexReverse', '{ .interfaces[-2] }', types, '1'],
  ['interfaceSubSliceFirst2', '{ .interfaces[0:2] }', types, 'true one'],
  ['interfaceSubSliceFirst2Alt', '{ .interfaces[:2] }', types, 'true one'],
  ['interfaceSubSliceStep2', '{ .interfaces[:4:2] }', types, 'true 1'],
  ['mapSlice', '{ .maps }', types, '[{"name":"one","value":1},{"name":"two","value":2.02},{"name":"three","value":3.03},{"name":"four","value":4.04}]'],
  ['mapSliceIndexReverse', '{ .maps[-2] }', types, '{"name":"three","value":3.03}'],
  ['mapSubSliceFirst2', '{ .maps[0:2] }', types, '{"name":"one","value":1} {"name":"two","value":2.02}'],
  ['mapSubSliceFirst2Alt', '{ .maps[:2] }', types, '{"name":"one","value":1} {"name":"two","value":2.02}'],
  ['mapSubSliceStepOdd', '{ .maps[::2] }', types, '{"name":"one","value":1} {"name":"three","value":3.03}'],
  ['dict/ jason', '{$.Employees.jason}', store, 'manager'],
  ['dict/ dan', '{$.Employees.dan}', store, 'clerk'],
  ['recurdotfields', '{...Price}', store, '8.95 12.99 8.99 19.95 20.01'],
  ['allstructsSlice', '{.Bicycle}', store, '[{"Color":"red","IsNew":true,"Price":19.95},{"Color":"green","IsNew":false,"Price":20.01}]'],
  ['allstructs', '{range .Bicycle[*]}{ @ }{ " " }{end}', store, '{"Color":"red","IsNew":true,"Price":19.95} {"Color":"green","IsNew":false,"Price":20.01} '],
  ['nonexistent field', '{.hello}', store, ''],
  ['nil value', "{[-1]['x']}", points, 'null'],
  ['item name', '{.items[*].metadata.name}', nodes, '127.0.0.1 127.0.0.2'],
];

for (const [name, template, input, expected] of MORE_CASES) {
  test(`jsonpath ${name}: ${template}`, () => {
    assert.equal(runTemplate(template, input), expected);
  });
}

test('jsonpath recursive name (client-go compares it as a sorted set of words: Go maps have no order)', () => {
  const words = runTemplate('{..name}', nodes).split(' ').sort();
  assert.deepEqual(words, ['127.0.0.1', '127.0.0.2', 'e2e', 'myself']);
});

const pods = {
  kind: 'List',
  items: [
    { kind: 'Pod', metadata: { name: 'pod1', annotations: { color: 'blue' } } },
    { kind: 'Pod', metadata: { name: 'pod2' } },
    { kind: 'Pod', metadata: { name: 'pod3', annotations: { color: 'green' } } },
    { kind: 'Pod', metadata: { name: 'pod4', annotations: { color: 'blue' } } },
  ],
};

const running = {
  kind: 'List',
  items: [
    { kind: 'Pod', metadata: { name: 'pod1' }, status: { phase: 'Running' } },
    { kind: 'Pod', metadata: { name: 'pod2' }, status: { phase: 'Running' } },
    { kind: 'Pod', metadata: { name: 'pod3' }, status: { phase: 'Running' } },
    { resourceVersion: '' },
  ],
};

const another = [{ name: 'value1' }, { name: 'value2' }];
const nested = {
  items: [
    {
      metadata: { name: 'pod1' },
      spec: {
        containers: [
          { name: 'foo', another },
          { name: 'bar', another },
        ],
      },
    },
    { metadata: { name: 'pod2' }, spec: { containers: [{ name: 'baz', another }] } },
  ],
};

// TestEmptyRange, TestNestedRanges, TestFilterPartialMatchesSometimesMissingAnnotations,
// TestRunningPodsJSONPathOutput.
const RANGE_CASES: [string, string, unknown, string][] = [
  ['empty nested range', '{range .items[*]}{.metadata.name}{":"}{range @.spec.containers[*]}{.name}{","}{end}{"+"}{end}', { items: [] }, ''],
  ['nested range', '{range .items[*]}{.metadata.name}{":"}{range @.spec.containers[*]}{.name}{","}{end}{"+"}{end}', nested, 'pod1:foo,bar,+pod2:baz,+'],
  [
    'nested range within a nested range',
    '{range .items[*]}{.metadata.name}{"~"}{range @.spec.containers[*]}{.name}{":"}{range @.another[*]}{.name}{","}{end}{"+"}{end}{"#"}{end}',
    nested,
    'pod1~foo:value1,value2,+bar:value1,value2,+#pod2~baz:value1,value2,+#',
  ],
  [
    'two nested ranges at the same level',
    '{range .items[*]}{.metadata.name}{"\\t"}{range @.spec.containers[*]}{.name}{" "}{end}{"\\t"}{range @.spec.containers[*]}{.name}{" "}{end}{"\\n"}{end}',
    nested,
    'pod1\tfoo bar \tfoo bar \npod2\tbaz \tbaz \n',
  ],
  ['filter matching a subset, some items without annotations', '{.items[?(@.metadata.annotations.color=="blue")].metadata.name}', pods, 'pod1 pod4'],
  [
    'range over running pods, not the last item',
    '{range .items[?(.status.phase=="Running")]}{.metadata.name}{" is Running\\n"}{end}',
    running,
    'pod1 is Running\npod2 is Running\npod3 is Running\n',
  ],
];

for (const [name, template, input, expected] of RANGE_CASES) {
  test(`jsonpath ${name}: ${template}`, () => {
    assert.equal(runTemplate(template, input), expected);
  });
}

const containers = (n: number) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  spec: { containers: Array.from({ length: n }, (_, i) => ({ image: 'radial/busyboxplus:curl', name: `fake${i}` })) },
});

// TestNegativeIndex (4 containers) and TestStep (6): output, or kubectl's error message.
const INDEX_CASES: [string, number, string, string | RegExp][] = [
  ['[0]', 4, '{.spec.containers[0].name}', 'fake0'],
  ['[0:0] is empty', 4, '{.spec.containers[0:0].name}', ''],
  ['[0:-1] is [0:3]', 4, '{.spec.containers[0:-1].name}', 'fake0 fake1 fake2'],
  ['[-1:0] is [3:0]', 4, '{.spec.containers[-1:0].name}', /^starting index 3 is greater than ending index 0$/],
  ['[-1] is [3]', 4, '{.spec.containers[-1].name}', 'fake3'],
  ['[-1:] is [3:]', 4, '{.spec.containers[-1:].name}', 'fake3'],
  ['[-2] is [2]', 4, '{.spec.containers[-2].name}', 'fake2'],
  ['[-2:] is [2:]', 4, '{.spec.containers[-2:].name}', 'fake2 fake3'],
  ['[-3] is [1]', 4, '{.spec.containers[-3].name}', 'fake1'],
  ['[-4] is [0]', 4, '{.spec.containers[-4].name}', 'fake0'],
  ['[-4:] is [0:]', 4, '{.spec.containers[-4:].name}', 'fake0 fake1 fake2 fake3'],
  ['[-5] is out of bounds', 4, '{.spec.containers[-5].name}', /^array index out of bounds: index -1, length 4$/],
  ['[5:5] is empty', 4, '{.spec.containers[5:5].name}', ''],
  ['[-5:-5] is empty', 4, '{.spec.containers[-5:-5].name}', ''],
  ['[3:1]: start after end', 4, '{.spec.containers[3:1].name}', /^starting index 3 is greater than ending index 1$/],
  ['[-1:-2] is [3:2]: start after end', 4, '{.spec.containers[-1:-2].name}', /^starting index 3 is greater than ending index 2$/],
  ['[0:] is [0:6:1]', 6, '{.spec.containers[0:].name}', 'fake0 fake1 fake2 fake3 fake4 fake5'],
  ['[0:6:] is [0:6:1]', 6, '{.spec.containers[0:6:].name}', 'fake0 fake1 fake2 fake3 fake4 fake5'],
  ['[0:6:1]', 6, '{.spec.containers[0:6:1].name}', 'fake0 fake1 fake2 fake3 fake4 fake5'],
  ['[0:6:0]: step 0', 6, '{.spec.containers[0:6:0].name}', /^step must be > 0$/],
  ['[0:6:-1]: a negative step', 6, '{.spec.containers[0:6:-1].name}', /^step must be > 0$/],
  ['[1:4:2]', 6, '{.spec.containers[1:4:2].name}', 'fake1 fake3'],
  ['[1:4:3]', 6, '{.spec.containers[1:4:3].name}', 'fake1'],
  ['[1:4:4]', 6, '{.spec.containers[1:4:4].name}', 'fake1'],
  ['[0:6:2]', 6, '{.spec.containers[0:6:2].name}', 'fake0 fake2 fake4'],
  ['[0:6:3]', 6, '{.spec.containers[0:6:3].name}', 'fake0 fake3'],
  ['[0:6:5]', 6, '{.spec.containers[0:6:5].name}', 'fake0 fake5'],
  ['[0:6:6]', 6, '{.spec.containers[0:6:6].name}', 'fake0'],
  // Not in client-go's tests; what kubectl 1.32 printed: bounds are checked, never clamped.
  ['[0:10] is out of bounds', 4, '{.spec.containers[0:10].name}', /^array index out of bounds: index 9, length 4$/],
];

for (const [name, n, template, expected] of INDEX_CASES) {
  test(`jsonpath ${name} on ${n} containers: ${template}`, () => {
    if (typeof expected === 'string') assert.equal(runTemplate(template, containers(n)), expected);
    else
      assert.throws(
        () => runTemplate(template, containers(n)),
        (error: unknown) => error instanceof TemplateExecutionError && expected.test(error.message),
      );
  });
}

// TestFailParser: templates that do not parse (kubectl: "error parsing jsonpath").
const PARSE_FAILURES: [string, string, string][] = [
  ['unclosed action', '{.hello', 'unclosed action'],
  ['unrecognized character', '{*}', "unrecognized character in action: U+002A '*'"],
  ['invalid number', '{+12.3.0}', 'cannot parse number +12.3.0'],
  ['unterminated array', '{[1}', 'unterminated array'],
  ['unterminated filter', '{[?(.price]}', 'unterminated filter'],
  ['invalid multiple recursive descent', '{........}', 'invalid multiple recursive descent'],
];

for (const [name, template, message] of PARSE_FAILURES) {
  test(`jsonpath does not parse: ${name}: ${template}`, () => {
    assert.throws(
      () => runTemplate(template, null),
      (error: unknown) => error instanceof TemplateError && !(error instanceof TemplateExecutionError) && error.message === message,
    );
  });
}

// Quirks of client-go's evaluation that kubectl 1.32 showed on {"items":[{"l":[]},{"l":[1,2]}],"s":"xy"}.
test('jsonpath as kubectl: an empty slice ends the step, [*] is a slice, .* of a string is its bytes, .. skips scalars', () => {
  const d = { items: [{ l: [] }, { l: [1, 2] }], s: 'xy', m: {} };
  assert.equal(runTemplate('{.items[*].l[*]}', d), '');
  assert.equal(runTemplate('{.items[0,1].l}', d), '[] [1,2]');
  assert.equal(runTemplate('{.s.*}', d), '120 121');
  assert.equal(runTemplate('{.items[1]..}', d), '{"l":[1,2]} [1,2]');
  assert.equal(runTemplate('{3}', d), '3');
  const refused: [string, string][] = [
    ['{.items[*].l[-1:]}', 'array index out of bounds: index -1, length 0'],
    ['{.m[*]}', 'map[string]interface {} is not array or slice'],
    ['{.s[0]}', 'string is not array or slice'],
    ['{.items[?(@.l<>1)]}', 'unrecognized filter operator <>'],
  ];
  for (const [template, message] of refused)
    assert.throws(
      () => runTemplate(template, d),
      (error: unknown) => error instanceof TemplateExecutionError && error.message === message,
      template,
    );
});

// parser_test.go's quoted filter values (parens and quotes inside quotes, an escaped quote), and
// Go's escapes in quoted texts, as kubectl 1.32 printed them.
test('jsonpath quoted texts: parens and quotes inside quotes, Go escapes; a bad escape does not parse', () => {
  const items = { items: [{ v: '()' }, { v: '("")' }, { v: '())(' }, { v: '{[()]}' }, { v: "''" }, { v: '""' }, { v: "\\'" }, { v: 'Linux' }] };
  const matching = (literal: string) => runTemplate(`{.items[?(@.v == ${literal})].v}`, items);
  assert.equal(matching('"()"'), '()');
  assert.equal(matching('"(\\"\\")"'), '("")');
  assert.equal(matching('"())("'), '())(');
  assert.equal(matching('"{[()]}"'), '{[()]}');
  assert.equal(matching(`"''"`), "''");
  assert.equal(matching(`'""'`), '""');
  assert.equal(matching("'\\\\\\''"), "\\'");
  assert.equal(matching("'Linux'"), 'Linux');
  assert.equal(runTemplate('{"a\\x41\\101\\u00e9\\n"}', null), 'aAAé\n');
  assert.equal(runTemplate("{'it\\'s'}", null), "it's");
  assert.throws(
    () => runTemplate('{"\\q"}', null),
    (error: unknown) => error instanceof TemplateError && error.message === 'unquote string "\\q" error invalid syntax',
  );
});
