// A hostile core module: it exports the core ABI (docs/abi.md 2) but, instead of
// building its VM, spends wv_init trying to break out through every effectful import.
// The integration test bad_core.test.ts boots it and checks each attempt was refused
// with the documented error and that the hypervisor stayed up.

@external("wv", "console_write") declare function console_write(ptr: usize, len: i32): void;
@external("wv", "s2_table_new") declare function s2_table_new(): i32;
@external("wv", "s2_set_entry") declare function s2_set_entry(table: i32, index: i32, level: i32, desc: u64): i32;
@external("wv", "s2_activate") declare function s2_activate(root: i32, bits: i32): i32;
@external("wv", "guest_read") declare function guest_read(ipa: u64, dst: usize, len: i32): i32;
@external("wv", "guest_write") declare function guest_write(ipa: u64, src: usize, len: i32): i32;
@external("wv", "image_load") declare function image_load(image: i32, ipa: u64): i64;
@external("wv", "vcpu_boot") declare function vcpu_boot(vcpu: i32, pc: u64, x0: u64): i32;
@external("wv", "sysreg_write") declare function sysreg_write(vcpu: i32, reg: i32, value: u64): i32;

const BUF: usize = memory.data(256, 8);
const REC: usize = memory.data(320 * 8, 8);   // one exit record per vCPU index (docs/abi.md 2)
const CFG: usize = memory.data(16 + 8 * 640, 8);
const OUT: usize = memory.data(128, 8);

// Stage-2 block attributes the runtime accepts: Normal WB, read/write, inner shareable, AF.
const ATTRS: u64 = (0xf << 2) | (3 << 6) | (3 << 8) | (1 << 10);
const BLOCK: u64 = 0b01;
const TABLE: u64 = 0b11;
const HYP_PA: u64 = 0x40000000;     // the hypervisor's own memory (boards/qemu-virt)

function say(vm: i32, what: string, rc: i64): void {
  let o: usize = 0;
  const head = "[hostile] vm ";
  for (let i = 0; i < head.length; i++) store<u8>(OUT + o++, <u8>head.charCodeAt(i));
  store<u8>(OUT + o++, <u8>(0x30 + vm));
  store<u8>(OUT + o++, 0x20);
  for (let i = 0; i < what.length; i++) store<u8>(OUT + o++, <u8>what.charCodeAt(i));
  store<u8>(OUT + o++, 0x3a);
  store<u8>(OUT + o++, 0x20);
  if (rc < 0) { store<u8>(OUT + o++, 0x2d); rc = -rc; }
  store<u8>(OUT + o++, <u8>(0x30 + <i32>rc % 10));
  store<u8>(OUT + o++, 0x0a);
  console_write(OUT, <i32>o);
}

export function wv_abi_version(): i32 { return 3; }
export function wv_state_version(): i32 { return 1; }
export function wv_buffer(size: i32): i32 { return size > 0 && size <= 16 + 8 * 640 ? <i32>CFG : 0; }
export function wv_exit_record(): i32 { return <i32>REC; }
export function wv_handle_exit(vcpu: i32): i32 { return 2; }
export function wv_nop(): void {}
export function wv_state_size(): i32 { return 0; }
export function wv_save(dst: i32, cap: i32): i32 { return -1; }
export function wv_restore(src: i32, len: i32, version: i32): i32 { return -1; }
// ABI 2's live-update and management exports: it has no state to hand over and refuses.
export function wv_state_buffer(size: i32): i32 { return 0; }
export function wv_save_as(dst: i32, cap: i32, version: i32): i32 { return -1; }
export function wv_state_restorable(version: i32): i32 { return 0; }
export function wv_self_check(): i32 { return -1; }
export function wv_vm_info(dst: i32, cap: i32): i32 { return -1; }
export function wv_core_version(): i32 { return 0; }
export function wv_variant(): i32 { return 1; }

export function wv_init(vm: i32, blob: i32, len: i32): i32 {
  // This VM's RAM and the other demo VM's (vmconfigs/demo.json).
  const own: u64 = vm == 0 ? 0x50000000 : 0x51000000;
  const other: u64 = vm == 0 ? 0x51000000 : 0x50000000;
  say(vm, "root table", s2_table_new());
  say(vm, "vcpu_boot before stage 2 is active", vcpu_boot(0, 0x40000000, 0));
  say(vm, "map the hypervisor's memory", s2_set_entry(0, 1, 1, HYP_PA | ATTRS | BLOCK));
  say(vm, "level-2 table", s2_table_new());
  say(vm, "link it", s2_set_entry(0, 1, 1, (<u64>1 << 12) | TABLE));
  say(vm, "map the other VM's memory", s2_set_entry(1, 128, 2, other | ATTRS | BLOCK));
  say(vm, "page descriptor written as level 3 into the level-1 root", s2_set_entry(0, 2, 3, own | ATTRS | TABLE));
  say(vm, "unlinked table", s2_table_new());
  say(vm, "write into an unlinked table", s2_set_entry(2, 0, 2, own | ATTRS | BLOCK));
  say(vm, "link the root as a child", s2_set_entry(1, 0, 2, TABLE));
  say(vm, "link a level-2 table as level 3", s2_set_entry(1, 1, 2, (<u64>1 << 12) | TABLE));
  say(vm, "stray descriptor bits", s2_set_entry(1, 129, 2, own | ATTRS | BLOCK | (<u64>1 << 63)));
  say(vm, "IPA space of 48 bits", s2_activate(0, 48));
  say(vm, "guest_write outside the VM", guest_write(0x20000000, BUF, 16));
  say(vm, "guest_read past Wasm memory", guest_read(0x40000000, 0xfffffff0, 64));
  say(vm, "image_load of a missing image", image_load(99, 0x40000000));
  say(vm, "image_load outside the VM", image_load(0, 0x10000000));
  say(vm, "sysreg_write off the allow-list", sysreg_write(0, 99, 0));
  say(vm, "sysreg_write of a vCPU it lacks", sysreg_write(7, 1, 0));
  // Each VM of the demo loads one image, VM n the n-th of the image table.
  say(vm, "image_load of the other VM's image", image_load(vm == 0 ? 1 : 0, 0x40000000));
  say(vm, "activate stage 2", s2_activate(0, 32));
  say(vm, "change an entry of the active stage 2", s2_set_entry(1, 130, 2, own | ATTRS | BLOCK));
  say(vm, "sysreg_write of ESR_EL1 outside an exit", sysreg_write(0, 8, 0));
  console_write(0xffffff00, 1000);
  return -1;
}
