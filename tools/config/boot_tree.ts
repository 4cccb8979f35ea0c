import type { BootTree, Vm } from "./types.ts";

/** The generated device tree's contents of a VM with a linux or kernel section; null for a VM without one. */
export function bootTree(vm: Vm): BootTree | null {
  return vm.linux ?? vm.kernel;
}

