// Reading the release's archives and executables in tests: a file out of a .tar.gz or .zip, and the
// SEA blob that postject injected (Node's layout: magic 0x0143da20, u32 flags, a byte, the main
// script's path and its code, each as u64 length + bytes).
import { readFileSync } from 'node:fs';
import { gunzipSync, inflateRawSync } from 'node:zlib';

export function fileFromTarGz(archive: string, name: string): Buffer {
  const data = gunzipSync(readFileSync(archive));
  for (let at = 0; at + 512 <= data.length; ) {
    const header = data.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const entry = header.subarray(0, 100).toString('latin1').replace(/\0.*$/s, '');
    const size = parseInt(header.subarray(124, 136).toString('latin1').replace(/\0.*$/s, '').trim() || '0', 8);
    if (entry.replace(/^\.\//, '') === name) return data.subarray(at + 512, at + 512 + size);
    at += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error(`${name} not in ${archive}`);
}

export function fileFromZip(archive: string, name: string): Buffer {
  const data = readFileSync(archive);
  const end = data.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let at = data.readUInt32LE(end + 16);
  for (let i = 0; i < data.readUInt16LE(end + 10); i++) {
    const method = data.readUInt16LE(at + 10);
    const compressed = data.readUInt32LE(at + 20);
    const nameLen = data.readUInt16LE(at + 28);
    const local = data.readUInt32LE(at + 42);
    if (data.toString('utf8', at + 46, at + 46 + nameLen) === name) {
      const start = local + 30 + data.readUInt16LE(local + 26) + data.readUInt16LE(local + 28);
      const body = data.subarray(start, start + compressed);
      return method === 8 ? inflateRawSync(body) : Buffer.from(body);
    }
    at += 46 + nameLen + data.readUInt16LE(at + 30) + data.readUInt16LE(at + 32);
  }
  throw new Error(`${name} not in ${archive}`);
}

const SEA_MAGIC = Buffer.from([0x20, 0xda, 0x43, 0x01]);

/** The SEA blob whose main script is `codePath`, found anywhere in `b` (the magic also occurs in Node's machine code). */
export function findSeaBlob(b: Buffer, codePath: string): { at: number; code: string } | null {
  for (let at = b.indexOf(SEA_MAGIC); at >= 0 && at + 17 <= b.length; at = b.indexOf(SEA_MAGIC, at + 1)) {
    const pathLen = Number(b.readBigUInt64LE(at + 9));
    if (pathLen !== codePath.length || b.toString('utf8', at + 17, at + 17 + pathLen) !== codePath) continue;
    const codeAt = at + 17 + pathLen;
    const codeLen = Number(b.readBigUInt64LE(codeAt));
    if (codeAt + 8 + codeLen > b.length) continue;
    return { at, code: b.toString('utf8', codeAt + 8, codeAt + 8 + codeLen) };
  }
  return null;
}

export const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
