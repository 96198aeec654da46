// `status -A --watch` at cluster scale (issue 24): the time to its first listing, the time from a
// `kubectl annotate` of one Service to its changed row printed, and the watch's RSS after a soak
// of steady changes (one a second) against its RSS after the first listing. The changes toggle
// a sticky annotation on Services no other annotation makes sticky, and leave them as they were.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { apiFrom, type Api } from './http.ts';
import { median } from './measure.ts';

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
// The key Voyager 3.2 reads on a Service (the plane has no operator Deployment: status assumes 3.2).
const KEY = 'ingress.appscode.com/sticky-session';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Services of the generator without annotations (bench/generate.ts: varieties 10 and 13), each
 * the backend of one Ingress (ing-001, ing-006, ing-009) that is not sticky as a whole and whose
 * haproxy.cfg is written (no missing Service): an annotation changes their row's STICKY.
 */
const CHANGED = [
  ['bench-07', 'svc-010'],
  ['bench-12', 'svc-013'],
  ['bench-23', 'svc-066'],
  ['bench-31', 'svc-069'],
  ['bench-44', 'svc-094'],
] as const;

export interface WatchResult {
  /** Spawn to the last row of the first listing. */
  firstListingMs: number;
  rows: number;
  rssAfterListingKb: number;
  /** From the start of each `kubectl annotate` to the changed row printed, and from its exit. */
  fromStartMs: number[];
  fromExitMs: number[];
  soakSeconds: number;
  soakChanges: number;
  rssAfterSoakKb: number;
  peakKb: number;
}

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no ${field} for pid ${pid}`);
  return Number(m[1]);
}

/** Lines of a child's stdout, with when each arrived, and waiters for a line that matches. */
class Lines {
  count = 0;
  private pending = '';
  private waiters: { test: (line: string) => boolean; resolve: (at: number) => void }[] = [];
  constructor(child: ChildProcess) {
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      const at = performance.now();
      this.pending += chunk;
      let nl = this.pending.indexOf('\n');
      while (nl >= 0) {
        const line = this.pending.slice(0, nl);
        this.pending = this.pending.slice(nl + 1);
        this.count++;
        const met = this.waiters.filter((w) => w.test(line));
        this.waiters = this.waiters.filter((w) => !met.includes(w));
        for (const w of met) w.resolve(at);
        nl = this.pending.indexOf('\n');
      }
    });
  }
  next(test: (line: string) => boolean, timeoutMs: number, what: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`status --watch printed no ${what} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        test,
        resolve: (at) => {
          clearTimeout(timer);
          resolve(at);
        },
      });
    });
  }
}

function kubectl(args: string[], kubeconfig: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', args, { env: { ...process.env, KUBECONFIG: kubeconfig }, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(performance.now()) : reject(new Error(`kubectl ${args.join(' ')}: exit ${code}: ${err}`))));
  });
}

/** Toggles the annotation on the Services, by kubectl annotate or a merge patch; `restore` leaves them as seeded. */
class Changer {
  private readonly state = new Map<string, boolean>();
  private readonly api: Api;
  private readonly kubeconfig: string;
  constructor(kubeconfig: string) {
    this.kubeconfig = kubeconfig;
    this.api = apiFrom(kubeconfig, 2);
  }
  /** When the change was made (kubectl exited, or the patch was answered). */
  async toggle(ns: string, name: string, via: 'kubectl' | 'api'): Promise<number> {
    const on = !this.state.get(`${ns}/${name}`);
    this.state.set(`${ns}/${name}`, on);
    if (via === 'kubectl') return kubectl(['annotate', `svc/${name}`, '-n', ns, on ? `${KEY}=true` : `${KEY}-`, '--overwrite'], this.kubeconfig);
    const patch = { metadata: { annotations: { [KEY]: on ? 'true' : null } } };
    const r = await this.api.call('PATCH', `/api/v1/namespaces/${ns}/services/${name}`, patch, 'application/merge-patch+json');
    if (r.status !== 200) throw new Error(`PATCH service ${ns}/${name}: HTTP ${r.status} ${r.text.slice(0, 200)}`);
    return performance.now();
  }
  async restore(): Promise<void> {
    for (const [key, on] of this.state) {
      const [ns = '', name = ''] = key.split('/');
      if (on) await this.toggle(ns, name, 'api');
    }
  }
  close(): void {
    this.api.close();
  }
}

