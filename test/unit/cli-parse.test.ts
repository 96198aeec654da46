// kubectl's flag grammar (pflag) on the real declarations: what parses, to what, and the one
// error line for what does not. In process, no cluster, no files.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { disable, enable, render, status, STATUS_FLAGS } from '../../src/cli/commands.ts';
import { parseCommand, UsageError, type Declaration, type Flags } from '../../src/cli/spec.ts';
import { UserError } from '../../src/errors.ts';
import { changeDiff, unifiedDiff } from '../../src/output/diff.ts';
import { effectLines } from '../../src/output/effect.ts';
import { MAX_PRINTED_WARNINGS, warningLines } from '../../src/output/warnings.ts';

const parseStatus = (words: string[]) => parseCommand(status.declaration, words).options;

test('shorthands take attached values, = forms and the next word', () => {
  assert.equal(parseStatus(['-owide']).output?.format, 'wide');
  assert.equal(parseStatus(['-o=json']).output?.format, 'json');
  assert.equal(parseStatus(['-o', 'yaml']).output?.format, 'yaml');
  assert.equal(parseStatus(['--output=json']).output?.format, 'json');
  assert.equal(parseStatus(['--output', 'wide']).output?.format, 'wide');
  assert.equal(parseStatus(['-nteam-a']).namespace, 'team-a');
  assert.equal(parseStatus(['-ndefault', '-ojson']).namespace, 'default');
  assert.equal(parseStatus(['-v6']).v, 6);
  assert.equal(parseStatus(['-v=8']).v, 8);
  assert.equal(parseStatus(['--v=6']).v, 6);
  // Grouped: bools first, then one flag that takes the rest as its value.
  const grouped = parseStatus(['-Av6']);
  assert.equal(grouped['all-namespaces'], true);
  assert.equal(grouped.v, 6);
  assert.equal(parseStatus(['-An', 'x']).namespace, 'x');
});

test('bools: bare, =true/false in strconv.ParseBool spellings; defaults when absent', () => {
  assert.equal(parseStatus([])['no-headers'], false);
  assert.equal(parseStatus(['--no-headers'])['no-headers'], true);
  assert.equal(parseStatus(['--no-headers=true'])['no-headers'], true);
  assert.equal(parseStatus(['--no-headers=false'])['no-headers'], false);
  assert.equal(parseStatus(['--no-headers=0'])['no-headers'], false);
  assert.equal(parseStatus(['-A=false'])['all-namespaces'], false);
  assert.throws(() => parseStatus(['--no-headers=maybe']), {
    message: 'invalid argument "maybe" for "--no-headers" flag: strconv.ParseBool: parsing "maybe": invalid syntax',
  });
});

test('flags before and after TARGETs; -- ends flags; -f repeats and splits on commas; -f - is stdin', () => {
  const options = parseStatus(['svc/s1', '-owide', 'ingress/web', '-n', 'x']);
  assert.deepEqual(options.targets, [
    { kind: 'service', name: 's1' },
    { kind: 'ingress', flavor: null, name: 'web' },
  ]);
  assert.equal(options.output?.format, 'wide');
  assert.deepEqual(parseStatus(['-f', 'a.yaml,b.yaml', '-f', 'c/', 'svc/s1']).filename, ['a.yaml', 'b.yaml', 'c/']);
  assert.deepEqual(parseStatus(['-f', '-']).filename, ['-']);
  assert.deepEqual(parseStatus(['--', 'svc/s1']).targets, [{ kind: 'service', name: 's1' }]);
  assert.throws(() => parseStatus(['--', '-owide']), UserError, 'after --, -owide is a TARGET (and not a valid one)');
});

