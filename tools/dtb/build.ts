// The device trees of a checked VM set: for every VM with a linux section,
// <dir>/<vm>.dts (kept for readers) and <dir>/<vm>.dtb, compiled by dtc. The VM's
// generated image (vm.linux.dtb) then points at the .dtb, with its real size, which
// must fit in the room the layout kept for it.
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { BoardDescription, VmSet } from "../config/index.ts";
import { DTB_ROOM, hex } from "../config/index.ts";
import { writeIfChanged } from "../build/payload.ts";
import { compileDts, DtcError } from "./dtc.ts";
import { deviceTreeSource } from "./dts.ts";

export interface BuiltDeviceTree { vm: string; dts: string; dtb: string; size: number }

/** Write and compile the device tree of every Linux VM of `set` into `dir`. Throws naming the config file and field. */
export function buildDeviceTrees(set: VmSet, board: BoardDescription, dir: string): BuiltDeviceTree[] {
  const built: BuiltDeviceTree[] = [];
  for (const vm of set.vms) {
    if (!vm.linux) continue;
    const at = `${set.file}: vms[${vm.index}].linux`;
    mkdirSync(dir, { recursive: true });
    const dts = join(dir, `${vm.name}.dts`);
    const dtb = join(dir, `${vm.name}.dtb`);
    const tmp = `${dtb}.tmp`;
    writeIfChanged(dts, deviceTreeSource(vm, board));
    let warnings: string;
    try {
      warnings = compileDts(dts, tmp);
    } catch (e) {
      throw new Error(`${at}: the generated device tree does not compile: ${e instanceof DtcError ? e.message : String(e)}`);
    }
    if (warnings) throw new Error(`${at}: dtc warns about the generated device tree ${dts}:\n${warnings}`);
    const bytes = readFileSync(tmp);
    rmSync(tmp, { force: true });
    const room = vm.linux.dtb.extent ?? DTB_ROOM;
    if (BigInt(bytes.length) > room) {
      throw new Error(`${at}: the generated device tree is ${bytes.length} bytes, more than the ${hex(room)} bytes ` +
        `kept for it at ${hex(vm.linux.dtb.ipa)}`);
    }
    writeIfChanged(dtb, bytes);
    vm.linux.dtb.path = dtb;
    vm.linux.dtb.size = bytes.length;
    built.push({ vm: vm.name, dts, dtb, size: bytes.length });
  }
  return built;
}
