// The device trees of a checked VM set: for every VM with a linux or kernel section,
// <dir>/<vm>.dts (kept for readers) and <dir>/<vm>.dtb, compiled by dtc. The VM's
// generated image (the dtb of its linux or kernel section) then points at the .dtb,
// with its real size, which must fit in the room the layout kept for it.
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { BoardDescription, VmSet } from "../config/index.ts";
import { bootTree, DTB_ROOM, hex } from "../config/index.ts";
import { writeIfChanged } from "../build/payload.ts";
import { compileDts, DtcError } from "./dtc.ts";
import { deviceTreeSource } from "./dts.ts";

export interface BuiltDeviceTree { vm: string; dts: string; dtb: string; size: number }

/** Write and compile, into `dir`, the device tree of every VM of `set` with a linux or kernel section. Throws naming the config file and field. */
export function buildDeviceTrees(set: VmSet, board: BoardDescription, dir: string): BuiltDeviceTree[] {
  const built: BuiltDeviceTree[] = [];
  for (const vm of set.vms) {
    const tree = bootTree(vm);
    if (!tree) continue;
    const at = `${set.file}: vms[${vm.index}].${vm.linux ? "linux" : "kernel"}`;
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
    const room = tree.dtb.extent ?? DTB_ROOM;
    if (BigInt(bytes.length) > room) {
      throw new Error(`${at}: the generated device tree is ${bytes.length} bytes, more than the ${hex(room)} bytes ` +
        `kept for it at ${hex(tree.dtb.ipa)}`);
    }
    writeIfChanged(dtb, bytes);
    tree.dtb.path = dtb;
    tree.dtb.size = bytes.length;
    built.push({ vm: vm.name, dts, dtb, size: bytes.length });
  }
  return built;
}
