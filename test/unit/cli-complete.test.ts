// Completion and parsing cannot disagree: for every command's declaration, each flag and each
// TARGET form the parser accepts is offered, and everything offered parses. Pure (no cluster).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUILTINS, COMMANDS, DECLARATIONS, enable } from '../../src/cli/commands.ts';
import { complete, Directive, finish } from '../../src/cli/complete.ts';
import { flagsOf, parseCommand, type Declaration, type Flags } from '../../src/cli/spec.ts';
import { typeWords } from '../../src/cli/targets.ts';

const values = (words: string[]) => complete(words).candidates.map((c) => c.value);

/** Does `words` parse for the command (as far as flags and TARGETs go)? Required flags are added with a value of their own. */
function parses(declaration: Declaration<Flags>, words: string[]): boolean {
  const flags = flagsOf(declaration.flags);
  const required = (declaration.requires ?? [])
    .filter((name) => !words.some((w) => w === `--${name}` || w.startsWith(`--${name}=`)))
    .map((name) => `--${name}=${flags.get(name)?.values?.[0] ?? flags.get(name)?.suggest?.[0] ?? 'x'}`);
  try {
    parseCommand(declaration, [...required, ...words]);
    return true;
  } catch {
    return false;
  }
}

test('commands: the declared ones, in order', () => {
  assert.deepEqual(
    values(['']),
    DECLARATIONS.map((d) => d.name),
  );
  assert.deepEqual(values(['en']), ['enable']);
  assert.equal(COMMANDS.length + Object.keys(BUILTINS).length, DECLARATIONS.length);
});

test('every flag the parser accepts is offered, and only those', () => {
  for (const declaration of DECLARATIONS) {
    const accepted = [...flagsOf(declaration.flags)].filter(([, flag]) => !flag.hidden);
    const longs = accepted.map(([name]) => `--${name}`).sort();
    assert.deepEqual(values([declaration.name, '--']).sort(), longs, declaration.name);
    const shorts = accepted.flatMap(([, flag]) => (flag.short ? [`-${flag.short}`] : [])).sort();
    assert.deepEqual(
      values([declaration.name, '-'])
        .filter((v) => !v.startsWith('--'))
        .sort(),
      shorts,
      declaration.name,
    );
    for (const [name, flag] of accepted) {
      // Offered means parsed: the flag with a value of its own kind.
      const sample =
        flag.kind === 'bool'
          ? [`--${name}`]
          : [
              `--${name}=${flag.values?.[0] ?? flag.suggest?.[0] ?? (flag.kind === 'int' ? '1' : name === 'request-timeout' ? '5s' : name === 'selector' ? 'a=b' : 'x')}`,
            ];
      const fixed = declaration.positionals.words?.[0];
      const targets = declaration.positionals.min > 0 ? [fixed ?? `${typeWords(declaration.positionals.kinds[0] ?? 'ingress')[0]}/web`] : [];
      assert.ok(parses(declaration, [...targets, ...sample]), `${declaration.name} ${sample.join(' ')}`);
      // Fixed values: offered exactly.
      if (flag.values)
        assert.deepEqual(
          values([declaration.name, `--${name}=`]),
          flag.values.map((v) => `--${name}=${v}`),
        );
    }
  }
  // Flags of the sibling command are neither offered nor parsed.
  assert.ok(!values(['enable', '--']).includes('--purge'));
  assert.ok(!values(['disable', '--']).includes('--cookie-hash'));
});

test('every TARGET type word the parser accepts is offered, and everything offered parses', () => {
  const allWords = [...typeWords('service'), ...typeWords('ingress')];
  for (const declaration of DECLARATIONS) {
    const fixed = declaration.positionals.words;
    if (fixed) {
      // Fixed words instead of TARGETs: offered exactly, each parses, no TARGET does.
      assert.deepEqual(values([declaration.name, '']), [...fixed], declaration.name);
      for (const word of fixed) assert.ok(parses(declaration, [word]), `${declaration.name} ${word}`);
      assert.ok(!parses(declaration, ['svc/web']), `${declaration.name} svc/web`);
      continue;
    }
    const accepted = declaration.positionals.kinds.flatMap(typeWords);
    for (const word of allWords) {
      const offered = values([declaration.name, word]).includes(`${word}/`);
      const parsed = parses(declaration, [`${word}/web`]);
      assert.equal(offered, parsed, `${declaration.name} ${word}/: offered ${offered}, parsed ${parsed}`);
      assert.equal(parsed, accepted.includes(word), `${declaration.name} ${word}/`);
    }
    for (const candidate of values([declaration.name, ''])) assert.ok(parses(declaration, [`${candidate}web`]), `${declaration.name} ${candidate}`);
    for (let i = 1; i <= 3; i++) {
      for (const candidate of values([declaration.name, 'ingress'.slice(0, i)]))
        assert.ok(parses(declaration, [`${candidate}web`]), `${declaration.name} ${candidate}`);
    }
  }
  assert.deepEqual(values(['render', '']), ['ingress/']);
  assert.deepEqual(values(['render', 's']), []);
  assert.deepEqual(values(['status', '']), ['svc/', 'ingress/']);
  assert.deepEqual(values(['status', 'ing.v']), ['ing.voyager.appscode.com/']);
  assert.equal(complete(['render', 'svc/']).lookup, undefined, 'render looks up no Services');
  assert.equal(complete(['render', 'ing.voyager.appscode.com/w']).lookup?.flavor, 'voyager');
  // render takes one TARGET: after it, nothing more.
  assert.deepEqual(values(['render', 'ingress/web', '']), []);
});

