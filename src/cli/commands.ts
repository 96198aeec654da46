// The commands, each one declaration: what it takes (flags, TARGETs), how it is shown (summary,
// examples) and what runs. The run code is loaded when the command runs, so --help and completion
// stay light. To add a flag: add it here (or to a shared group in flags.ts) and use the typed
// option in the command's file; help, parsing, validation and completion follow.

import { TARGETS } from '../core/convert-targets.ts';
import type { CookieHash } from '../core/semantics.ts';
import { UserError } from '../errors.ts';
import { parseAddress } from '../probe/address.ts';
import { CLUSTER_FLAGS, outputFlag, printerFlag, SELECTOR_FLAG, SEMANTICS_FLAGS, SOURCE_FLAGS } from './flags.ts';
import type { Context } from './io.ts';
import { bool, choice, list, parseCommand, string, value, type Declaration, type Flags, type Options } from './spec.ts';

/** A declaration with its run. */
export interface Command<F extends Flags = Flags> {
  declaration: Declaration<F>;
  /** Parses the words after the command's name: null when --help was asked for, else the run. */
  prepare(words: readonly string[]): ((ctx: Context) => Promise<number>) | null;
}

function command<F extends Flags>(declaration: Declaration<F>, run: (options: Options<F>, ctx: Context) => Promise<number>): Command<F> {
  return {
    declaration,
    prepare: (words) => {
      const { options } = parseCommand(declaration, words);
      return options.help ? null : (ctx) => run(options, ctx);
    },
  };
}

const ANY_TARGET = { usage: '[ingress/NAME | svc/NAME ...]', kinds: ['service', 'ingress'], min: 0, max: Infinity, missing: '' } as const;
const DEPLOYED = bool({ describe: 'Compare with the deployed haproxy.cfg (DEPLOYED column, "deployed" in JSON); on with -o wide' });

export const STATUS_FLAGS = {
  ...SOURCE_FLAGS,
  output: printerFlag(['wide', 'json', 'yaml', 'name']),
  'sort-by': string({
    describe: "Sort the backends by this JSONPath over each item of the StickyStatus document (kubectl's --sort-by), e.g. '{.service.name}'",
  }),
  selector: SELECTOR_FLAG,
  'no-headers': bool({ describe: 'Print no column headers' }),
  deployed: DEPLOYED,
  watch: bool({ short: 'w', describe: 'After listing the backends, watch for changes: print each backend whose row changed (kubectl get --watch)' }),
  'watch-only': bool({ describe: 'Watch for changes without listing first' }),
  'output-watch-events': bool({ describe: 'With --watch or --watch-only: an EVENT column (ADDED, MODIFIED, DELETED), in JSON {"type", "object"} documents' }),
} satisfies Flags;
export type StatusOptions = Options<typeof STATUS_FLAGS>;

export const status = command(
  {
    name: 'status',
    summary: 'Show the effective sticky state of every backend, why, and what looks wrong',
    positionals: ANY_TARGET,
    flags: STATUS_FLAGS,
    examples: [
      { command: 'status -A', describe: 'every backend in every namespace' },
      { command: 'status svc/web -o wide', describe: 'the backends that point at Service web, with the deployed HAProxy config' },
      { command: 'status ingress shop checkout', describe: 'the backends of Ingresses shop and checkout' },
      { command: 'status -f k8s/', describe: 'judge manifest files (folders are read recursively), no cluster needed' },
      { command: 'status -w -n shop', describe: 'list, then print every backend whose state changes, until Ctrl-C' },
    ],
  },
  async (options, ctx) => (await import('./status.ts')).runStatus(options, ctx),
);

const RENDER_FLAGS = {
  ...SOURCE_FLAGS,
  deployed: bool({ describe: 'Diff the sticky lines of ConfigMap voyager-NAME (haproxy.cfg) against the computed ones; exit 0 same, 1 different, 2 error' }),
} satisfies Flags;
export type RenderOptions = Options<typeof RENDER_FLAGS>;

export const render = command(
  {
    name: 'render',
    summary: 'Print the HAProxy backend sections Voyager writes for an Ingress; --deployed diffs them with the running config',
    positionals: { usage: 'ingress/NAME', kinds: ['ingress'], min: 1, max: 1, missing: 'an Ingress is required: kubectl sticky render ingress/NAME' },
    flags: RENDER_FLAGS,
    examples: [{ command: 'render ingress/web --deployed', describe: 'does HAProxy run what the annotations say?' }],
    failsWith: { flag: 'deployed', code: 2 },
  },
  async (options, ctx) => (await import('./render.ts')).runRender(options, ctx),
);