test("values are checked while parsing, with kubectl's words", () => {
  // -on is -o n: not an output format. It must never be silently ignored.
  assert.throws(() => parseStatus(['-on']), {
    message:
      'unable to match a printer suitable for the output format "n", allowed formats are: custom-columns-file=,custom-columns=,json,jsonpath-as-json=,jsonpath-file=,jsonpath=,name,wide,yaml',
  });
  assert.throws(() => parseCommand(enable.declaration, ['svc/s1', '-o', 'wide']), {
    message: 'unable to match a printer suitable for the output format "wide", allowed formats are: json,name,yaml',
  });
  assert.throws(() => parseStatus(['--request-timeout=soon']), { message: 'invalid --request-timeout "soon": use a duration such as 5s, 1m or 0' });
  assert.equal(parseStatus(['--request-timeout=2m'])['request-timeout'], 120_000);
  assert.equal(parseStatus([])['request-timeout'], 0);
  assert.throws(() => parseStatus(['-l', 'a in (b']), UserError);
  assert.throws(() => parseStatus(['--voyager-version', 'banana']), UserError);
  assert.throws(() => parseStatus(['-v', 'six']), { message: 'invalid argument "six" for "--v" flag: strconv.ParseInt: parsing "six": invalid syntax' });
  assert.throws(() => parseCommand(enable.declaration, ['svc/s1', '--cookie-hash', 'crc']), {
    message: 'invalid --cookie-hash "crc": use md5, sha (SHA-512) or index',
  });
  assert.throws(() => parseCommand(enable.declaration, ['svc/s1', '--dry-run=maybe']), {
    message: 'Invalid dry-run value (maybe). Must be "none", "server", or "client".',
  });
});

test('--dry-run alone means client and takes no next word (pflag NoOptDefVal)', () => {
  assert.equal(parseCommand(enable.declaration, ['svc/s1', '--dry-run'])['options']['dry-run'], 'client');
  assert.equal(parseCommand(enable.declaration, ['--dry-run', 'svc/s1'])['options'].targets.length, 1);
  assert.equal(parseCommand(enable.declaration, ['svc/s1', '--dry-run=server'])['options']['dry-run'], 'server');
  assert.equal(parseCommand(enable.declaration, ['svc/s1'])['options']['field-manager'], 'kubectl-sticky');
});

test('unknown and malformed flags are usage errors', () => {
  const cases: [Declaration<Flags>, string[], string][] = [
    [status.declaration, ['--no-such-flag'], 'unknown flag: --no-such-flag'],
    [status.declaration, ['-x'], "unknown shorthand flag: 'x' in -x"],
    [status.declaration, ['-Ax'], "unknown shorthand flag: 'x' in -Ax"],
    [status.declaration, ['-n'], "flag needs an argument: 'n' in -n"],
    [status.declaration, ['--namespace'], 'flag needs an argument: --namespace'],
    [status.declaration, ['--headers'], 'unknown flag: --headers'],
    [enable.declaration, ['svc/s1', '--purge'], 'unknown flag: --purge'],
    [disable.declaration, ['svc/s1', '--cookie-name=x'], 'unknown flag: --cookie-name'],
  ];
  for (const [declaration, words, message] of cases) {
    assert.throws(
      () => parseCommand(declaration, words),
      (error: unknown) => error instanceof UsageError && error.message === message,
      words.join(' '),
    );
  }
});

test('TARGETs: kinds and counts come from the declaration', () => {
  assert.throws(() => parseCommand(render.declaration, []), { message: 'an Ingress is required: kubectl sticky render ingress/NAME' });
  assert.throws(() => parseCommand(render.declaration, ['svc/x']), { message: 'render works on an Ingress (ingress/NAME), not svc/x' });
  assert.throws(() => parseCommand(render.declaration, ['ingress/a', 'ingress/b']), /render takes one/);
  assert.throws(() => parseCommand(enable.declaration, []), /you must specify one or more resources/);
  assert.deepEqual(parseCommand(render.declaration, ['ing.voyager.appscode.com/web']).options.targets, [{ kind: 'ingress', flavor: 'voyager', name: 'web' }]);
});