test("kubectl's TYPE NAME... form: after a type word, that type's names, without a prefix", () => {
  const names = complete(['status', 'svc', 'web', 'c']);
  assert.equal(names.lookup?.kind, 'services');
  assert.deepEqual(
    finish(names, ['cart', 'catalog', 'web']).map((c) => c.value),
    ['cart', 'catalog'],
  );
  assert.equal(complete(['render', 'ing.voyager.appscode.com', '']).lookup?.flavor, 'voyager');
  // render takes one: after `ingress web`, nothing; a slash would mix the forms; render takes no Service.
  assert.deepEqual(complete(['render', 'ingress', 'web', '']), { candidates: [], directive: Directive.NoFileComp });
  assert.equal(complete(['status', 'svc', 'svc/']).lookup, undefined);
  assert.equal(complete(['render', 'svc', '']).lookup, undefined);
  // What it offers parses.
  assert.ok(parses(enable.declaration, ['service', 'cart', 'catalog']));
});

test("values and live lookups, with the parser's grammar for the words before", () => {
  assert.deepEqual(values(['status', '-o', '']), [
    'wide',
    'json',
    'yaml',
    'name',
    'jsonpath=',
    'jsonpath-as-json=',
    'jsonpath-file=',
    'custom-columns=',
    'custom-columns-file=',
  ]);
  assert.deepEqual(values(['status', '--output=j']), ['--output=json', '--output=jsonpath=', '--output=jsonpath-as-json=', '--output=jsonpath-file=']);
  assert.deepEqual(values(['enable', '--dry-run=s']), ['--dry-run=server']);
  assert.deepEqual(values(['enable', '--cookie-hash', '']), ['md5', 'sha', 'index']);
  assert.equal(complete(['status', '-f', '']).directive, Directive.Default, 'files for -f');
  assert.equal(complete(['status', '']).directive, Directive.NoSpace | Directive.NoFileComp);

  const svc = complete(['status', '-nteam-a', '--context=c1', 'svc/s']);
  assert.equal(svc.lookup?.kind, 'services');
  assert.deepEqual(svc.lookup?.flags, { 'all-namespaces': false, namespace: 'team-a', context: 'c1' });
  assert.deepEqual(
    finish(svc, ['s2', 's1', 'web', 's1']).map((c) => c.value),
    ['svc/s1', 'svc/s2'],
  );
  const grouped = complete(['status', '-An', 'x', 'ingress/']);
  assert.equal(grouped.lookup?.kind, 'ingresses');
  assert.deepEqual(grouped.lookup?.flags, { 'all-namespaces': true, namespace: 'x' });
  assert.equal(complete(['status', '-n', '']).lookup?.kind, 'namespaces');
  assert.equal(complete(['status', '--context', '']).lookup?.kind, 'contexts');
  // With -f, names would come from files: no live lookup.
  assert.equal(complete(['status', '-f', 'x.yaml', 'svc/']).lookup, undefined);
  // `-v 6` is a flag and its value, not a command named 6.
  assert.deepEqual(values(['-v', '6', 'st']), ['status']);
  // kubectl's global flags before the command's name: their values, and the lookups after it.
  assert.deepEqual(values(['-n', 'x', '--context', 'c1', 'st']), ['status']);
  assert.equal(complete(['-n', '']).lookup?.kind, 'namespaces');
  assert.deepEqual(complete(['-n', 'x', 'status', '--context=c1', 'svc/']).lookup?.flags, { 'all-namespaces': false, namespace: 'x', context: 'c1' });
  assert.deepEqual(values(['help', 'st']), ['status']);
});
