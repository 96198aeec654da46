// jsonChunks writes a document in pieces; joined, they must be JSON.stringify(value, null, 4).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { jsonChunks } from '../../src/output/document.ts';

const joined = (value: unknown) => [...jsonChunks(value)].join('');

test('the pieces of a document are its JSON.stringify(…, null, 4), byte for byte', () => {
  const cases: unknown[] = [
    {},
    [],
    null,
    'x',
    { items: [] },
    { a: 1, items: [{ b: [1, { c: 'd\ne' }] }, null, 'x'], warnings: [], nested: { deep: { list: [1, 2] } }, gone: undefined },
    { items: [undefined, () => 1, { f: () => 1, u: undefined }] },
  ];
  for (const value of cases) assert.equal(joined(value), JSON.stringify(value, null, 4), JSON.stringify(value));
  fc.assert(
    fc.property(fc.dictionary(fc.string(), fc.oneof(fc.jsonValue(), fc.array(fc.jsonValue()))), (value) => joined(value) === JSON.stringify(value, null, 4)),
    { seed: 8, numRuns: 500 },
  );
});

test('a top-level array of items comes one element a piece', () => {
  const pieces = [...jsonChunks({ kind: 'StickyStatus', items: [{ a: 1 }, { a: 2 }, { a: 3 }] })];
  assert.equal(pieces.filter((p) => p.includes('"a"')).length, 3);
});
