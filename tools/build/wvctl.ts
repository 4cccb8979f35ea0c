// wvctl (mvm/wvctl/), the management VM's tool for managing the hypervisor (docs/wvctl.md):
// a static AArch64 Linux program, build/mvm/wvctl, that the guest initramfs carries as
// /bin/wvctl beside its CGI front end for busybox httpd (/www/cgi-bin/wvctl). The tests
// build the same sources for this machine (compileWvctl with the host's cc).
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { BUILD, ROOT, rel } from "../lib/paths.ts";
import { run, step } from "../lib/proc.ts";
import type { CpioEntry } from "./cpio.ts";

export const WVCTL_SRC = join(ROOT, "mvm", "wvctl");
export const WVCTL_OUT = join(BUILD, "mvm", "wvctl");
/** The CGI script: GET ?<words> runs wvctl with them, POST hands the body to `wvctl update`. */
export const WVCTL_CGI = join(WVCTL_SRC, "wvctl.cgi");
/** Debian's cross compiler, with glibc for arm64 (libc6-dev-arm64-cross) to link statically. */
export const CROSS_CC = "aarch64-linux-gnu-gcc";
const CFLAGS = ["-std=c11", "-D_DEFAULT_SOURCE", "-O2", "-Wall", "-Wextra", "-Werror"];
const THIS_FILE = fileURLToPath(import.meta.url);

/** The C sources, sorted. */
export function wvctlSources(): string[] {
  return readdirSync(WVCTL_SRC).filter((f) => f.endsWith(".c")).sort().map((f) => join(WVCTL_SRC, f));
}

/** Compile wvctl with `cc` into `out` unless `out` is newer than every source, header and these flags. */
export function compileWvctl(cc: string, out: string, extraFlags: readonly string[] = []): string {
  const inputs = [...readdirSync(WVCTL_SRC).map((f) => join(WVCTL_SRC, f)), THIS_FILE];
  const newest = Math.max(...inputs.map((p) => statSync(p).mtimeMs));
  if (existsSync(out) && statSync(out).mtimeMs >= newest) return out;
  mkdirSync(dirname(out), { recursive: true });
  step(`wvctl: mvm/wvctl -> ${rel(out)} (${cc})`);
  run(cc, [...CFLAGS, ...extraFlags, "-o", out, ...wvctlSources()]);
  return out;
}

/** build/mvm/wvctl: static (the initramfs has no libc) and stripped. */
export function buildWvctl(): string {
  return compileWvctl(CROSS_CC, WVCTL_OUT, ["-static", "-s"]);
}

/** What the initramfs holds of wvctl: the program and its CGI script under busybox httpd's home (/www). */
export function wvctlEntries(program: Uint8Array, cgi: string = readFileSync(WVCTL_CGI, "utf8")): CpioEntry[] {
  return [
    { kind: "file", path: "bin/wvctl", data: program, mode: 0o755 },
    { kind: "dir", path: "www", mode: 0o755 },
    { kind: "dir", path: "www/cgi-bin", mode: 0o755 },
    { kind: "file", path: "www/cgi-bin/wvctl", data: Buffer.from(cgi, "utf8"), mode: 0o755 },
  ];
}

/** The initramfs entries of the wvctl just built. */
export function builtWvctlEntries(): CpioEntry[] {
  return wvctlEntries(readFileSync(buildWvctl()));
}
