// A hostile core module whose wv_init recurses inside 24 nested loops: wasm3 runs each
// loop in a native frame of its own, so a call level costs far more native stack than
// the bound on call depth allows for (docs/architecture.md, "The EL2 stacks", and its
// "Limits today"). The recursion gets past that bound and reaches the guard page below
// the CPU's EL2 stack; guard.test.ts checks that this ends in the panic naming the
// CPU, printed from the emergency stack, not in a loop of faults or another CPU's stack.
const REC: usize = memory.data(320, 8);
const BUF: usize = memory.data(4096, 8);

export function wv_abi_version(): i32 { return 2; }
export function wv_exit_record(): i32 { return <i32>REC; }
export function wv_buffer(size: i32): i32 { return size > 0 && size <= 4096 ? <i32>BUF : 0; }
export function wv_handle_exit(vcpu: i32): i32 { return 2; }
export function wv_nop(): void {}

/** Read by every loop's condition: loops with no locals, so a call level takes the least
 * Wasm stack wasm3 gives a call (one 8-byte slot pair) and the most native stack. */
let again: bool = true;

function deeper(): void {
  do { do { do { do { do { do {
  do { do { do { do { do { do {
  do { do { do { do { do { do {
  do { do { do { do { do { do {
    deeper();
  } while (again) } while (again) } while (again) } while (again) } while (again) } while (again)
  } while (again) } while (again) } while (again) } while (again) } while (again) } while (again)
  } while (again) } while (again) } while (again) } while (again) } while (again) } while (again)
  } while (again) } while (again) } while (again) } while (again) } while (again) } while (again)
}

export function wv_init(vm: i32, blob: i32, len: i32): i32 {
  deeper();
  return -1;
}
