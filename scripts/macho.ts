// Mach-O code signatures, made on Linux: removing Node's signature before postject injects the
// SEA blob (its signature covers every page, so the injection breaks it, and LIEF cannot move a
// signed __LINKEDIT cleanly), and an ad-hoc signature after (arm64 macOS runs no unsigned code;
// x86_64 Gatekeeper treats a broken signature worse than none).
//
// Written here instead of running rcodesign: an ad-hoc signature is one CodeDirectory of SHA-256
// page hashes, an empty requirement set and an empty CMS wrapper (what `codesign -s -` writes),
// about a hundred lines, while building rcodesign from crates.io takes many minutes of CI's two
// cores. The format is Apple's cs_blobs.h (xnu) and codesign's output; every number is big-endian.
// verifyCodeSignature() is what the tests use to check a signature independently of the writer's
// bookkeeping: it rehashes every page from the file.

import { createHash } from 'node:crypto';

const MH_MAGIC_64 = 0xfeedfacf;
const LC_SEGMENT_64 = 0x19;
const LC_CODE_SIGNATURE = 0x1d;
const MH_EXECUTE = 2;
export const CPU_TYPE = { x86_64: 0x01000007, arm64: 0x0100000c } as const;

const CSMAGIC_EMBEDDED_SIGNATURE = 0xfade0cc0;
const CSMAGIC_CODEDIRECTORY = 0xfade0c02;
const CSMAGIC_REQUIREMENTS = 0xfade0c01;
const CSMAGIC_BLOBWRAPPER = 0xfade0b01;
const CSSLOT_CODEDIRECTORY = 0;
const CSSLOT_REQUIREMENTS = 2;
const CSSLOT_SIGNATURESLOT = 0x10000;
const CSSLOT_ALTERNATE = 0x1000;
const CS_ADHOC = 0x2;
const CS_HASHTYPE_SHA256 = 2;
const CS_EXECSEG_MAIN_BINARY = 0x1;
const CD_VERSION = 0x20400; // with the exec segment fields
const CD_HEADER = 88;
const PAGE_SHIFT = 12; // codesign hashes 4 KiB pages on both architectures
const PAGE = 1 << PAGE_SHIFT;
const HASH = 32;

export interface Section {
  name: string;
  segment: string;
  offset: number;
  size: number;
}

export interface Segment {
  name: string;
  /** Offset of this LC_SEGMENT_64 command in the file. */
  at: number;
  vmsize: bigint;
  fileoff: number;
  filesize: number;
  sections: Section[];
}

export interface MachO {
  cputype: number;
  filetype: number;
  ncmds: number;
  sizeofcmds: number;
  segments: Segment[];
  /** The LC_CODE_SIGNATURE command: where it is, and the signature it points at. */
  codeSignature: { at: number; dataoff: number; datasize: number } | null;
}

const cstr = (b: Buffer, from: number, len: number): string =>
  b
    .subarray(from, from + len)
    .toString('latin1')
    .replace(/\0.*$/s, '');

export function parseMachO(b: Buffer): MachO {
  if (b.length < 32 || b.readUInt32LE(0) !== MH_MAGIC_64) throw new Error('not a 64-bit little-endian Mach-O file');
  const ncmds = b.readUInt32LE(16);
  const sizeofcmds = b.readUInt32LE(20);
  const segments: Segment[] = [];
  let codeSignature: MachO['codeSignature'] = null;
  let at = 32;
  for (let i = 0; i < ncmds; i++) {
    const cmd = b.readUInt32LE(at);
    const size = b.readUInt32LE(at + 4);
    if (size < 8 || at + size > 32 + sizeofcmds) throw new Error(`load command ${i} runs past the load commands`);
    if (cmd === LC_SEGMENT_64) {
      const sections: Section[] = [];
      const nsects = b.readUInt32LE(at + 64);
      for (let s = 0; s < nsects; s++) {
        const sec = at + 72 + s * 80;
        sections.push({ name: cstr(b, sec, 16), segment: cstr(b, sec + 16, 16), size: Number(b.readBigUInt64LE(sec + 40)), offset: b.readUInt32LE(sec + 48) });
      }
      segments.push({
        name: cstr(b, at + 8, 16),
        at,
        vmsize: b.readBigUInt64LE(at + 32),
        fileoff: Number(b.readBigUInt64LE(at + 40)),
        filesize: Number(b.readBigUInt64LE(at + 48)),
        sections,
      });
    } else if (cmd === LC_CODE_SIGNATURE) {
      codeSignature = { at, dataoff: b.readUInt32LE(at + 8), datasize: b.readUInt32LE(at + 12) };
    }
    at += size;
  }
  return { cputype: b.readInt32LE(4), filetype: b.readUInt32LE(12), ncmds, sizeofcmds, segments, codeSignature };
}

