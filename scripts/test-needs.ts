// First step of `npm test`: the programs the tests run that npm does not bring. Those Debian
// packages can give are installed with apt-get when this runs as root (as on the project's
// machines and CI), else one line names the command; the others (Go, kubectl) are named.
// Nothing is installed when everything is there, so a second run costs nothing.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const name = (probe: Need['probe']): string => ('file' in probe ? `the file ${probe.file}` : probe.join(' '));

interface Need {
  /** The command and arguments that must run, or a file that must exist. */
  probe: readonly string[] | { file: string };
  /** The Debian package that brings it, or null when it has to come from elsewhere. */
  debian: string | null;
  why: string;
}

const NEEDS: readonly Need[] = [
  { probe: ['haproxy', '-v'], debian: 'haproxy', why: 'test/e2e/haproxy.test.ts checks the rendered config with it' },
  { probe: ['openssl', 'version'], debian: 'openssl', why: 'the test control plane makes its certificates' },
  { probe: ['curl', '--version'], debian: 'curl', why: 'the test control plane waits for /readyz' },
  { probe: ['git', '--version'], debian: 'git', why: 'krew needs a git index folder' },
  { probe: ['zip', '-v'], debian: 'zip', why: 'npm run package makes the windows .zip' },
  { probe: ['unzip', '-v'], debian: 'unzip', why: 'npm run package takes the macOS arm64 Node out of its wheel' },
  { probe: ['python3', '-m', 'pip', '--version'], debian: 'python3-pip', why: 'npm run package fetches the macOS arm64 Node from PyPI' },
  { probe: ['qemu-aarch64', '--version'], debian: 'qemu-user', why: 'test/e2e/release-run.test.ts runs the linux/arm64 executable' },
  {
    probe: { file: '/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1' },
    debian: 'libc6-arm64-cross',
    why: 'the C library of the linux/arm64 executable, for qemu',
  },
  {
    probe: { file: '/usr/aarch64-linux-gnu/lib/libstdc++.so.6' },
    debian: 'libstdc++6-arm64-cross',
    why: 'the C++ library of the linux/arm64 executable, for qemu',
  },
  {
    probe: { file: '/usr/aarch64-linux-gnu/lib/libgcc_s.so.1' },
    debian: 'libgcc-s1-arm64-cross',
    why: 'the GCC runtime of the linux/arm64 executable, for qemu',
  },
  {
    probe: ['go', 'version'],
    debian: null,
    why: "the tests build kube-apiserver, etcd, krew and haproxytech's controller, and fetch the Gateway API CRDs, from Go modules (Go 1.26, https://go.dev/dl)",
  },
  { probe: ['kubectl', 'version', '--client'], debian: null, why: 'the tests run the plugin through kubectl 1.26 or later' },
];

const runs = (probe: Need['probe']): boolean => {
  if ('file' in probe) return existsSync(probe.file);
  const [command = '', ...args] = probe;
  const r = spawnSync(command, args, { stdio: 'ignore', timeout: 30_000 });
  return !r.error && r.status === 0;
};

const missing = NEEDS.filter((n) => !runs(n.probe));
const installable = missing.filter((n) => n.debian !== null);
const root = process.getuid?.() === 0;
if (installable.length > 0 && root && runs(['apt-get', '--version'])) {
  const packages = installable.map((n) => n.debian ?? '');
  console.error(`npm test: installing ${packages.join(' ')} from Debian (${installable.map((n) => `${name(n.probe)}: ${n.why}`).join('; ')})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', ...packages],
  ]) {
    const r = spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env });
    if (r.status !== 0) {
      console.error(`npm test: apt-get ${args[0]} failed`);
      process.exit(1);
    }
  }
}
const still = missing.filter((n) => !runs(n.probe));
if (still.length > 0) {
  for (const n of still) {
    const how = n.debian ? `install it with \`apt-get install ${n.debian}\`` : 'install it';
    console.error(`npm test needs ${name(n.probe)}: ${how} (${n.why})`);
  }
  process.exit(1);
}
