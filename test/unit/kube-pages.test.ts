// The continue token of a list page, read from the head of its body so the next page can be asked
// for while this one is still arriving (client.ts listAt): built-in kinds write their metadata
// before the items; a custom resource's list (keys sorted) writes it after, and is then paged one
// page after another, as before.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { continueToken } from '../../src/kube/client.ts';

test("a list's continue token from the head of its body: the token, '' when there is none, null until the items begin", () => {
  const head =
    '{"kind":"ServiceList","apiVersion":"v1","metadata":{"resourceVersion":"812","continue":"eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ","remainingItemCount":9501},"items":[{"metadata":{"name":"a"';
  assert.equal(continueToken(head), 'eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ');
  assert.equal(continueToken('{"kind":"ServiceList","apiVersion":"v1","metadata":{"resourceVersion":"812"},"items":[]}'), '');
  // Not there yet: the next chunk may hold it.
  assert.equal(continueToken('{"kind":"ServiceList","apiVersion":"v1","metadata":{"resourceVersion":"812","contin'), null);
  // A JSON escape in the token is decoded as the full parse would.
  assert.equal(continueToken('{"kind":"L","metadata":{"continue":"a\\u003db"},"items":[]}'), 'a=b');
  // A custom resource's list: its metadata comes after the items, so nothing is read early.
  assert.equal(continueToken('{"apiVersion":"voyager.appscode.com/v1beta1","items":[{"apiVersion":"voyager.appscode.com/v1beta1"'), '');
  // A head that is not a list's, or too long to be only metadata: no early token.
  assert.equal(
    continueToken('{"kind":"L","metadata":{"continue":"x"},"items":'.replace(',"items":', ',"other":1,"items":').replace('{"kind"', '[{"kind"')),
    '',
  );
  assert.equal(continueToken(`{"kind":"L","metadata":{"x":"${'y'.repeat(70_000)}`), '');
});