test("kubectl's TYPE NAME... form: one type, then its names; not mixed with TYPE/NAME", () => {
  assert.deepEqual(parseStatus(['svc', 'checkout']).targets, [{ kind: 'service', name: 'checkout' }]);
  assert.deepEqual(parseCommand(enable.declaration, ['service', 'web', 'api', '--dry-run']).options.targets, [
    { kind: 'service', name: 'web' },
    { kind: 'service', name: 'api' },
  ]);
  assert.deepEqual(parseStatus(['-n', 'x', 'ingress.voyager.appscode.com', 'shop']).targets, [{ kind: 'ingress', flavor: 'voyager', name: 'shop' }]);
  // The count is of TARGETs, not words: render takes one Ingress, in either form.
  assert.deepEqual(parseCommand(render.declaration, ['ingress', 'web']).options.targets, [{ kind: 'ingress', flavor: null, name: 'web' }]);
  assert.throws(() => parseCommand(render.declaration, ['ingress', 'a', 'b']), { message: 'render takes one ingress/NAME, got 2: ingress a b' });
  assert.throws(() => parseCommand(render.declaration, ['svc', 'x']), { message: 'render works on an Ingress (ingress/NAME), not svc x' });
  assert.throws(() => parseStatus(['svc']), { message: 'a resource name is required after "svc": svc NAME... or svc/NAME' });
  assert.throws(() => parseStatus(['svc', 'a', 'svc/b']), /no need to specify a resource type as a separate argument/);
  assert.throws(() => parseStatus(['svc/a', 'b']), { message: '"b" has no resource type: write svc/b or ingress/b' });
  assert.throws(() => parseStatus(['svc', 'Bad_Name']), /invalid resource name "Bad_Name"/);
});

test('a resource type sticky does not handle: what it works on, in either form', () => {
  const cases: [string[], string][] = [
    [['deploy/web'], 'deploy'],
    [['deploy', 'web'], 'deploy'],
    [['svc/a', 'deployments.apps/web'], 'deployments.apps'],
  ];
  for (const [words, type] of cases)
    assert.throws(() => parseStatus(words), { message: `kubectl sticky works on services and ingresses, not "${type}"` }, words.join(' '));
});

test('--help wins: no TARGET or value checks', () => {
  assert.equal(parseCommand(render.declaration, ['--help']).options.help, true);
  assert.equal(parseCommand(status.declaration, ['-h', 'pod/x']).options.help, true);
  assert.ok('no-headers' in STATUS_FLAGS);
});

test('warning lines: one per note, capped, with where to find the rest', () => {
  const notes = Array.from({ length: MAX_PRINTED_WARNINGS + 5 }, (_, i) => ({ object: `service/default/s${i}`, message: `problem ${i}\u001b[2J` }));
  const lines = warningLines(notes);
  assert.equal(lines.length, MAX_PRINTED_WARNINGS + 1);
  assert.equal(lines[0], 'Warning: service/default/s0: problem 0\\x1b[2J');
  assert.equal(lines.at(-1), `Warning: 5 more warnings not shown (-o json lists all ${MAX_PRINTED_WARNINGS + 5})`);
  assert.deepEqual(warningLines(notes.slice(0, 2)).length, 2);
});

test('effect lines: a table, or why there is none', () => {
  assert.deepEqual(effectLines({ backends: [] }), ['Effect: no Voyager Ingress uses these objects']);
  const [title, table] = effectLines({
    backends: [
      {
        ingress: { namespace: 'a', name: 'web', apiVersion: 'v1' },
        backend: 'a.example.com',
        service: { namespace: 'a', name: 's1' },
        before: false,
        after: null,
        cookieBefore: null,
        cookieAfter: null,
        sourcesAfter: [],
      },
    ],
  });
  assert.equal(title, 'Effect:');
  assert.equal(
    table,
    'NAMESPACE   INGRESS   BACKEND         SERVICE   STICKY BEFORE   STICKY AFTER\na           web       a.example.com   s1.a      no              unknown',
  );
});

test('one diff producer: no ==== line, a/ b/ names for changes, nothing for equal texts', () => {
  assert.equal(changeDiff('x', 'a\n', 'a\n'), '');
  assert.equal(changeDiff('svc', 'a\n', 'b\n'), '--- a/svc\n+++ b/svc\n@@ -1,1 +1,1 @@\n-a\n+b');
  assert.equal(unifiedDiff({ label: 'deployed/c', text: 'a\n' }, { label: 'computed/c', text: 'b\n' }).split('\n')[0], '--- deployed/c');
});
