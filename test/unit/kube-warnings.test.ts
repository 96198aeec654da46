// The server's Warning headers, read as client-go reads them (ParseWarningHeaders): code 299 only,
// quoted text with backslash escapes, an optional date, several warnings in one header.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseWarnings } from '../../src/kube/transport.ts';

test('Warning header values: 299 texts in order; other codes, dates and malformed values handled as client-go does', () => {
  assert.deepEqual(parseWarnings('299 - "batch/v1beta1 CronJob is deprecated in v1.21+, unavailable in v1.25+"'), [
    'batch/v1beta1 CronJob is deprecated in v1.21+, unavailable in v1.25+',
  ]);
  assert.deepEqual(parseWarnings('299 - "first", 299 kube-apiserver "second, with a comma"'), ['first', 'second, with a comma']);
  assert.deepEqual(parseWarnings('299 - "a \\"quoted\\" word" "Wed, 21 Oct 2015 07:28:00 GMT", 299 - "after the date"'), ['a "quoted" word', 'after the date']);
  assert.deepEqual(parseWarnings('199 - "miscellaneous", 299 - "kept"'), ['kept']);
  assert.deepEqual(parseWarnings('299 - ""'), []);
  assert.deepEqual(parseWarnings('299 - "unterminated'), []);
  assert.deepEqual(parseWarnings('not a warning'), []);
});
