// krew's validation rules (krew's pkg/index/validation and the krew-index CI) on the manifest
// template krew/sticky.yaml and on the filled manifest and archives that `npm run package` makes
// in dist/release/ (made here when missing or stale: about two minutes, the Node binaries cached
// in ~/.cache/kubectl-sticky/node).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse } from 'yaml';
import { ensureRelease, PLATFORMS, platformId, releaseDir, root, sha256File, version } from '../../scripts/package.ts';

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    version: string;
    homepage: string;
    shortDescription: string;
    description: string;
    caveats?: string;
    platforms: {
      selector: { matchLabels: Record<string, string> };
      uri: string;
      sha256: string;
      files: { from: string; to: string }[];
      bin: string;
    }[];
  };
}

// krew's semver check (github.com/Masterminds/semver strict form, with the leading v krew requires).
const SEMVER = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;

function checkCommon(m: Manifest, file: string): void {
  assert.equal(m.apiVersion, 'krew.googlecontainertools.github.com/v1alpha2');
  assert.equal(m.kind, 'Plugin');
  assert.match(m.metadata.name, /^[\w-]+$/);
  assert.equal(m.metadata.name, basename(file, '.yaml'), 'metadata.name must match the file name');
  assert.match(m.spec.homepage, /^https:\/\//);
  assert.ok(m.spec.shortDescription, 'shortDescription');
  assert.ok(m.spec.shortDescription.length <= 50, `shortDescription is ${m.spec.shortDescription.length} chars`);
  assert.doesNotMatch(m.spec.shortDescription, /\n/);
  assert.ok(m.spec.description, 'description');
  assert.ok(m.spec.platforms.length > 0, 'platforms');
  for (const p of m.spec.platforms) {
    const labels = p.selector?.matchLabels;
    assert.ok(labels?.['os'] && labels['arch'], 'selector.matchLabels.{os,arch}');
    assert.ok(p.bin, 'bin');
    assert.ok(p.files.length > 0 && p.files.every((f) => f.from && f.to), 'files from/to');
    if (labels['os'] === 'windows') assert.match(p.bin, /\.exe$/, 'windows bin must be an .exe');
  }
  // No two selectors may match the same os/arch: with matchLabels, one label set inside another.
  const sets = m.spec.platforms.map((p) => p.selector.matchLabels);
  for (let i = 0; i < sets.length; i++) {
    for (let j = i + 1; j < sets.length; j++) {
      const a = sets[i] ?? {};
      const b = sets[j] ?? {};
      const within = (x: Record<string, string>, y: Record<string, string>) => Object.entries(x).every(([k, v]) => y[k] === v);
      assert.ok(!within(a, b) && !within(b, a), `selectors ${JSON.stringify(a)} and ${JSON.stringify(b)} overlap`);
    }
  }
}

type EntryType = 'file' | 'dir' | 'other';

/** Entries of a .tar.gz: name and type, from the ustar headers. */
function listTarGz(path: string): { name: string; type: EntryType }[] {
  const data = gunzipSync(readFileSync(path));
  const out: { name: string; type: EntryType }[] = [];
  for (let at = 0; at + 512 <= data.length; ) {
    const header = data.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const text = (from: number, len: number) =>
      header
        .subarray(from, from + len)
        .toString('latin1')
        .replace(/\0.*$/s, '');
    const prefix = text(345, 155);
    const name = (prefix ? `${prefix}/` : '') + text(0, 100);
    const size = parseInt(text(124, 12).trim() || '0', 8);
    const flag = text(156, 1);
    out.push({ name: name.replace(/^\.\//, '').replace(/\/$/, ''), type: flag === '0' || flag === '' ? 'file' : flag === '5' ? 'dir' : 'other' });
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

/** Entries of a .zip, from its central directory. */
function listZip(path: string): { name: string; type: EntryType }[] {
  const data = readFileSync(path);
  const end = data.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(end >= 0, 'zip end of central directory');
  const count = data.readUInt16LE(end + 10);
  let at = data.readUInt32LE(end + 16);
  const out: { name: string; type: EntryType }[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(data.readUInt32LE(at), 0x02014b50, 'central directory entry');
    const madeBy = data.readUInt8(at + 5);
    const nameLen = data.readUInt16LE(at + 28);
    const extraLen = data.readUInt16LE(at + 30);
    const commentLen = data.readUInt16LE(at + 32);
    const external = data.readUInt32LE(at + 38);
    const name = data.subarray(at + 46, at + 46 + nameLen).toString('utf8');
    let type: EntryType = name.endsWith('/') ? 'dir' : 'file';
    if (madeBy === 3) {
      const mode = (external >>> 16) & 0o170000;
      type = mode === 0o100000 ? 'file' : mode === 0o040000 ? 'dir' : mode === 0 ? type : 'other';
    }
    out.push({ name: name.replace(/\/$/, ''), type });
    at += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

test('the template krew/sticky.yaml: every platform once, placeholders, description wrapped at 80', () => {
  const file = join(root, 'krew', 'sticky.yaml');
  const text = readFileSync(file, 'utf8');
  const m = parse(text) as Manifest;
  checkCommon(m, file);
  assert.equal(m.spec.version, 'v{{VERSION}}');
  assert.deepEqual(m.spec.platforms.map((p) => `${p.selector.matchLabels['os']}/${p.selector.matchLabels['arch']}`).sort(), PLATFORMS.map(platformId).sort());
  for (const p of m.spec.platforms) {
    assert.equal(p.uri, '{{URI}}');
    assert.equal(p.sha256, '{{SHA256}}');
  }
  for (const line of `${m.spec.description}\n${m.spec.caveats ?? ''}`.split('\n')) assert.ok(line.length <= 80, `longer than 80 columns: ${line}`);
  // Every platform is self-contained: nothing asks for Node.js.
  assert.doesNotMatch(m.spec.caveats ?? '', /node/i);
  assert.match(m.spec.caveats ?? '', /kubectl sticky completion install/);
  assert.match(m.spec.caveats ?? '', /kubectl sticky completion uninstall/);
  // One executable and LICENSE per platform: completion is the executable itself (completion install).
  for (const p of m.spec.platforms) assert.deepEqual(p.files.map((f) => f.from).sort(), ['LICENSE', p.bin]);
});

test('dist/release/sticky.yaml passes krew validation and matches the archives', async () => {
  const file = await ensureRelease();
  const m = parse(readFileSync(file, 'utf8')) as Manifest;
  checkCommon(m, file);
  assert.match(m.spec.version, SEMVER);
  assert.equal(m.spec.version, `v${version()}`);
  assert.equal(m.spec.platforms.length, PLATFORMS.length, 'every platform');
  for (const p of m.spec.platforms) {
    const id = `${p.selector.matchLabels['os']}/${p.selector.matchLabels['arch']}`;
    const archive = basename(p.uri);
    assert.equal(p.uri, `https://github.com/kubectl-sticky/kubectl-sticky/releases/download/v${version()}/${archive}`);
    assert.match(p.sha256, /^[0-9a-f]{64}$/);
    const path = join(releaseDir, archive);
    assert.equal(sha256File(path), p.sha256, `${id}: sha256 of ${archive}`);
    const entries = archive.endsWith('.zip') ? listZip(path) : listTarGz(path);
    assert.ok(archive.endsWith(id.startsWith('windows') ? '.zip' : '.tar.gz'), `${id}: archive type`);
    const others = entries.filter((e) => e.type === 'other');
    assert.deepEqual(others, [], `${id}: only regular files and folders`);
    const names = entries.map((e) => e.name);
    assert.ok(names.includes('LICENSE'), `${id}: LICENSE in ${archive}`);
    for (const f of p.files) assert.ok(names.includes(f.from), `${id}: ${f.from} in ${archive}`);
    assert.ok(names.includes(p.bin), `${id}: bin ${p.bin} in ${archive}`);
    assert.deepEqual(names.sort(), ['LICENSE', p.bin], `${id}: the archive holds the executable and LICENSE`);
  }
});
