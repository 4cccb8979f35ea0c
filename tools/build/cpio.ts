// A cpio archive in the "newc" format (the one the Linux kernel unpacks as an
// initramfs): per entry a 110-byte ASCII header ("070701" and 13 fields of 8 hex
// digits), the NUL-terminated name padded to 4 bytes, the data padded to 4 bytes;
// a "TRAILER!!!" entry ends the archive. Entries are written sorted by path (a
// directory before what it holds), with inode numbers in that order, so the same
// entries always give the same bytes.

export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;
export const S_IFCHR = 0o020000;

export type CpioEntry =
  | { kind: "dir"; path: string; mode?: number }
  | { kind: "file"; path: string; data: Uint8Array; mode?: number }
  | { kind: "symlink"; path: string; target: string }
  | { kind: "char"; path: string; major: number; minor: number; mode?: number };

export interface CpioOptions {
  /** Modification time of every entry, seconds since 1970 (default 0). */
  mtime?: number;
}

const MAGIC = "070701";
const TRAILER = "TRAILER!!!";
const MAX_U32 = 0xffffffff;

function pad4(n: number): number {
  return (4 - (n % 4)) % 4;
}

function field(v: number, what: string, path: string): string {
  if (!Number.isInteger(v) || v < 0 || v > MAX_U32) throw new RangeError(`cpio: ${path}: ${what} ${v} does not fit in 8 hex digits`);
  return v.toString(16).padStart(8, "0");
}

/** A path inside the archive: relative, "/"-separated, no "." or ".." parts, no empty parts. */
function checkPath(path: string): void {
  const parts = path.split("/");
  if (path === "" || parts.some((p) => p === "" || p === "." || p === "..") || path.includes("\0")) {
    throw new RangeError(`cpio: ${JSON.stringify(path)} is not a relative path such as "bin/sh"`);
  }
}

interface Header {
  ino: number; mode: number; nlink: number; mtime: number; size: number;
  rdevMajor: number; rdevMinor: number;
}

function entryBytes(name: string, h: Header, data: Uint8Array): Buffer {
  const nameBytes = Buffer.from(name + "\0", "utf8");
  const fields = [h.ino, h.mode, 0, 0, h.nlink, h.mtime, h.size, 0, 0, h.rdevMajor, h.rdevMinor, nameBytes.length, 0];
  const what = ["ino", "mode", "uid", "gid", "nlink", "mtime", "filesize", "devmajor", "devminor", "rdevmajor",
    "rdevminor", "namesize", "check"];
  const header = MAGIC + fields.map((v, i) => field(v, what[i]!, name)).join("");
  return Buffer.concat([
    Buffer.from(header, "latin1"), nameBytes, Buffer.alloc(pad4(header.length + nameBytes.length)),
    data, Buffer.alloc(pad4(data.length)),
  ]);
}

/** The archive holding `entries` (owned by root, sorted by path). Paths must be unique. */
export function cpioArchive(entries: readonly CpioEntry[], opts: CpioOptions = {}): Buffer {
  const mtime = opts.mtime ?? 0;
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const parts: Buffer[] = [];
  sorted.forEach((e, i) => {
    checkPath(e.path);
    if (i > 0 && sorted[i - 1]!.path === e.path) throw new RangeError(`cpio: ${e.path} is given twice`);
    const h: Header = { ino: i + 1, mode: 0, nlink: 1, mtime, size: 0, rdevMajor: 0, rdevMinor: 0 };
    let data: Uint8Array = new Uint8Array(0);
    switch (e.kind) {
      case "dir":
        h.mode = S_IFDIR | (e.mode ?? 0o755);
        h.nlink = 2;
        break;
      case "file":
        h.mode = S_IFREG | (e.mode ?? 0o644);
        data = e.data;
        break;
      case "symlink":
        h.mode = S_IFLNK | 0o777;
        data = Buffer.from(e.target, "utf8");
        break;
      case "char":
        h.mode = S_IFCHR | (e.mode ?? 0o600);
        h.rdevMajor = e.major;
        h.rdevMinor = e.minor;
        break;
    }
    h.size = data.length;
    parts.push(entryBytes(e.path, h, data));
  });
  parts.push(entryBytes(TRAILER, { ino: 0, mode: 0, nlink: 1, mtime: 0, size: 0, rdevMajor: 0, rdevMinor: 0 }, new Uint8Array(0)));
  return Buffer.concat(parts);
}
