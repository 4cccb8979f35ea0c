// The guests' initramfs, build/guests/initramfs.cpio (a VM config names it
// "initramfs.cpio"): the static arm64 busybox, the applets /init uses as symlinks to
// it, the device nodes the kernel needs before devtmpfs is mounted, the mount points,
// /init itself (tools/build/guest-init.sh), the DHCP client's script
// (tools/build/guest-udhcpc.sh) and the kernel modules every guest loads (virtio_mmio,
// virtio_console for the hypervisor channel, virtio_net for the network workload, and
// what they need, from the guest kernel's package) with the order to load them in
// (/lib/modules/load-order). Written with cpio.ts, so the
// same inputs give the same bytes.
import { existsSync, mkdirSync, readFileSync, realpathSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { GUEST_DIR } from "./guests.ts";
import { writeIfChanged } from "./payload.ts";
import { cpioArchive, type CpioEntry } from "./cpio.ts";
import { resolveModules } from "./kmod.ts";

export const INITRAMFS_NAME = "initramfs.cpio";
export const INIT_SCRIPT = fileURLToPath(new URL("./guest-init.sh", import.meta.url));
export const UDHCPC_SCRIPT = fileURLToPath(new URL("./guest-udhcpc.sh", import.meta.url));

/** The busybox applets /init (and the DHCP client's script) run (each a symlink /bin/<name> -> busybox). */
export const APPLETS = ["cat", "cttyhack", "httpd", "ifconfig", "insmod", "mkdir", "mount", "route", "setsid", "sh", "sleep",
  "udhcpc", "uname"] as const;

/** What the network workload (wv.workload=mvm) loads: the virtio-mmio transport and the virtio network driver. */
export const NET_MODULES = ["virtio_mmio", "virtio_net"] as const;
/**
 * What every guest loads, whatever its workload (a driver whose device is absent just
 * waits): the virtio-mmio transport, the console of the hypervisor channel (/dev/hvc0,
 * docs/abi.md section 6) and the network driver.
 */
export const GUEST_MODULES = ["virtio_mmio", "virtio_console", "virtio_net"] as const;
/** Where the modules go, flat, with the file that lists them in load order. */
export const MODULE_DIR = "lib/modules";
export const LOAD_ORDER = `${MODULE_DIR}/load-order`;

/** Directories of the archive; /proc, /sys and /dev are mount points. */
const DIRS = ["bin", "dev", "etc", "lib", MODULE_DIR, "proc", "sys", "tmp"];

/** A kernel module to carry: its name and bytes. */
export interface ModuleFile { name: string; data: Uint8Array }

/**
 * The entries of the initramfs, from the busybox binary's bytes, the /init script's text,
 * the kernel modules in load order and the DHCP client's script.
 */
export function initramfsEntries(busybox: Uint8Array, init: string, modules: readonly ModuleFile[] = [],
  udhcpc: string = readFileSync(UDHCPC_SCRIPT, "utf8")): CpioEntry[] {
  if (busybox.length < 4 || Buffer.from(busybox.subarray(0, 4)).toString("latin1") !== "\x7fELF") {
    throw new Error("initramfs: the busybox given is not an ELF executable");
  }
  return [
    ...DIRS.map((path): CpioEntry => ({ kind: "dir", path, mode: path === "tmp" ? 0o1777 : 0o755 })),
    { kind: "file", path: "bin/busybox", data: busybox, mode: 0o755 },
    ...APPLETS.map((a): CpioEntry => ({ kind: "symlink", path: `bin/${a}`, target: "busybox" })),
    { kind: "char", path: "dev/console", major: 5, minor: 1, mode: 0o600 },
    { kind: "char", path: "dev/null", major: 1, minor: 3, mode: 0o666 },
    { kind: "file", path: "etc/udhcpc.script", data: Buffer.from(udhcpc, "utf8"), mode: 0o755 },
    { kind: "file", path: "init", data: Buffer.from(init, "utf8"), mode: 0o755 },
    ...modules.map((m): CpioEntry => ({ kind: "file", path: `${MODULE_DIR}/${m.name}.ko`, data: m.data, mode: 0o644 })),
    { kind: "file", path: LOAD_ORDER, data: Buffer.from(modules.map((m) => `${m.name}\n`).join(""), "utf8"), mode: 0o644 },
  ];
}

/** The archive's bytes; `extra`: more entries (wvctl and its CGI script, tools/build/wvctl.ts). */
export function initramfs(busybox: Uint8Array, init: string = readFileSync(INIT_SCRIPT, "utf8"),
  modules: readonly ModuleFile[] = [], extra: readonly CpioEntry[] = []): Buffer {
  return cpioArchive([...initramfsEntries(busybox, init, modules), ...extra]);
}

/** Where the modules of a kernel unpacked from its Debian package are, and its release. */
export interface KernelModules { dir: string; release: string }

/**
 * The modules of the guest kernel `image` (the unpacked package's boot/vmlinuz-<release>,
 * or a link to it): <package>/lib/modules/<release>. Null when they are not there.
 */
export function guestKernelModules(image: string): KernelModules | null {
  let real: string;
  try { real = realpathSync(image); } catch { return null; }
  const m = /^vmlinuz-(.+)$/.exec(basename(real));
  if (!m) return null;
  const dir = join(dirname(dirname(real)), "lib", "modules", m[1]!);
  return existsSync(join(dir, "kernel")) ? { dir, release: m[1]! } : null;
}

/**
 * Write build/guests/initramfs.cpio from `busyboxPath` and the guest modules of
 * `kernel` (GUEST_MODULES; none when null); rewritten only when it changes. Returns its path.
 */
export function buildInitramfs(busyboxPath: string, outDir: string = GUEST_DIR, kernel: KernelModules | null = null,
  extra: readonly CpioEntry[] = []): string {
  mkdirSync(outDir, { recursive: true });
  const out = join(outDir, INITRAMFS_NAME);
  let archive: Buffer;
  try {
    const modules = kernel ? resolveModules(kernel.dir, kernel.release, GUEST_MODULES) : [];
    archive = initramfs(readFileSync(busyboxPath), readFileSync(INIT_SCRIPT, "utf8"), modules, extra);
  } catch (e) {
    throw new Error(`${out}: cannot be built from ${busyboxPath}${kernel ? ` and ${kernel.dir}` : ""}: ` +
      `${e instanceof Error ? e.message : String(e)}`);
  }
  writeIfChanged(out, archive);
  return out;
}
