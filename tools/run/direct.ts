// Boot a VM's images on QEMU without the hypervisor, the way the core sets the VM up:
// every image copied to its IPA (QEMU's generic loader device), and vCPU 0 entered at
// `entry` with x0 = the device tree (x1..x3 = 0) by a six-instruction stub, since
// QEMU's own boot code would rewrite the device tree. Only meaningful when the VM's
// IPAs are real addresses of QEMU's RAM (a config whose memory has ipa = pa).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Vm } from "../config/index.ts";
import { inside } from "../config/values.ts";

/** The stub: ldr x0, =dtb; mov x1..x3, xzr; ldr x4, =entry; br x4; then the two literals. */
export function entryStub(dtb: bigint, entry: bigint): Buffer {
  const code = [
    0x580000c0, // ldr x0, .+24   (the dtb literal)
    0xaa1f03e1, // mov x1, xzr
    0xaa1f03e2, // mov x2, xzr
    0xaa1f03e3, // mov x3, xzr
    0x58000084, // ldr x4, .+16   (the entry literal)
    0xd61f0080, // br  x4
  ];
  const b = Buffer.alloc(code.length * 4 + 16);
  code.forEach((w, i) => b.writeUInt32LE(w, i * 4));
  b.writeBigUInt64LE(dtb, 24);
  b.writeBigUInt64LE(entry, 32);
  return b;
}

export const STUB_SIZE = 40n;

/** Where the stub can go: the lowest 4 KiB-aligned spot of the VM's RAM, at a region's start or after an image, that no image takes. */
export function stubAddress(vm: Vm): bigint {
  const taken = vm.images.map((im) => [im.ipa, im.extent ?? BigInt(im.size)] as const);
  const candidates = [...vm.memory.map((r) => r.ipa), ...taken.map(([b, n]) => (b + n + 0xfffn) & ~0xfffn)].sort((a, b) =>
    (a < b ? -1 : a > b ? 1 : 0));
  const free = candidates.find((a) => vm.memory.some((r) => inside(a, STUB_SIZE, r.ipa, r.size)) &&
    !taken.some(([b, n]) => a < b + n && b < a + STUB_SIZE));
  if (free === undefined) throw new Error(`vm ${vm.name}: no free room in its memory for the entry stub`);
  return free;
}

/** QEMU arguments that load `vm`'s images and enter it; the stub is written into `dir`. */
export function directBootArgs(vm: Vm, dir: string): string[] {
  if (vm.dtb === null) throw new Error(`vm ${vm.name} has no device tree to boot with`);
  for (const im of vm.images) {
    if (!im.path) throw new Error(`vm ${vm.name}: image ${im.file} is not built`);
    if (!vm.memory.some((r) => inside(im.ipa, BigInt(im.size), r.ipa, r.size))) {
      throw new Error(`vm ${vm.name}: image ${im.file} is outside the VM's memory`);
    }
  }
  mkdirSync(dir, { recursive: true });
  const stub = join(dir, `${vm.name}-entry-stub.bin`);
  writeFileSync(stub, entryStub(vm.dtb, vm.entry));
  const at = stubAddress(vm);
  const load = (file: string, addr: bigint) => ["-device", `loader,file=${file},addr=0x${addr.toString(16)},force-raw=on`];
  return [
    ...vm.images.flatMap((im) => load(im.path, im.ipa)),
    ...load(stub, at),
    "-device", `loader,addr=0x${at.toString(16)},cpu-num=0`,
  ];
}

/**
 * The board's machine without the hypervisor: no EL2 (`virtualization=on` dropped, so the
 * guest starts at EL1 as under the hypervisor, and QEMU answers PSCI through HVC) and
 * `cpus` CPUs. Memory and the rest stay.
 */
export function directMachine(machine: string[], cpus: number): string[] {
  const out = [...machine];
  const m = out.indexOf("-M") >= 0 ? out.indexOf("-M") : out.indexOf("-machine");
  if (m < 0 || m + 1 >= out.length) throw new Error(`no -M in the machine arguments ${machine.join(" ")}`);
  out[m + 1] = out[m + 1]!.split(",").filter((p) => p !== "virtualization=on" && p !== "virtualization=true").join(",");
  const s = out.indexOf("-smp");
  if (s >= 0 && s + 1 < out.length) out[s + 1] = String(cpus);
  else out.push("-smp", String(cpus));
  return out;
}
