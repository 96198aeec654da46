// The command Stryker runs for each mutant (stryker.config.json): the fast suites that exercise
// src/core (unit, golden and the vendored real-operator data; never e2e), in one process, stopping
// at the first failing test. A mutant needs one failing test to be killed, so most runs end within
// the first files instead of paying for the whole list; a survivor runs everything.

import { run } from 'node:test';

// Fast, discriminating files first: the order only changes how soon a killed mutant stops.
const FILES = [
  'test/unit/semantics-rules.test.ts',
  'test/unit/change-rules.test.ts',
  'test/unit/effective-rules.test.ts',
  'test/unit/parse-rules.test.ts',
  'test/unit/semantics.test.ts',
  'test/unit/change.test.ts',
  'test/unit/version-boundaries.test.ts',
  'test/unit/status-golden.test.ts',
  'test/unit/render.test.ts',
  'test/unit/render-order.test.ts',
  'test/unit/upgrade.test.ts',
  'test/unit/probe.test.ts',
  'test/unit/convert.test.ts',
  'test/unit/change-scope.test.ts',
  'test/unit/real-operator.test.ts',
];

// MUTATION_TESTS (comma-separated paths) narrows the list while iterating on one file's survivors.
const files = process.env['MUTATION_TESTS'] ? process.env['MUTATION_TESTS'].split(',') : FILES;
let passed = 0;
const stream = run({ files, isolation: 'none', concurrency: 1 });
stream.on('test:pass', () => passed++);
stream.on('test:fail', (event) => {
  process.stdout.write(`failed: ${event.file ?? ''} ${event.name} (after ${passed} passed)\n`);
  process.exit(1);
});
stream.on('end', () => {
  process.stdout.write(`${passed} passed\n`);
  process.exit(0);
});
stream.resume();
