// PE (Windows executable) fix-ups for the single executable: Node's Authenticode signature comes
// out before postject injects the SEA blob (the injection breaks it, and a broken signature is
// treated worse than none), and the PE checksum is recomputed after, since LIEF leaves the old one.
// Done here rather than with osslsigncode: two fields and a truncation, no tool to install.

const SECURITY_DIRECTORY = 4;

export interface PeInfo {
  machine: number;
  /** File offset of the optional header's CheckSum field. */
  checksumAt: number;
  checksum: number;
  /** File offset of the certificate table's data directory entry. */
  securityAt: number;
  security: { offset: number; size: number };
}

export function parsePe(b: Buffer): PeInfo {
  if (b.length < 64 || b.toString('latin1', 0, 2) !== 'MZ') throw new Error('not a PE file (no MZ header)');
  const pe = b.readUInt32LE(0x3c);
  if (b.toString('latin1', pe, pe + 4) !== 'PE\0\0') throw new Error('not a PE file (no PE signature)');
  const optional = pe + 24;
  const magic = b.readUInt16LE(optional);
  if (magic !== 0x20b) throw new Error('not a PE32+ executable');
  const directories = optional + 112;
  if (b.readUInt32LE(optional + 108) <= SECURITY_DIRECTORY) throw new Error('no certificate table entry');
  const securityAt = directories + SECURITY_DIRECTORY * 8;
  return {
    machine: b.readUInt16LE(pe + 4),
    checksumAt: optional + 64,
    checksum: b.readUInt32LE(optional + 64),
    securityAt,
    // The certificate table's "address" is a file offset, not an RVA.
    security: { offset: b.readUInt32LE(securityAt), size: b.readUInt32LE(securityAt + 4) },
  };
}

/** The PE checksum (imagehlp's CheckSumMappedFile): 16-bit one's-complement sum, CheckSum field as zero, plus the length. */
export function peChecksum(b: Buffer): number {
  const { checksumAt } = parsePe(b);
  let sum = 0;
  const even = b.length & ~1;
  for (let i = 0; i < even; i += 2) {
    if (i === checksumAt || i === checksumAt + 2) continue;
    sum += b.readUInt16LE(i);
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  if (b.length & 1) {
    sum += b.readUInt8(b.length - 1);
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  sum = (sum & 0xffff) + (sum >>> 16);
  return (sum + b.length) >>> 0;
}

/** The file without its Authenticode signature, which must end it (as signtool writes it). */
export function removeAuthenticode(input: Buffer): Buffer {
  const info = parsePe(input);
  const { offset, size } = info.security;
  if (offset === 0 && size === 0) return input;
  // The table is 8-byte aligned: up to 7 bytes of padding may follow it.
  if (offset + size > input.length || input.length - (offset + size) > 7) throw new Error('the certificate table does not end the file');
  const b = Buffer.from(input.subarray(0, offset));
  b.writeUInt32LE(0, info.securityAt);
  b.writeUInt32LE(0, info.securityAt + 4);
  return withChecksum(b);
}

export function withChecksum(b: Buffer): Buffer {
  b.writeUInt32LE(peChecksum(b), parsePe(b).checksumAt);
  return b;
}
