// Runs a command and measures it: wall time (from spawn to exit, in this process) and peak RSS
// (GNU time's %M: the largest resident set of the command; the plugin's sh launcher and the
// kubectl dispatcher both exec, so the command is one process at its peak).

import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Sample {
  ms: number;
  rssKb: number;
  /** User + system CPU time of the command (GNU time's %U + %S): steadier than wall time on a loaded machine. */
  cpuMs: number;
}

export interface Command {
  label: string;
  argv: string[];
  env?: Record<string, string>;
  /** Measured in this process instead of spawning argv (the floor of issue 24): wall time only, no RSS. */
  run?: () => Promise<unknown>;
}

const dir = mkdtempSync(join(tmpdir(), 'kubectl-sticky-bench-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const devNull = openSync('/dev/null', 'w');

export function runOnce(cmd: Command, capture = false): Promise<Sample & { stdout: string; stderr: string }> {
  const timeFile = join(dir, 'time');
  const { run } = cmd;
  if (run) {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    return run().then(() => {
      const cpu = process.cpuUsage(cpu0);
      return { ms: performance.now() - t0, rssKb: 0, cpuMs: (cpu.user + cpu.system) / 1000, stdout: '', stderr: '' };
    });
  }
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('/usr/bin/time', ['-f', '%M %U %S', '-o', timeFile, ...cmd.argv], {
      env: { ...process.env, ...cmd.env },
      stdio: ['ignore', capture ? 'pipe' : devNull, 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (c: Buffer) => out.push(c));
    child.stderr?.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - t0;
      const stderr = Buffer.concat(err).toString('utf8');
      if (code !== 0) {
        reject(new Error(`${cmd.label}: exit ${code}\n${stderr.slice(-2000)}`));
        return;
      }
      const [rss = '', user = '', system = ''] = (readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '').split(' ');
      resolve({ ms, rssKb: Number(rss), cpuMs: (Number(user) + Number(system)) * 1000, stdout: Buffer.concat(out).toString('utf8'), stderr });
    });
  });
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

export interface Series {
  label: string;
  samples: Sample[];
  ms: number; // median
  rssKb: number; // median
  cpuMs: number; // median
}

/**
 * Measures commands interleaved (A B C A B C ...), after `warmup` unmeasured rounds, so that
 * drift on a shared machine hits each command alike. Returns one median per command.
 */
export async function compare(commands: Command[], reps: number, warmup = 1, progress?: (line: string) => void): Promise<Series[]> {
  const samples: Sample[][] = commands.map(() => []);
  for (let round = -warmup; round < reps; round++) {
    for (const [i, cmd] of commands.entries()) {
      const s = await runOnce(cmd);
      if (round >= 0) (samples[i] as Sample[]).push({ ms: s.ms, rssKb: s.rssKb, cpuMs: s.cpuMs });
    }
    if (progress && round >= 0 && (reps <= 10 || (round + 1) % 5 === 0)) {
      progress(`  round ${round + 1}/${reps}: ${commands.map((c, i) => `${c.label} ${Math.round((samples[i] as Sample[])[round]?.ms ?? 0)}ms`).join(', ')}`);
    }
  }
  return commands.map((cmd, i) => {
    const xs = samples[i] as Sample[];
    return { label: cmd.label, samples: xs, ms: median(xs.map((x) => x.ms)), rssKb: median(xs.map((x) => x.rssKb)), cpuMs: median(xs.map((x) => x.cpuMs)) };
  });
}
