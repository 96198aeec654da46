// Warning lines: one per object and problem, however many backends share it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { warningLines } from '../../src/output/warnings.ts';

test('a missing Service named by several backends is one warning line listing them', () => {
  const lines = warningLines([
    { object: 'service/default/s2', message: 'not found: needed by backend a.com of ingress default/one' },
    { object: 'service/default/s3', message: 'not found: Voyager skips backend a.com:80 of ingress default/one' },
    { object: 'service/default/s2', message: 'not found: needed by backend b.com of ingress default/two' },
    { object: 'service/default/s3', message: 'not found: Voyager skips backend b.com/x of ingress default/two' },
    { object: 'service/default/s2', message: 'not found: needed by backend b.com of ingress default/two' },
    { object: 'service/default/s2', message: 'is an ExternalName Service (backend c.com of ingress default/two)' },
  ]);
  assert.deepEqual(lines, [
    'Warning: service/default/s2: not found: needed by backend a.com of ingress default/one, backend b.com of ingress default/two',
    'Warning: service/default/s3: not found: Voyager skips backend a.com:80 of ingress default/one, backend b.com/x of ingress default/two',
    'Warning: service/default/s2: is an ExternalName Service (backend c.com of ingress default/two)',
  ]);
});

test('different objects or different problems are not merged', () => {
  const notes = [
    { object: 'service/default/a', message: 'not found: needed by backend x of ingress default/i' },
    { object: 'service/default/b', message: 'not found: needed by backend x of ingress default/i' },
    { object: 'service/default/a', message: 'cannot read Services in namespace default: stickiness of backend y of ingress default/i is unknown' },
    { object: 'ingress/default/i', message: 'plain' },
    { object: 'ingress/default/i', message: 'plain' },
  ];
  assert.equal(warningLines(notes).length, 4);
});
