// Fill the exit record the way the runtime does before wv_handle_exit.

import { exitRecord, EXIT_ESR, EXIT_FAR, EXIT_HPFAR, EXIT_PC, EXIT_SPSR, EXIT_X } from "../abi/exit_record";

export const IL: u64 = 1 << 25;
export const START_PC: u64 = 0x40080000;

export function setReg(n: u32, v: u64): void { store<u64>(exitRecord + EXIT_X + (<usize>n << 3), v); }
export function reg(n: u32): u64 { return load<u64>(exitRecord + EXIT_X + (<usize>n << 3)); }
export function pc(): u64 { return load<u64>(exitRecord + EXIT_PC); }
export function spsr(): u64 { return load<u64>(exitRecord + EXIT_SPSR); }
export function setSpsr(v: u64): void { store<u64>(exitRecord + EXIT_SPSR, v); }

/** Clear the record and set ESR_EL2 and the PC. */
export function exitWith(esr: u64): void {
  memory.fill(exitRecord, 0, 320);
  store<u64>(exitRecord + EXIT_ESR, esr);
  store<u64>(exitRecord + EXIT_PC, START_PC);
}

/** A stage-2 abort at `ipa`: HPFAR_EL2 holds IPA[47:12] in [39:4], FAR_EL2 the page offset. */
export function faultAt(ipa: u64): void {
  store<u64>(exitRecord + EXIT_HPFAR, (ipa >> 12) << 4);
  store<u64>(exitRecord + EXIT_FAR, 0xffff000000000000 | (ipa & 0xfff));
}

export function hvcEsr(imm: u32): u64 { return (<u64>0x16 << 26) | IL | <u64>imm; }

export function dabtEsr(isv: u32, sas: u32, sse: u32, srt: u32, sf: u32, wnr: u32, dfsc: u32): u64 {
  return (<u64>0x24 << 26) | IL | <u64>((isv << 24) | (sas << 22) | (sse << 21) | (srt << 16)
    | (sf << 15) | (wnr << 6) | dfsc);
}

/** An instruction abort from a lower EL with fault status `ifsc`. */
export function iabtEsr(ifsc: u32): u64 { return (<u64>0x20 << 26) | IL | <u64>ifsc; }
