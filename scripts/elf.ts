// Strips the static symbol table and the DWARF sections from a 64-bit little-endian ELF
// executable, what `strip --strip-debug` plus dropping .symtab does: 18 MB of Node's 126 MB, and
// 4 MB of each .tar.gz. .dynsym, which native addons link against, stays. In code rather than
// with binutils' strip, because Debian's strip on x86_64 cannot read arm64 files and the
// cross binutils would be one more package to install.
//
// These sections are not loaded (no SHF_ALLOC) and lie after every loaded segment; the sections
// kept after them (.shstrtab) move down, the section header table is rewritten at the end.

const SHF_ALLOC = 0x2;
const SHF_INFO_LINK = 0x40;
const SHT_NOBITS = 8;

interface SectionHeader {
  name: string;
  type: number;
  flags: bigint;
  offset: number;
  size: number;
  link: number;
  info: number;
  align: number;
  raw: Buffer;
}

function readSections(b: Buffer): { sections: SectionHeader[]; shstrndx: number } {
  if (b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2 || b[5] !== 1) throw new Error('not a 64-bit little-endian ELF file');
  const shoff = Number(b.readBigUInt64LE(40));
  const shentsize = b.readUInt16LE(58);
  const shnum = b.readUInt16LE(60);
  const shstrndx = b.readUInt16LE(62);
  const raw = (i: number) => b.subarray(shoff + i * shentsize, shoff + (i + 1) * shentsize);
  const names = raw(shstrndx);
  const namesAt = Number(names.readBigUInt64LE(24));
  const sections = Array.from({ length: shnum }, (_, i) => {
    const h = raw(i);
    const nameAt = namesAt + h.readUInt32LE(0);
    return {
      name: b.toString('latin1', nameAt, b.indexOf(0, nameAt)),
      type: h.readUInt32LE(4),
      flags: h.readBigUInt64LE(8),
      offset: Number(h.readBigUInt64LE(24)),
      size: Number(h.readBigUInt64LE(32)),
      link: h.readUInt32LE(40),
      info: h.readUInt32LE(44),
      align: Number(h.readBigUInt64LE(48)),
      raw: Buffer.from(h),
    };
  });
  return { sections, shstrndx };
}

/** Whether strip would remove this section. */
const removable = (s: SectionHeader): boolean =>
  (s.flags & BigInt(SHF_ALLOC)) === 0n && (s.name === '.symtab' || s.name === '.strtab' || s.name.startsWith('.debug_'));

export function elfSectionNames(b: Buffer): string[] {
  return readSections(b).sections.map((s) => s.name);
}

export function stripElf(input: Buffer): Buffer {
  const { sections, shstrndx } = readSections(input);
  const removed = sections.filter(removable);
  if (removed.length === 0) return input;
  const cut = Math.min(...removed.map((s) => s.offset));
  // Nothing loaded may lie past the cut.
  const phoff = Number(input.readBigUInt64LE(32));
  const phentsize = input.readUInt16LE(54);
  for (let i = 0; i < input.readUInt16LE(56); i++) {
    const ph = phoff + i * phentsize;
    if (Number(input.readBigUInt64LE(ph + 8)) + Number(input.readBigUInt64LE(ph + 32)) > cut)
      throw new Error('a program segment lies past the debug sections: not a layout this tool knows');
  }
  const kept = sections.filter((s) => !removable(s));
  const index = new Map(sections.map((s, i) => [s, i]));
  const newIndex = new Map<number, number>(kept.map((s, i) => [index.get(s) ?? -1, i]));

  const parts: Buffer[] = [input.subarray(0, cut)];
  let end = cut;
  const place = (align: number): void => {
    const pad = align > 1 ? (align - (end % align)) % align : 0;
    if (pad) parts.push(Buffer.alloc(pad));
    end += pad;
  };
  for (const s of kept) {
    if (s.type === SHT_NOBITS || s.offset < cut || s.size === 0) continue;
    place(s.align);
    parts.push(input.subarray(s.offset, s.offset + s.size));
    s.raw.writeBigUInt64LE(BigInt(end), 24);
    end += s.size;
  }
  place(8);
  const shoff = end;
  for (const s of kept) {
    const link = newIndex.get(s.link);
    s.raw.writeUInt32LE(link ?? 0, 40);
    if (s.flags & BigInt(SHF_INFO_LINK)) s.raw.writeUInt32LE(newIndex.get(s.info) ?? 0, 44);
    parts.push(s.raw);
  }
  const out = Buffer.concat(parts);
  out.writeBigUInt64LE(BigInt(shoff), 40);
  out.writeUInt16LE(kept.length, 60);
  out.writeUInt16LE(newIndex.get(shstrndx) ?? 0, 62);
  return out;
}