function linkedit(m: MachO): Segment {
  const seg = m.segments.find((s) => s.name === '__LINKEDIT');
  if (!seg) throw new Error('no __LINKEDIT segment');
  return seg;
}

/** Segment sizes in memory are whole pages of the architecture: 16 KiB on arm64, 4 KiB on x86_64. */
const vmPage = (m: MachO): number => (m.cputype === CPU_TYPE.arm64 ? 0x4000 : 0x1000);
const roundUp = (n: number, to: number): number => Math.ceil(n / to) * to;

function setLinkeditSize(b: Buffer, m: MachO, filesize: number): void {
  const seg = linkedit(m);
  b.writeBigUInt64LE(BigInt(filesize), seg.at + 48);
  b.writeBigUInt64LE(BigInt(roundUp(filesize, vmPage(m))), seg.at + 32);
}

/** The file without its code signature (what `codesign --remove-signature` does); unsigned files come back as they are. */
export function removeCodeSignature(input: Buffer): Buffer {
  const m = parseMachO(input);
  const sig = m.codeSignature;
  if (!sig) return input;
  const seg = linkedit(m);
  if (sig.dataoff < seg.fileoff || sig.dataoff + sig.datasize > seg.fileoff + seg.filesize) throw new Error('the code signature is not inside __LINKEDIT');
  if (seg.fileoff + seg.filesize < input.length) throw new Error('data after __LINKEDIT: not a layout this tool knows');
  const b = Buffer.from(input.subarray(0, sig.dataoff));
  setLinkeditSize(b, m, sig.dataoff - seg.fileoff);
  // Drop the 16-byte load command: the ones after it move up, the freed bytes become padding.
  const end = 32 + m.sizeofcmds;
  b.copy(b, sig.at, sig.at + 16, end);
  b.fill(0, end - 16, end);
  b.writeUInt32LE(m.ncmds - 1, 16);
  b.writeUInt32LE(m.sizeofcmds - 16, 20);
  return b;
}

const be32 = (n: number): Buffer => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(n >>> 0);
  return out;
};

/** The empty requirement set codesign writes for an ad-hoc signature. */
const EMPTY_REQUIREMENTS = Buffer.concat([be32(CSMAGIC_REQUIREMENTS), be32(12), be32(0)]);
/** The CMS slot of an ad-hoc signature: a blob wrapper with nothing in it. */
const EMPTY_CMS = Buffer.concat([be32(CSMAGIC_BLOBWRAPPER), be32(8)]);

const sha256 = (b: Buffer): Buffer => createHash('sha256').update(b).digest();

/**
 * An ad-hoc signature for an unsigned Mach-O executable: adds LC_CODE_SIGNATURE, pads the file
 * to 16 bytes, appends the signature to __LINKEDIT, which must end the file.
 */
