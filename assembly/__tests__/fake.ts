// The test side of fake_host.js: what the fake `wv` imports recorded, and knobs
// that make them refuse. Only specs import this file.

@external("wvfake", "reset") export declare function fakeReset(): void;
@external("wvfake", "console_count") export declare function consoleCount(): i32;
@external("wvfake", "pmu_get") export declare function pmuGet(reg: i32): u64;
@external("wvfake", "pmu_set") export declare function pmuSet(reg: i32, v: u64): void;
@external("wvfake", "pmu_write_count") export declare function pmuWriteCount(): i32;
@external("wvfake", "pmu_refused") export declare function pmuRefused(): i32;
@external("wvfake", "console_get") declare function consoleGet(i: i32, dst: usize, cap: i32): i32;
@external("wvfake", "s2_tables") export declare function s2Tables(): i32;
@external("wvfake", "s2_entry") export declare function s2Entry(table: i32, index: i32): u64;
@external("wvfake", "s2_entry_level") export declare function s2EntryLevel(table: i32, index: i32): i32;
@external("wvfake", "s2_entry_count") export declare function s2EntryCount(): i32;
@external("wvfake", "s2_set_calls") export declare function s2SetCalls(): i32;
@external("wvfake", "s2_limit_tables") export declare function s2LimitTables(n: i32): void;
@external("wvfake", "s2_refuse_after") export declare function s2RefuseAfter(n: i32, code: i32): void;
@external("wvfake", "activate_root") export declare function activateRoot(): i32;
@external("wvfake", "activate_bits") export declare function activateBits(): i32;
@external("wvfake", "image_calls") export declare function imageCalls(): i32;
@external("wvfake", "image_index") export declare function imageIndex(i: i32): i32;
@external("wvfake", "image_ipa") export declare function imageIpa(i: i32): u64;
@external("wvfake", "set_image_result") export declare function setImageResult(v: i64): void;
@external("wvfake", "boot_calls") export declare function bootCalls(): i32;
@external("wvfake", "boot_vcpu") export declare function bootVcpu(i: i32): i32;
@external("wvfake", "boot_pc") export declare function bootPc(i: i32): u64;
@external("wvfake", "boot_x0") export declare function bootX0(i: i32): u64;
@external("wvfake", "set_boot_result") export declare function setBootResult(v: i32): void;
@external("wvfake", "stop_count") export declare function stopCount(): i32;
// Interrupts: list registers and ICH_HCR_EL2 of the physical CPU chosen with setCpu.
@external("wvfake", "set_cpu") export declare function setCpu(cpu: i32): void;
@external("wvfake", "set_lr_count") export declare function setLrCount(n: i32): void;
@external("wvfake", "lr_get") export declare function lrGet(i: i32): u64;
@external("wvfake", "lr_set") export declare function lrSet(i: i32, v: u64): void;
@external("wvfake", "lr_writes") export declare function lrWrites(): i32;
@external("wvfake", "lr_reads") export declare function lrReads(): i32;
@external("wvfake", "status_calls") export declare function statusCalls(): i32;
@external("wvfake", "lr_refuse_hw") export declare function lrRefuseHw(on: i32): void;
@external("wvfake", "hcr") export declare function fakeHcr(): u32;
@external("wvfake", "misr") export declare function fakeMisr(): u32;
@external("wvfake", "kick_count") export declare function kickCount(): i32;
@external("wvfake", "kick_vcpu") export declare function kickVcpu(i: i32): i32;
@external("wvfake", "set_kick_result") export declare function setKickResult(r: i32): void;
@external("wvfake", "irq_set_count") export declare function irqSetCount(): i32;
@external("wvfake", "irq_set_intid") export declare function irqSetIntid(i: i32): i32;
@external("wvfake", "irq_set_enable") export declare function irqSetEnable(i: i32): i32;
@external("wvfake", "set_irq_set_result") export declare function setIrqSetResult(r: i32): void;
// Guest RAM behind guest_read/guest_write (refused outside the windows added), and the channel.
@external("wvfake", "guest_ram_add") export declare function guestRamAdd(ipa: u64, size: u64): void;
@external("wvfake", "guest_poke") export declare function guestPoke(ipa: u64, src: usize, len: i32): i32;
@external("wvfake", "guest_peek") export declare function guestPeek(ipa: u64, dst: usize, len: i32): i32;
@external("wvfake", "guest_reads") export declare function guestReads(): i32;
@external("wvfake", "guest_writes") export declare function guestWrites(): i32;
@external("wvfake", "guest_stray") export declare function guestStray(): i32;
@external("wvfake", "chan_count") export declare function chanCount(): i32;
@external("wvfake", "chan_get") export declare function chanGet(i: i32, dst: usize, cap: i32): i32;
@external("wvfake", "chan_refused") export declare function chanRefused(): i32;
@external("wvfake", "set_chan_result") export declare function setChanResult(r: i32): void;
// EL1 registers behind sysreg_read/sysreg_write (ids of runtime-c/include/wv_sysregs.h).
@external("wvfake", "sysreg_get") export declare function sysregGet(vcpu: i32, reg: i32): u64;
@external("wvfake", "sysreg_set") export declare function sysregSet(vcpu: i32, reg: i32, value: u64): void;
@external("wvfake", "sysreg_writes") export declare function sysregWrites(): i32;
@external("wvfake", "set_sysreg_result") export declare function setSysregResult(r: i32): void;

const TEXT_CAP: i32 = 512;
const TEXT_BUF: usize = memory.data(TEXT_CAP);

/** Console write `i` as a string (negative counts from the last); "" if there is none. */
export function consoleText(i: i32): string {
  const n = consoleGet(i, TEXT_BUF, TEXT_CAP);
  if (n < 0) return "";
  return String.UTF8.decodeUnsafe(TEXT_BUF, <usize>n);
}

/** What chan_send call `i` took (negative counts from the last), Latin-1; "" if there is none. */
export function chanText(i: i32): string {
  const n = chanGet(i, TEXT_BUF, TEXT_CAP);
  if (n < 0) return "";
  let s = "";
  for (let k = 0; k < n; k++) s += String.fromCharCode(load<u8>(TEXT_BUF + <usize>k));
  return s;
}

/** The last console write. */
export function lastConsole(): string {
  return consoleText(-1);
}
