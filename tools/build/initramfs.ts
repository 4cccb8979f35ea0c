// The guests' initramfs, build/guests/initramfs.cpio (a VM config names it
// "initramfs.cpio"): the static arm64 busybox, the applets /init uses as symlinks to
// it, the device nodes the kernel needs before devtmpfs is mounted, the mount points,
// and /init itself (tools/build/guest-init.sh). Written with cpio.ts, so the same
// busybox gives the same bytes.
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { GUEST_DIR } from "./guests.ts";
import { writeIfChanged } from "./payload.ts";
import { cpioArchive, type CpioEntry } from "./cpio.ts";

export const INITRAMFS_NAME = "initramfs.cpio";
export const INIT_SCRIPT = fileURLToPath(new URL("./guest-init.sh", import.meta.url));

/** The busybox applets /init runs (each a symlink /bin/<name> -> busybox). */
export const APPLETS = ["cat", "cttyhack", "mount", "setsid", "sh", "sleep", "uname"] as const;

/** Directories of the archive; /proc, /sys and /dev are mount points. */
const DIRS = ["bin", "dev", "etc", "proc", "sys", "tmp"];

/** The entries of the initramfs, from the busybox binary's bytes and the /init script's text. */
export function initramfsEntries(busybox: Uint8Array, init: string): CpioEntry[] {
  if (busybox.length < 4 || Buffer.from(busybox.subarray(0, 4)).toString("latin1") !== "\x7fELF") {
    throw new Error("initramfs: the busybox given is not an ELF executable");
  }
  return [
    ...DIRS.map((path): CpioEntry => ({ kind: "dir", path, mode: path === "tmp" ? 0o1777 : 0o755 })),
    { kind: "file", path: "bin/busybox", data: busybox, mode: 0o755 },
    ...APPLETS.map((a): CpioEntry => ({ kind: "symlink", path: `bin/${a}`, target: "busybox" })),
    { kind: "char", path: "dev/console", major: 5, minor: 1, mode: 0o600 },
    { kind: "char", path: "dev/null", major: 1, minor: 3, mode: 0o666 },
    { kind: "file", path: "init", data: Buffer.from(init, "utf8"), mode: 0o755 },
  ];
}

/** The archive's bytes. */
export function initramfs(busybox: Uint8Array, init: string = readFileSync(INIT_SCRIPT, "utf8")): Buffer {
  return cpioArchive(initramfsEntries(busybox, init));
}

/** Write build/guests/initramfs.cpio from `busyboxPath` (rewritten only when it changes); returns its path. */
export function buildInitramfs(busyboxPath: string, outDir: string = GUEST_DIR): string {
  mkdirSync(outDir, { recursive: true });
  const out = join(outDir, INITRAMFS_NAME);
  let archive: Buffer;
  try {
    archive = initramfs(readFileSync(busyboxPath));
  } catch (e) {
    throw new Error(`${out}: cannot be built from ${busyboxPath}: ${e instanceof Error ? e.message : String(e)}`);
  }
  writeIfChanged(out, archive);
  return out;
}