const CHANGE_FLAGS = {
  ...CLUSTER_FLAGS,
  ...SEMANTICS_FLAGS,
  'dry-run': choice(['none', 'client', 'server'], {
    default: 'none',
    bare: 'client',
    describe: 'none, client or server; a bare --dry-run means client. Prints the object and HAProxy config diffs',
    invalid: (value) => `Invalid dry-run value (${value}). Must be "none", "server", or "client".`,
  }),
  overwrite: bool({ describe: 'Replace an annotation that already has a different value' }),
  'resource-version': string({ describe: 'Write only if the object still has this resourceVersion (one target only)' }),
  'field-manager': string({ default: 'kubectl-sticky', describe: 'Name of the manager that owns the written fields' }),
  output: outputFlag(['name', 'json', 'yaml']),
  filename: list({ short: 'f', describe: 'Change the objects in these files instead of the cluster (with --local or --in-place)', complete: 'files' }),
  local: bool({ describe: 'With -f: print the edited objects, write nothing' }),
  'in-place': bool({ describe: 'With -f: rewrite the files, changing only annotation lines' }),
} satisfies Flags;

/** What enable and disable share, as the one change flow (src/cli/mutate.ts) reads it. */
export type ChangeOptions = Options<typeof CHANGE_FLAGS> & {
  action: 'enable' | 'disable';
  purge: boolean;
  'cookie-name': string | undefined;
  'cookie-hash': CookieHash | undefined;
};

const CHANGE_TARGETS = (action: string) =>
  ({
    ...ANY_TARGET,
    usage: 'TARGET...',
    min: 1,
    missing: `you must specify one or more resources as svc/NAME or ingress/NAME (kubectl sticky ${action} svc/s1)`,
  }) as const;

const COOKIE_HASHES = ['md5', 'sha', 'index'] as const satisfies readonly CookieHash[];

const ENABLE_FLAGS = {
  ...CHANGE_FLAGS,
  'cookie-name': string({ describe: 'Cookie name (where the Voyager version reads it from this object)' }),
  'cookie-hash': choice(COOKIE_HASHES, {
    describe: 'Cookie value hash: md5, sha (SHA-512) or index',
    invalid: (value) => `invalid --cookie-hash "${value}": use md5, sha (SHA-512) or index`,
  }),
} satisfies Flags;

const DISABLE_FLAGS = {
  ...CHANGE_FLAGS,
  purge: bool({ describe: 'Also remove the cookie name and hash annotations' }),
} satisfies Flags;

export const enable = command(
  {
    name: 'enable',
    summary: 'Make backends sticky: write the annotation the Voyager version reads',
    positionals: CHANGE_TARGETS('enable'),
    flags: ENABLE_FLAGS,
    examples: [
      { command: 'enable svc/web --dry-run', describe: 'show what would change, in the object and in HAProxy' },
      { command: 'enable svc web api --cookie-name SRV', describe: 'make Services web and api sticky, with cookie SRV' },
    ],
  },
  async (options, ctx) => (await import('./mutate.ts')).runMutate({ ...options, action: 'enable', purge: false }, ctx),
);

export const disable = command(
  {
    name: 'disable',
    summary: 'Stop stickiness: remove every annotation that turns it on in any Voyager version',
    positionals: CHANGE_TARGETS('disable'),
    flags: DISABLE_FLAGS,
    examples: [{ command: 'disable svc/web --purge', describe: 'stop stickiness and also drop the cookie name and hash' }],
  },
  async (options, ctx) => (await import('./mutate.ts')).runMutate({ ...options, action: 'disable', 'cookie-name': undefined, 'cookie-hash': undefined }, ctx),
);

const TO = string({
  describe: 'The Voyager version to compare with or migrate to (5.0.0, v12.0.0, v2021.09.15)',
  suggest: ['5.0.0', '6.0.0', '9.0.0', 'v12.0.0', 'v2021.09.15'],
});

