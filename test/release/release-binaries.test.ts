// The executables inside dist/release's archives (made by `npm run package` when missing or stale),
// checked as files, since this machine runs neither macOS nor Windows: each holds the SEA blob of
// the bundle with the sentinel fuse flipped; the darwin ones are Mach-O files of the right
// architecture whose ad-hoc signature matches every page (rehashed here); the windows one has no
// certificate table left and a correct PE checksum; the linux ones have no symbol tables.
// Running the linux executables is test/e2e/krew.test.ts's part.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { archiveName, ensureRelease, nodeBinary, type Platform, PLATFORMS, releaseDir, version } from '../../scripts/package.ts';
import { elfSectionNames } from '../../scripts/elf.ts';
import { adhocSign, CPU_TYPE, parseMachO, removeCodeSignature, sectionData, verifyCodeSignature } from '../../scripts/macho.ts';
import { parsePe, peChecksum, removeAuthenticode } from '../../scripts/pe.ts';
import { fileFromTarGz, fileFromZip, findSeaBlob, SEA_FUSE } from '../support/release.ts';

const MAIN = 'kubectl-sticky.cjs';

function executable(os: Platform['os'], arch: Platform['arch']): Buffer {
  const archive = join(releaseDir, archiveName({ os, arch }));
  return os === 'windows' ? fileFromZip(archive, 'kubectl-sticky.exe') : fileFromTarGz(archive, 'kubectl-sticky');
}

const source = (os: Platform['os'], arch: Platform['arch']): Buffer => {
  const p = PLATFORMS.find((q) => q.os === os && q.arch === arch);
  assert.ok(p);
  return readFileSync(nodeBinary(p.node));
};

function assertSea(b: Buffer, id: string): void {
  assert.ok(b.includes(`${SEA_FUSE}:1`), `${id}: the SEA fuse is flipped`);
  assert.ok(!b.includes(`${SEA_FUSE}:0`), `${id}: no unflipped fuse`);
  const blob = findSeaBlob(b, MAIN);
  assert.ok(blob, `${id}: a SEA blob with main ${MAIN}`);
  // The main script is cmd/launch.ts's launchSea; the bundle is the blob's asset kubectl-sticky.cjs.
  assert.match(blob.code, /kubectl-sticky\.cjs/, `${id}: the blob's main script runs the bundle asset`);
  const assets = b.subarray(blob.at + blob.code.length);
  assert.ok(assets.includes('kubectl sticky'), `${id}: the blob holds the bundle`);
  assert.ok(assets.includes(JSON.stringify(version())), `${id}: the bundle of version ${version()}`);
}

test('every archive holds a single executable with the bundle as its SEA blob', async () => {
  await ensureRelease();
  for (const p of PLATFORMS) assertSea(executable(p.os, p.arch), `${p.os}/${p.arch}`);
});

for (const arch of ['amd64', 'arm64'] as const) {
  test(`darwin/${arch}: ${arch === 'amd64' ? 'x86_64' : 'arm64'} Mach-O, ad-hoc signature matching every page, NODE_SEA segment`, async () => {
    await ensureRelease();
    const b = executable('darwin', arch);
    const m = parseMachO(b);
    assert.equal(m.cputype, arch === 'amd64' ? CPU_TYPE.x86_64 : CPU_TYPE.arm64);
    assert.equal(m.filetype, 2, 'MH_EXECUTE');
    const check = verifyCodeSignature(b);
    assert.deepEqual(check.problems, []);
    assert.equal(check.identifier, 'kubectl-sticky');
    assert.equal(check.flags & 0x2, 0x2, 'ad hoc');
    assert.equal(check.flags & 0x10000, 0, 'no hardened runtime: Node would need entitlements for its JIT');
    assert.equal(check.codeLimit, m.codeSignature?.dataoff);
    const linkedit = m.segments.at(-1);
    assert.equal(linkedit?.name, '__LINKEDIT', '__LINKEDIT is the last segment');
    const sea = m.segments.find((s) => s.name === 'NODE_SEA');
    assert.ok(sea, 'NODE_SEA segment');
    const data = sectionData(b, 'NODE_SEA', '__NODE_SEA_BLOB');
    assert.ok(data && findSeaBlob(data, MAIN)?.at === 0, 'the blob fills __NODE_SEA_BLOB');
    // A changed byte anywhere in the signed range is caught.
    const tampered = Buffer.from(b);
    const at = Math.floor(tampered.length / 3);
    tampered[at] = (tampered[at] ?? 0) ^ 0xff;
    assert.match(verifyCodeSignature(tampered).problems.join(), /1 of \d+ page hashes do not match/);
  });
}