/** When the header and `rows` rows were out. */
function firstListing(lines: Lines, rows: number, exited: Promise<unknown>, stderr: () => string): Promise<number> {
  return Promise.race([
    new Promise<number>((resolve, reject) => {
      const check = setInterval(() => {
        if (lines.count >= rows + 1) {
          clearInterval(check);
          resolve(performance.now());
        }
      }, 2);
      exited.then(() => {
        clearInterval(check);
        reject(new Error(`status --watch exited before its first listing: ${stderr().slice(-1000)}`));
      });
    }),
    sleep(120_000).then(() => Promise.reject(new Error(`status --watch: ${lines.count} of ${rows + 1} lines after 120 s`))),
  ]);
}

/** `changes` annotates of one Service, each to its row printed: from the annotate's start, and from its exit. */
async function latencies(lines: Lines, changer: Changer, changes: number): Promise<{ fromStartMs: number[]; fromExitMs: number[] }> {
  const fromStartMs: number[] = [];
  const fromExitMs: number[] = [];
  const [ns, name] = CHANGED[0];
  for (let i = 0; i < changes; i++) {
    // The changed row names the Service (SERVICE column) and its namespace.
    const printed = lines.next((line) => line.startsWith(`${ns} `) && line.includes(` ${name}:`), 10_000, `row of ${ns}/${name}`);
    const start = performance.now();
    const done = await changer.toggle(ns, name, 'kubectl');
    const at = await printed;
    fromStartMs.push(at - start);
    fromExitMs.push(at - done);
    await sleep(300);
  }
  log(
    `watch: annotate to row, median ${Math.round(median(fromStartMs))} ms from the start of kubectl annotate (${fromStartMs.map(Math.round).join(', ')}), ${Math.round(median(fromExitMs))} ms after it returned`,
  );
  return { fromStartMs, fromExitMs };
}

/** One change a second for `seconds`, over the Services in turn; the number of changes. */
async function soak(changer: Changer, seconds: number, pid: number): Promise<number> {
  let changes = 0;
  const end = performance.now() + seconds * 1000;
  for (let i = 0; performance.now() < end; i++) {
    const [ns, name] = CHANGED[i % CHANGED.length] as readonly [string, string];
    const next = performance.now() + 1000;
    await changer.toggle(ns, name, 'api');
    changes++;
    if (changes % 60 === 0) log(`watch: soak ${changes} changes, RSS ${Math.round(statusKb(pid, 'VmRSS') / 1024)} MiB`);
    await sleep(Math.max(0, next - performance.now()));
  }
  return changes;
}

export async function measureWatch(opts: { plugin: string; kubeconfig: string; rows: number; changes: number; soakSeconds: number }): Promise<WatchResult> {
  const t0 = performance.now();
  const child = spawn(opts.plugin, ['status', '-A', '--watch'], { env: { ...process.env, KUBECONFIG: opts.kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const lines = new Lines(child);
  const changer = new Changer(opts.kubeconfig);
  try {
    const listed = await firstListing(lines, opts.rows, exited, () => stderr);
    const pid = child.pid as number;
    const rssAfterListingKb = statusKb(pid, 'VmRSS');
    const firstListingMs = listed - t0;
    const rows = lines.count - 1;
    log(`watch: first listing (${rows} rows) in ${Math.round(firstListingMs)} ms, RSS ${Math.round(rssAfterListingKb / 1024)} MiB`);
    await sleep(1000);
    const { fromStartMs, fromExitMs } = await latencies(lines, changer, opts.changes);
    const soakChanges = await soak(changer, opts.soakSeconds, pid);
    await changer.restore();
    await sleep(1000);
    const rssAfterSoakKb = statusKb(pid, 'VmRSS');
    const peakKb = statusKb(pid, 'VmHWM');
    log(`watch: after ${soakChanges} changes in ${opts.soakSeconds} s: RSS ${Math.round(rssAfterSoakKb / 1024)} MiB (peak ${Math.round(peakKb / 1024)} MiB)`);
    return { firstListingMs, rows, rssAfterListingKb, fromStartMs, fromExitMs, soakSeconds: opts.soakSeconds, soakChanges, rssAfterSoakKb, peakKb };
  } finally {
    changer.close();
    child.kill('SIGTERM');
    await exited;
  }
}