export function adhocSign(input: Buffer, identifier: string): Buffer {
  const m = parseMachO(input);
  if (m.codeSignature) throw new Error('already signed: remove the signature first');
  const seg = linkedit(m);
  if (seg.fileoff + seg.filesize !== input.length) throw new Error('__LINKEDIT does not end the file');
  const text = m.segments.find((s) => s.name === '__TEXT');
  if (!text) throw new Error('no __TEXT segment');
  const firstSection = Math.min(
    ...m.segments
      .flatMap((s) => s.sections)
      .filter((s) => s.offset > 0 && s.size > 0)
      .map((s) => s.offset),
  );
  if (32 + m.sizeofcmds + 16 > firstSection) throw new Error('no room for LC_CODE_SIGNATURE after the load commands');

  const codeLimit = roundUp(input.length, 16);
  const nCodeSlots = Math.ceil(codeLimit / PAGE);
  const nSpecialSlots = CSSLOT_REQUIREMENTS;
  const ident = Buffer.from(`${identifier}\0`, 'utf8');
  const hashOffset = CD_HEADER + ident.length + nSpecialSlots * HASH;
  const cdLength = hashOffset + nCodeSlots * HASH;
  const blobs = 3;
  const superHeader = 12 + blobs * 8;
  const superLength = superHeader + cdLength + EMPTY_REQUIREMENTS.length + EMPTY_CMS.length;

  const b = Buffer.alloc(codeLimit + superLength);
  input.copy(b);
  const lc = 32 + m.sizeofcmds;
  b.writeUInt32LE(LC_CODE_SIGNATURE, lc);
  b.writeUInt32LE(16, lc + 4);
  b.writeUInt32LE(codeLimit, lc + 8);
  b.writeUInt32LE(superLength, lc + 12);
  b.writeUInt32LE(m.ncmds + 1, 16);
  b.writeUInt32LE(m.sizeofcmds + 16, 20);
  setLinkeditSize(b, m, codeLimit + superLength - seg.fileoff);

  // The page hashes cover the header as changed above, so they come last.
  const cd = Buffer.alloc(cdLength);
  cd.writeUInt32BE(CSMAGIC_CODEDIRECTORY, 0);
  cd.writeUInt32BE(cdLength, 4);
  cd.writeUInt32BE(CD_VERSION, 8);
  cd.writeUInt32BE(CS_ADHOC, 12);
  cd.writeUInt32BE(hashOffset, 16);
  cd.writeUInt32BE(CD_HEADER, 20);
  cd.writeUInt32BE(nSpecialSlots, 24);
  cd.writeUInt32BE(nCodeSlots, 28);
  cd.writeUInt32BE(codeLimit, 32);
  cd.writeUInt8(HASH, 36);
  cd.writeUInt8(CS_HASHTYPE_SHA256, 37);
  cd.writeUInt8(0, 38); // platform
  cd.writeUInt8(PAGE_SHIFT, 39);
  // 40 spare2, 44 scatterOffset, 48 teamOffset, 52 spare3, 56 codeLimit64: all zero.
  cd.writeBigUInt64BE(BigInt(text.fileoff), 64);
  cd.writeBigUInt64BE(BigInt(text.filesize), 72);
  cd.writeBigUInt64BE(BigInt(m.filetype === MH_EXECUTE ? CS_EXECSEG_MAIN_BINARY : 0), 80);
  ident.copy(cd, CD_HEADER);
  // Special slots count down from the code hashes: slot 2 (requirements) sits 2 hashes before them.
  sha256(EMPTY_REQUIREMENTS).copy(cd, hashOffset - CSSLOT_REQUIREMENTS * HASH);
  for (let i = 0; i < nCodeSlots; i++) sha256(b.subarray(i * PAGE, Math.min((i + 1) * PAGE, codeLimit))).copy(cd, hashOffset + i * HASH);

  const header = Buffer.alloc(superHeader);
  header.writeUInt32BE(CSMAGIC_EMBEDDED_SIGNATURE, 0);
  header.writeUInt32BE(superLength, 4);
  header.writeUInt32BE(blobs, 8);
  const entries: [number, Buffer][] = [
    [CSSLOT_CODEDIRECTORY, cd],
    [CSSLOT_REQUIREMENTS, EMPTY_REQUIREMENTS],
    [CSSLOT_SIGNATURESLOT, EMPTY_CMS],
  ];
  let offset = superHeader;
  entries.forEach(([type, blob], i) => {
    header.writeUInt32BE(type, 12 + i * 8);
    header.writeUInt32BE(offset, 16 + i * 8);
    offset += blob.length;
  });
  Buffer.concat([header, ...entries.map(([, blob]) => blob)]).copy(b, codeLimit);
  return b;
}

export interface SignatureCheck {
  identifier: string;
  flags: number;
  codeLimit: number;
  pages: number;
  /** Problems found; empty when the signature matches the file. */
  problems: string[];
}

