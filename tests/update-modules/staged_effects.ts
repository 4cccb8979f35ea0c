// Refused by a live update in its dry run: handed a VM's state, it tries to act on the
// running VM (reset vCPU 0's SCTLR_EL1, copy an image over its RAM, stop it) before it is
// swapped in. A staged instance has no effect: the runtime refuses each import, and the
// update, naming the first.
export * from "./abi";

@external("wv", "sysreg_write")
declare function sysreg_write(vcpu: i32, reg: i32, value: i64): i32;
@external("wv", "image_load")
declare function image_load(image: i32, ipa: i64): i64;
@external("wv", "vm_stop")
declare function vm_stop(): void;

/** WV_SYSREG_SCTLR_EL1 (runtime-c/include/wv_sysregs.h). */
const SYSREG_SCTLR_EL1 = 1;
/** Where every VM of the test configs has RAM. */
const RAM_IPA: i64 = 0x40000000;

export function wv_abi_version(): i32 { return 3; }
export function wv_restore(src: i32, len: i32, version: i32): i32 {
  sysreg_write(0, SYSREG_SCTLR_EL1, 0);
  image_load(0, RAM_IPA);
  vm_stop();
  return 0;   // claims success whatever the imports answered: the runtime must not trust it
}