export const UPGRADE_CHECK_FLAGS = {
  ...SOURCE_FLAGS,
  to: TO,
  output: printerFlag(['json', 'yaml']),
  'no-headers': bool({ describe: 'Print no column headers' }),
} satisfies Flags;
export type UpgradeCheckOptions = Options<typeof UPGRADE_CHECK_FLAGS>;

export const upgradeCheck = command(
  {
    name: 'upgrade-check',
    summary: 'List the backends whose sticky state changes when the operator moves to --to VERSION (exit 1 when any does)',
    positionals: ANY_TARGET,
    flags: UPGRADE_CHECK_FLAGS,
    examples: [{ command: 'upgrade-check --to v12.0.0 -A', describe: 'what an upgrade from the running operator to v12.0.0 changes' }],
    errorCode: 2,
    requires: ['to'],
  },
  async (options, ctx) => (await import('./upgrade.ts')).runUpgradeCheck(options, ctx),
);

export const MIGRATE_FLAGS = {
  ...SOURCE_FLAGS,
  to: TO,
  prune: bool({ describe: 'After the upgrade: remove the sticky keys neither version reads' }),
  force: bool({ describe: 'Also change objects of backends that cannot stay the same' }),
  local: bool({ describe: 'With -f: print the edited objects, write nothing' }),
  'in-place': bool({ describe: 'With -f: rewrite the files, changing only annotation lines' }),
  'dry-run': CHANGE_FLAGS['dry-run'],
  'field-manager': CHANGE_FLAGS['field-manager'],
  output: outputFlag(['name', 'json', 'yaml']),
} satisfies Flags;
export type MigrateOptions = Options<typeof MIGRATE_FLAGS>;

export const migrate = command(
  {
    name: 'migrate',
    summary: 'Add the annotations --to VERSION reads so every backend stays as it is across the upgrade',
    positionals: ANY_TARGET,
    flags: MIGRATE_FLAGS,
    examples: [
      { command: 'migrate --to v12.0.0 -A --dry-run', describe: 'show the keys an upgrade to v12.0.0 needs' },
      { command: 'migrate --to v12.0.0 -f k8s/ --in-place', describe: 'the same in manifest files, only annotation lines change' },
    ],
    requires: ['to'],
  },
  async (options, ctx) => (await import('./upgrade.ts')).runMigrate(options, ctx),
);

const MAX_REQUESTS = 1000;

export const PROBE_FLAGS = {
  ...SOURCE_FLAGS,
  host: string({ describe: "Probe only the rules of this host (the Ingress's spec.rules[].host)" }),
  path: string({ describe: 'Probe only the rules of this path' }),
  address: value(
    { describe: 'Send the requests to HOST:PORT (default: the LoadBalancer address or a node port of Service voyager-NAME)', suggest: ['127.0.0.1:8080'] },
    (text) => {
      if (text === undefined) return undefined;
      const address = parseAddress(text);
      if (typeof address === 'string') throw new UserError(address);
      return address;
    },
  ),
  requests: {
    ...value({ describe: `Requests per backend without a cookie, then as many with it (1 to ${MAX_REQUESTS}; default 10)` }, (text) => {
      if (text === undefined) return 10;
      const count = /^\d+$/.test(text) ? Number(text) : Number.NaN;
      if (!(count >= 1 && count <= MAX_REQUESTS)) throw new UserError(`invalid --requests "${text}": use a number from 1 to ${MAX_REQUESTS}`);
      return count;
    }),
    kind: 'int',
  },
  'server-header': string({ describe: 'A response header that names the server (for source-IP backends, which set no cookie)' }),
  output: outputFlag(['json', 'yaml']),
} satisfies Flags;
export type ProbeOptions = Options<typeof PROBE_FLAGS>;

export const probe = command(
  {
    name: 'probe',
    summary: 'Check stickiness on the wire: send requests through the Ingress and compare with what status predicts (exit 1 when they disagree)',
    positionals: { usage: 'ingress/NAME', kinds: ['ingress'], min: 1, max: 1, missing: 'an Ingress is required: kubectl sticky probe ingress/NAME' },
    flags: PROBE_FLAGS,
    examples: [
      { command: 'probe ingress/shop -n shop', describe: 'through the LoadBalancer (or a node port) of Service voyager-shop' },
      { command: 'probe ingress/shop --address 127.0.0.1:8080 --host cart.shop.example', describe: 'after kubectl port-forward svc/voyager-shop 8080:80' },
    ],
    errorCode: 2,
  },
  async (options, ctx) => (await import('./probe.ts')).runProbe(options, ctx),
);

