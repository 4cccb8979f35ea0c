// Programs built for QEMU's virt machine boot unchanged in a VM (vmconfigs/qemu-kernel.json,
// tools/config/kernel.ts): guest-fdt as a raw binary and as an ELF, each with a generated
// device tree, command line and (raw) initrd, finds its device tree where QEMU's -kernel
// would hand it over and prints /chosen. The same files booted straight on QEMU
// (-kernel, -initrd, -append) print the same lines: proof that they really are QEMU
// virt programs and that the VM gives them what QEMU does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { prepareVmSet } from "../../tools/build/image.ts";
import { runQemu } from "../../tools/run/qemu.ts";
import { boot, tail } from "./boot.ts";

const TIMEOUT_MS = 60_000;
/** What each form prints, from "fdt: at" to READY (the raw form's device tree follows its initrd). */
const WANT: Record<"raw" | "elf", (bootargs: string) => string[]> = {
  raw: (a) => ["fdt: at 0x44200000 (x0)", `chosen: bootargs "${a}"`, "chosen: initrd 0x44000000..0x44000036",
    "initrd: starts with WVINITRD", "READY fdt"],
  elf: (a) => ["fdt: at 0x40000000 (start of RAM, x0 = 0)", `chosen: bootargs "${a}"`, "chosen: no initrd", "READY fdt"],
};

/** The lines of `vm` (prefix stripped) from its "fdt: at" line to its READY line. */
function report(lines: string[], prefix: string): string[] {
  const own = lines.filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length));
  const start = own.findIndex((l) => l.startsWith("fdt: at"));
  const end = own.indexOf("READY fdt");
  return start >= 0 && end >= start ? own.slice(start, end + 1) : own;
}

test("the raw and the ELF form boot in VMs with a generated device tree, command line and initrd", async () => {
  const r = await boot("qemu-kernel", "READY fdt from both VMs",
    (_l, all) => all.includes("[raw] READY fdt") && all.includes("[elf] READY fdt"), TIMEOUT_MS);
  const ctx = `\nconsole:\n${tail(r.lines, 30)}`;
  for (const vm of ["raw", "elf"] as const) {
    const bootargs = r.image.set.vms.find((v) => v.name === vm)!.kernel!.bootargs;
    assert.deepEqual(report(r.lines, `[${vm}] `), WANT[vm](bootargs), `vm ${vm}` + ctx);
  }
});

test("the same files booted straight on QEMU virt (-kernel, -initrd, -append) print the same lines", async () => {
  const p = prepareVmSet("qemu-kernel");
  const raw = p.set.vms.find((v) => v.name === "raw")!.kernel!;
  const elfPath = p.set.vms.find((v) => v.name === "elf")!.kernel!.parts[0]!.segment!.source;
  const machine = ["-M", "virt", "-cpu", "cortex-a72", "-m", "128"];
  for (const [vm, kernel] of [["raw", raw.parts[0]!.path], ["elf", elfPath]] as const) {
    const bootargs = `console=ttyAMA0 wv.form=${vm} direct`;
    // QEMU loads no initrd for an ELF (hw/arm/boot.c): it is given anyway, and ignored.
    const r = await runQemu({
      elf: kernel, machine, timeoutMs: TIMEOUT_MS, extra: ["-initrd", raw.initrd!.path, "-append", bootargs],
      onLine: (line) => line === "READY fdt" || line.includes("ERROR"),
    });
    assert.deepEqual(report(r.lines, ""), WANT[vm](bootargs), `${vm} on QEMU (${kernel}), run ended "${r.end}":\n${tail(r.lines)}`);
  }
});