/** Checks an embedded signature against the file: layout, code directory, every page hash, the requirements hash. */
export function verifyCodeSignature(b: Buffer): SignatureCheck {
  const m = parseMachO(b);
  const sig = m.codeSignature;
  if (!sig) return { identifier: '', flags: 0, codeLimit: 0, pages: 0, problems: ['no LC_CODE_SIGNATURE'] };
  const problems: string[] = [];
  const seg = linkedit(m);
  if (sig.dataoff + sig.datasize > b.length) problems.push('signature runs past the end of the file');
  if (seg.fileoff + seg.filesize !== b.length) problems.push('__LINKEDIT does not end the file');
  if (sig.dataoff + sig.datasize > seg.fileoff + seg.filesize) problems.push('signature is not inside __LINKEDIT');
  const blob = b.subarray(sig.dataoff, sig.dataoff + sig.datasize);
  if (blob.readUInt32BE(0) !== CSMAGIC_EMBEDDED_SIGNATURE)
    return { identifier: '', flags: 0, codeLimit: 0, pages: 0, problems: [...problems, 'not an embedded signature superblob'] };
  const slots = new Map<number, Buffer>();
  for (let i = 0; i < blob.readUInt32BE(8); i++) {
    const type = blob.readUInt32BE(12 + i * 8);
    const offset = blob.readUInt32BE(16 + i * 8);
    slots.set(type, blob.subarray(offset, offset + blob.readUInt32BE(offset + 4)));
  }
  // Apple's own signatures hold a SHA-1 code directory in slot 0 and a SHA-256 one among the
  // alternates (0x1000...): check the SHA-256 one.
  const cd = [CSSLOT_CODEDIRECTORY, ...[0, 1, 2, 3, 4].map((i) => CSSLOT_ALTERNATE + i)]
    .map((type) => slots.get(type))
    .find((d) => d !== undefined && d.readUInt32BE(0) === CSMAGIC_CODEDIRECTORY && d.readUInt8(37) === CS_HASHTYPE_SHA256);
  if (!cd) return { identifier: '', flags: 0, codeLimit: 0, pages: 0, problems: [...problems, 'no SHA-256 code directory'] };
  const flags = cd.readUInt32BE(12);
  const hashOffset = cd.readUInt32BE(16);
  const identifier = cstr(cd, cd.readUInt32BE(20), 256);
  const nSpecial = cd.readUInt32BE(24);
  const nCode = cd.readUInt32BE(28);
  const codeLimit = cd.readUInt32BE(32);
  const hashSize = cd.readUInt8(36);
  const pageSize = 1 << cd.readUInt8(39);
  if (cd.readUInt8(37) !== CS_HASHTYPE_SHA256 || hashSize !== HASH) problems.push('hash type is not SHA-256');
  if (codeLimit !== sig.dataoff) problems.push(`code limit ${codeLimit} is not the signature offset ${sig.dataoff}`);
  if (nCode !== Math.ceil(codeLimit / pageSize)) problems.push(`${nCode} code slots for ${codeLimit} bytes`);
  let bad = 0;
  for (let i = 0; i < nCode; i++) {
    const page = b.subarray(i * pageSize, Math.min((i + 1) * pageSize, codeLimit));
    if (!sha256(page).equals(cd.subarray(hashOffset + i * hashSize, hashOffset + (i + 1) * hashSize))) bad++;
  }
  if (bad > 0) problems.push(`${bad} of ${nCode} page hashes do not match`);
  const requirements = slots.get(CSSLOT_REQUIREMENTS);
  if (requirements && nSpecial >= CSSLOT_REQUIREMENTS) {
    const slot = cd.subarray(hashOffset - CSSLOT_REQUIREMENTS * hashSize, hashOffset - (CSSLOT_REQUIREMENTS - 1) * hashSize);
    if (!sha256(requirements).equals(slot)) problems.push('requirements hash does not match');
  }
  return { identifier, flags, codeLimit, pages: nCode, problems };
}

/** The bytes of a section, by segment and section name. */
export function sectionData(b: Buffer, segment: string, section: string): Buffer | null {
  const sec = parseMachO(b)
    .segments.find((s) => s.name === segment)
    ?.sections.find((s) => s.name === section);
  return sec ? b.subarray(sec.offset, sec.offset + sec.size) : null;
}