export const CONVERT_FLAGS = {
  ...SOURCE_FLAGS,
  to: choice(TARGETS, {
    describe:
      'The controller to move to: gateway-api (Gateway and HTTPRoutes), envoy-gateway (the same and BackendTrafficPolicies), haproxy-ingress (networking.k8s.io/v1 Ingresses)',
  }),
  'gateway-class': string({ default: 'eg', describe: 'spec.gatewayClassName of the Gateways written (gateway-api, envoy-gateway)' }),
  gateway: string({ describe: 'Attach the routes to this existing Gateway (NAME or NAMESPACE/NAME) instead of writing one Gateway per Ingress' }),
  'ingress-class-name': string({ default: 'haproxy', describe: 'spec.ingressClassName of the Ingresses written (haproxy-ingress)' }),
  strict: bool({ describe: 'Fail (exit 1, nothing on stdout) when anything cannot be carried over' }),
  selector: SELECTOR_FLAG,
  output: outputFlag(['yaml', 'json']),
} satisfies Flags;
export type ConvertOptions = Options<typeof CONVERT_FLAGS>;

export const convert = command(
  {
    name: 'convert',
    summary: 'Print Voyager Ingresses as Gateway API, Envoy Gateway or haproxytech objects, with the stickiness Voyager really applies',
    positionals: { usage: '[ingress/NAME ...]', kinds: ['ingress'], min: 0, max: Infinity, missing: '' },
    flags: CONVERT_FLAGS,
    examples: [
      {
        command: 'convert --to gateway-api -f k8s/',
        describe: 'a Gateway and HTTPRoutes per Ingress, sticky where Voyager is',
      },
      {
        command: 'convert --to envoy-gateway -A --strict',
        describe: 'every Ingress, or exit 1 when anything cannot be carried over',
      },
    ],
    requires: ['to'],
  },
  async (options, ctx) => (await import('./convert.ts')).runConvert(options, ctx),
);

export const completion = command(
  {
    name: 'completion',
    summary: 'Make `kubectl sticky <TAB>` complete: install (or uninstall) kubectl_complete-sticky beside this plugin',
    positionals: {
      usage: 'install|uninstall',
      kinds: [],
      words: ['install', 'uninstall'],
      min: 1,
      max: 1,
      missing: 'an action is required: kubectl sticky completion install|uninstall',
    },
    flags: {},
    examples: [{ command: 'completion install', describe: 'after `kubectl krew install sticky`' }],
  },
  async (options, ctx) => (await import('./completion-install.ts')).runCompletionCommand(options.words[0] ?? '', ctx.io),
);

/** Every command, in the order help and completion list them. */
export const COMMANDS: readonly Command[] = [status, render, enable, disable, upgradeCheck, migrate, probe, convert, completion];

const NAMES = [...COMMANDS.map((c) => c.declaration.name), 'help', 'options', 'version'];

/** Commands about the plugin itself, which main() answers (it holds the help texts and the version). */
export const BUILTINS = {
  help: {
    name: 'help',
    summary: 'Help about any command',
    positionals: {
      usage: '[COMMAND]',
      kinds: [],
      words: NAMES,
      min: 0,
      max: 1,
      missing: '',
      unknown: (word: string) => `unknown command "${word}" for "kubectl sticky"`,
    },
    flags: {},
    examples: [{ command: 'help status', describe: 'the same as kubectl sticky status --help' }],
  },
  options: {
    name: 'options',
    summary: 'Print the list of flags inherited by all commands',
    positionals: { usage: '', kinds: [], min: 0, max: 0, missing: '' },
    flags: {},
    examples: [],
  },
  version: {
    name: 'version',
    summary: "Print the plugin's version",
    positionals: { usage: '', kinds: [], min: 0, max: 0, missing: '' },
    flags: {},
    examples: [],
  },
} as const satisfies Record<string, Declaration<Flags>>;

/** Listed apart from the commands that work on backends, as kubectl's "Other Commands". */
export const OTHER_COMMANDS: readonly string[] = ['completion', ...Object.keys(BUILTINS)];

/** The declarations alone (help, completion, tests). */
export const DECLARATIONS: readonly Declaration<Flags>[] = [...COMMANDS.map((c) => c.declaration), ...Object.values(BUILTINS)];