test('windows/amd64: no certificate table, correct PE checksum, amd64', async () => {
  await ensureRelease();
  const b = executable('windows', 'amd64');
  const pe = parsePe(b);
  assert.equal(pe.machine, 0x8664, 'IMAGE_FILE_MACHINE_AMD64');
  assert.deepEqual(pe.security, { offset: 0, size: 0 }, 'no Authenticode certificate table');
  assert.equal(pe.checksum, peChecksum(b), 'PE checksum');
  assert.ok(pe.checksum !== 0);
});

for (const arch of ['amd64', 'arm64'] as const) {
  test(`linux/${arch}: no .symtab or debug sections, .dynsym kept`, async () => {
    await ensureRelease();
    const names = elfSectionNames(executable('linux', arch));
    assert.ok(names.includes('.dynsym'));
    assert.deepEqual(
      names.filter((n) => n === '.symtab' || n === '.strtab' || n.startsWith('.debug_')),
      [],
    );
  });
}

// The checkers above are this project's own code: here they judge files signed by others.
test("the Mach-O checker accepts the Node binaries' own signatures; removal leaves an unsigned file that signs again", async () => {
  await ensureRelease();
  for (const arch of ['amd64', 'arm64'] as const) {
    const node = source('darwin', arch);
    const own = verifyCodeSignature(node);
    assert.deepEqual(own.problems, [], `darwin/${arch}: Node's own signature`);
    assert.equal(own.identifier, 'node');
    const unsigned = removeCodeSignature(node);
    assert.equal(parseMachO(unsigned).codeSignature, null);
    assert.equal(unsigned.length, parseMachO(node).codeSignature?.dataoff, 'the signature was the end of the file');
    assert.deepEqual(verifyCodeSignature(unsigned).problems, ['no LC_CODE_SIGNATURE']);
    assert.deepEqual(verifyCodeSignature(adhocSign(unsigned, 'node')).problems, []);
    assert.throws(() => adhocSign(node, 'node'), /already signed/);
    assert.throws(() => adhocSign(Buffer.concat([unsigned, Buffer.alloc(16)]), 'node'), /__LINKEDIT does not end the file/);
  }
  assert.throws(() => removeCodeSignature(Buffer.from('#!/bin/sh\n')), /not a 64-bit little-endian Mach-O/);
});

test("the PE checksum of Node's signed exe is the one Microsoft's tools stored; removal leaves no certificate table", async () => {
  await ensureRelease();
  const exe = source('windows', 'amd64');
  const pe = parsePe(exe);
  assert.ok(pe.security.size > 0, 'Node ships signed');
  assert.equal(peChecksum(exe), pe.checksum);
  const stripped = removeAuthenticode(exe);
  assert.equal(stripped.length, pe.security.offset);
  assert.deepEqual(parsePe(stripped).security, { offset: 0, size: 0 });
  assert.equal(parsePe(stripped).checksum, peChecksum(stripped));
  assert.throws(() => removeAuthenticode(Buffer.concat([exe, Buffer.alloc(64)])), /the certificate table does not end the file/);
  assert.equal(removeAuthenticode(stripped), stripped, 'an unsigned file comes back as it is');
});
