// Before any test boots a machine: every QEMU command line the tests and the demo use
// must start. QEMU checks its firmware files, ROMs and devices while it builds the
// machine, before the first guest instruction, so each line is started with -S (CPUs
// held) and its monitor on stdin told to quit: a line that builds its machine exits 0;
// one that cannot exits at once with QEMU's reason, which is turned into the package
// that provides what is missing. A package left out by a minimal install (ipxe-qemu:
// --no-install-recommends skips it, and virtio-net then lacks efi-virtio.rom) fails
// here, naming the package, instead of failing every integration test.
import { readdirSync, readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ROOT } from "../lib/paths.ts";
import { loadBoard, BOARDS_DIR } from "../config/board.ts";
import { expandQemuArgs, usesPort } from "../config/qemu_args.ts";
import { directMachine } from "../run/direct.ts";

export interface QemuLine { what: string; args: string[] }

/** What QEMU says when a file is missing, and the Debian package that ships it. */
const MISSING: { re: RegExp; pkg: string }[] = [
  { re: /failed to find romfile "(efi|pxe)-/, pkg: "ipxe-qemu" },
  { re: /Could not (find|load) (ROM|PC BIOS|firmware)/i, pkg: "qemu-system-data" },
  { re: /failed to find romfile/, pkg: "qemu-system-data" },
];

/** The package that provides what QEMU's error message misses, or null if it names none we know. */
export function packageFor(message: string): string | null {
  for (const m of MISSING) if (m.re.test(message)) return m.pkg;
  return null;
}

/**
 * Every command line the runs use: each board's machine, the same machine booted
 * without the hypervisor (the direct runs of tests and bench: virtualization off), and
 * each config's extra arguments on its board. `port` fills a config's {port}.
 */
export function qemuLines(port: number): QemuLine[] {
  const lines: QemuLine[] = [];
  const boards = readdirSync(BOARDS_DIR).filter((b) => !b.startsWith("."));
  for (const b of boards) {
    const board = loadBoard(b);
    lines.push({ what: `board ${b}`, args: board.qemu });
    lines.push({ what: `board ${b} without the hypervisor`, args: directMachine(board.qemu, 2) });
  }
  const dir = join(ROOT, "vmconfigs");
  for (const f of readdirSync(dir).filter((n) => n.endsWith(".json") && n !== "schema.json").sort()) {
    let raw: { board?: unknown; qemu?: { args?: unknown } };
    try { raw = JSON.parse(readFileSync(join(dir, f), "utf8")); } catch { continue; }   // the config checks report it
    const extra = raw.qemu?.args;
    if (!Array.isArray(extra) || extra.length === 0 || !extra.every((a) => typeof a === "string")) continue;
    const board = loadBoard(typeof raw.board === "string" ? raw.board : "qemu-virt");
    const args = expandQemuArgs(extra as string[], usesPort(extra as string[]) ? { port } : {});
    lines.push({ what: `vmconfigs/${f}`, args: [...board.qemu, ...args] });
  }
  return lines;
}

/** Start `line` with its CPUs held and quit at once: "" when QEMU built the machine, else its reason. */
export function tryQemu(line: QemuLine): string {
  const r = spawnSync("qemu-system-aarch64",
    [...line.args, "-S", "-display", "none", "-serial", "null", "-monitor", "stdio"],
    { input: "quit\n", encoding: "utf8", timeout: 60_000 });
  if (r.error) return `cannot run qemu-system-aarch64: ${r.error.message}`;
  if (r.status === 0) return "";
  return (r.stderr || r.stdout || `exit ${r.status}`).trim().split("\n").slice(-5).join("\n");
}

/** Check every line; throws one error listing each that cannot start, with the package to install. */
export function checkQemuLines(port: number): number {
  const lines = qemuLines(port);
  const bad: string[] = [];
  for (const l of lines) {
    const why = tryQemu(l);
    if (!why) continue;
    const pkg = packageFor(why);
    bad.push(`${l.what}: qemu-system-aarch64 ${l.args.join(" ")}\n  ${why.replace(/\n/g, "\n  ")}` +
      (pkg ? `\n  missing Debian package: ${pkg} (apt-get install ${pkg}; tools/setup/pins.json lists it)` : ""));
  }
  if (bad.length) throw new Error(`QEMU cannot start ${bad.length} of the ${lines.length} machines the runs use:\n${bad.join("\n")}`);
  return lines.length;
}
