// The VM's exits by class (core/layout.ts VM_EXITS_OFF), for management (wv_vm_info):
// counted by arch/exits.ts, in u32 in core layout 3 and in u64 in layout 4 (the second
// build variant, core/variant.ts). The readers and writers below take the layout
// version, so that the conversions (core/state_core.ts) handle both in any build.

import { STATE, STATE_LAYOUT_VERSION, VM_EXITS_OFF, VM_EXIT_BYTES, VM_EXIT_CLASSES } from "./layout";

/** The first core layout with the counters. */
const COUNTERS_SINCE: u32 = 3;
/** The core layout whose counters are u64. */
const COUNTERS_WIDE: u32 = 4;

/** Bytes of one counter in a core block of layout `version`; 0 before version 3. */
export function exitCounterBytes(version: u32): usize {
  if (version < COUNTERS_SINCE || version > COUNTERS_WIDE) return 0;
  return version == COUNTERS_WIDE ? 8 : 4;
}

/** Counter `cls` of the core block at `p` in layout `version` (0 where it has none). */
export function exitCounterRead(p: usize, version: u32, cls: u32): u64 {
  const bytes = exitCounterBytes(version);
  if (bytes == 0 || cls >= VM_EXIT_CLASSES) return 0;
  const a = p + VM_EXITS_OFF + <usize>cls * bytes;
  return bytes == 8 ? load<u64>(a) : <u64>load<u32>(a);
}

/**
 * Set counter `cls` of the core block at `p` in layout `version`. A u32 counter keeps the
 * low 32 bits: what it would hold had it counted all along (it wraps).
 */
export function exitCounterWrite(p: usize, version: u32, cls: u32, value: u64): void {
  const bytes = exitCounterBytes(version);
  if (bytes == 0 || cls >= VM_EXIT_CLASSES) return;
  const a = p + VM_EXITS_OFF + <usize>cls * bytes;
  if (bytes == 8) store<u64>(a, value);
  else store<u32>(a, <u32>value);
}

/** One more exit of class `cls` (VM_EXIT_*) for the VM: on the exit path, so no checks. */
@inline export function vmCountExit(cls: u32): void {
  const a = STATE + VM_EXITS_OFF + <usize>cls * VM_EXIT_BYTES;
  if (VM_EXIT_BYTES == 8) store<u64>(a, load<u64>(a) + 1);
  else store<u32>(a, load<u32>(a) + 1);
}

/** Exits of class `cls` the VM took (VM_EXIT_*). */
export function vmExitCount(cls: u32): u64 {
  return exitCounterRead(STATE, STATE_LAYOUT_VERSION, cls);
}
