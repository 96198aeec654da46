// --help in kubectl's layout, the help, options and version commands, and kubectl's global flags
// before the command's name. In process, through main(), as a user's command line runs.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DECLARATIONS, OTHER_COMMANDS } from '../../src/cli/commands.ts';
import { CLUSTER_FLAGS, TEMPLATE_PRINTERS } from '../../src/cli/flags.ts';
import { helpText } from '../../src/cli/help.ts';
import { runSticky } from '../support/inprocess.ts';

const help = async (...words: string[]) => {
  const ran = await runSticky(words);
  assert.equal(ran.code, 0, ran.stderr);
  assert.equal(ran.stderr, '');
  return ran.stdout;
};

/** The section headings of a help text, in order. */
const headings = (text: string) => text.split('\n').filter((l) => /^[A-Z][\w ]*:$/.test(l));

test("a command's --help: description, Examples, its own Options, Usage, the pointer to options; no yargs tags", async () => {
  const text = await help('status', '--help');
  assert.deepEqual(headings(text), ['Examples:', 'Options:', 'Usage:']);
  assert.match(text, /^Show the effective sticky state of every backend, why, and what looks wrong\.\n/);
  assert.doesNotMatch(text, /\[(string|boolean|array|number|required)\]|\[default:|\[choices:|Positionals:/);
  // kubectl's flag lines: names, the default after =, the text on the next line after a tab.
  assert.match(text, /^ {4}-o, --output='':\n\tOutput format: wide, json, yaml, name, or jsonpath=\.\.\./m);
  assert.match(text, /^ {4}-A, --all-namespaces=false:\n\tList across all namespaces\n\n/m);
  assert.match(text, /^ {4}-f, --filename=\[\]:\n/m);
  assert.match(text, /^ {4}--voyager-version='':\n/m);
  // The connection flags are `kubectl sticky options`'s, as kubectl's are `kubectl options`'.
  for (const name of Object.keys(CLUSTER_FLAGS)) assert.doesNotMatch(text, new RegExp(`--${name}=`), name);
  assert.match(text, /\nUse "kubectl sticky options" for a list of global command-line options \(applies to all commands\)\.\n$/);
  // Options sorted as kubectl sorts them, -A before -o.
  assert.ok(text.indexOf('--all-namespaces=') < text.indexOf('--output='));
  // The TARGET forms, and the usage line with the real positional form and the -o formats listed once.
  for (const form of ['svc/NAME', 'service/NAME', 'ingress/NAME', 'ingress.voyager.appscode.com/NAME', 'ingress.networking.k8s.io/NAME', 'svc NAME...'])
    assert.ok(text.includes(form), form);
  assert.ok(
    text.includes(
      `\nUsage:\n  kubectl sticky status [(-o|--output=)wide|json|yaml|name|${TEMPLATE_PRINTERS.map((p) => `${p}=...`).join('|')}] [(TYPE/NAME... | TYPE NAME...)] [options]\n`,
    ),
  );
  // kubectl's layout takes three lines a flag (kubectl get --help is over 100 lines).
  assert.ok(text.split('\n').length < 90, `${text.split('\n').length} lines`);
});

test('usage lines say what each command really takes; --to is marked required', async () => {
  assert.match(await help('completion', '--help'), /\nUsage:\n {2}kubectl sticky completion install\|uninstall \[options\]\n/);
  assert.match(
    await help('enable', '-h'),
    /\n {2}kubectl sticky enable \[\(-o\|--output=\)name\|json\|yaml\] \(TYPE\/NAME\.\.\. \| TYPE NAME\.\.\.\) \[options\]\n/,
  );
  assert.match(await help('render', '-h'), /\n {2}kubectl sticky render \(ingress\/NAME \| ingress NAME\) \[options\]\n/);
  const upgrade = await help('upgrade-check', '--help');
  assert.match(upgrade, /\n {2}kubectl sticky upgrade-check .* --to=VERSION \[\(TYPE\/NAME\.\.\. \| TYPE NAME\.\.\.\)\] \[options\]\n/);
  assert.match(upgrade, /^ {4}--to='':\n\t.*Required\.$/m);
  assert.match(await help('migrate', '--help'), /--to=VERSION/);
  assert.match(await help('enable', '--help'), /^ {4}--field-manager='kubectl-sticky':$/m);
});

test('examples work after a krew install: kubectl sticky COMMAND, no path of this repository', async () => {
  for (const d of DECLARATIONS) {
    const text = await help(d.name, '--help');
    assert.doesNotMatch(text, /examples\/|test\//, d.name);
    const commands = text.split('\n').filter((l) => /^ {2}kubectl sticky /.test(l) && !l.includes('[options]'));
    assert.equal(commands.length, d.examples.length, d.name);
    for (const line of commands) assert.ok(line.startsWith(`  kubectl sticky ${d.name}`), line);
  }
});

test('the plugin help lists the commands, the others apart, and the pointers', async () => {
  const text = await help('--help');
  assert.deepEqual(headings(text), ['Commands:', 'Other Commands:', 'Usage:']);
  for (const d of DECLARATIONS) assert.match(text, new RegExp(`^ {2}${d.name} +\\S`, 'm'), d.name);
  assert.match(text, /Use "kubectl sticky <command> --help" for more information about a given command\.\n/);
});

test('kubectl sticky help [COMMAND] is --help; version prints the version; options lists the shared flags', async () => {
  assert.equal(await help('help', 'status'), await help('status', '--help'));
  assert.equal(await help('help'), await help('--help'));
  assert.equal(await help('version'), '0.0.0-test\n');
  const options = await help('options');
  for (const name of Object.keys(CLUSTER_FLAGS)) assert.match(options, new RegExp(`^ {4}(-\\w, )?--${name}=`, 'm'), name);
  assert.match(options, /^ {4}-v, --v=0:$/m);
  assert.match(options, /^ {4}-n, --namespace='':\n\tThe namespace scope for this request\n/m);
  assert.match(options, /^The following options can be passed to status, render, enable, disable, upgrade-check, migrate,\s+probe and convert/);
  const unknown = await runSticky(['help', 'stauts']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /^error: unknown command "stauts" for "kubectl sticky"\n/);
  const extra = await runSticky(['version', 'now']);
  assert.equal(extra.code, 1);
  assert.match(extra.stderr, /^error: version takes no arguments, got: now\n/);
});

test('global flags before the command name, as kubectl -n NS get', async () => {
  const after = await runSticky(['status', '-n', 'default', '-f', 'examples/seed/', '-o', 'json', '--voyager-version', 'v12.0.0']);
  assert.equal(after.code, 0, after.stderr);
  const before = await runSticky(['-n', 'default', '--voyager-version=v12.0.0', 'status', '-f', 'examples/seed/', '-o', 'json']);
  assert.deepEqual(before, after);
  // The flag before the name is really read: another version, another answer.
  const other = await runSticky(['--voyager-version', '3.2.0', 'status', '-f', 'examples/seed/', '-o', 'json']);
  assert.equal(other.code, 0, other.stderr);
  assert.equal(JSON.parse(other.stdout).semantics.profile, '3.2');
  assert.equal(JSON.parse(after.stdout).semantics.profile, '9.0');
  // A flag no command shares is still refused before the name, in pflag's words.
  const bad = await runSticky(['-A', 'status']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^error: unknown shorthand flag: 'A' in -A\n/);
});

test('global flags before a command that has no use for them are accepted and ignored, as kubectl -n x version', async () => {
  const version = await runSticky(['version']);
  assert.equal(version.code, 0);
  for (const words of [
    ['-n', 'x', 'version'],
    ['--context=y', '-v=6', 'version'],
    ['--voyager-version', '9.0.0', 'version'],
  ])
    assert.deepEqual(await runSticky(words), version, words.join(' '));
  const help = await runSticky(['help', 'status']);
  assert.deepEqual(await runSticky(['-n', 'x', 'help', 'status']), help);
  assert.deepEqual(await runSticky(['-n', 'x', '--help', 'completion']), await runSticky(['completion', '--help']));
});

test("help is laid out to the terminal's width, but for kubectl's fixed lines", () => {
  // Fixed as in kubectl: the usage line, the pointers, the rows of the TARGET table.
  const fixed = (line: string) => line.startsWith('  kubectl sticky') || line.startsWith('Use "') || line.startsWith('   ');
  for (const width of [80, 100, 110])
    for (const d of [null, ...DECLARATIONS])
      for (const line of helpText(DECLARATIONS, d, OTHER_COMMANDS, width).split('\n'))
        if (!fixed(line)) assert.ok(line.replace('\t', '        ').length <= width, `${width} ${d?.name}: ${line}`);
});
