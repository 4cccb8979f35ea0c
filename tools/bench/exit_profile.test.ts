// The exit profile's reading of QEMU's execution log: exits cut from the vector to the
// first block at another exception level, blocks charged to their functions, the most
// common exits first.
import { test } from "node:test";
import assert from "node:assert/strict";
import { profileExits } from "./exit_profile.ts";

const syms = [{ addr: 0x1000, name: "lower_sync" }, { addr: 0x1100, name: "wv_trap" }, { addr: 0x1200, name: "wv_guest_enter" }];
const regions = [{ start: 0x9000, end: 0xa000, name: "core (native code)" }];
const EL2 = "00000061", EL1 = "00000121";

/** One translation block: its IN: listing (n instructions) the first time, then a Trace line. */
function block(host: string, pc: number, flags: string, n: number, first: boolean, cpu = 1): string {
  const listing = first ? ["----------------", "IN: ", ...Array.from({ length: n }, (_, i) => `0x${(pc + 4 * i).toString(16)}:  d503201f  nop`), ""] : [];
  return [...listing, `Trace ${cpu}: ${host} [0000000000000000/${pc.toString(16).padStart(16, "0")}/${flags}/ff020200] `].join("\n");
}

test("exits are cut at the vector and at the guest's next block, and charged to their functions", () => {
  const seen = new Set<string>();
  const b = (host: string, pc: number, flags: string, n: number, cpu = 1) => {
    const first = !seen.has(host);
    seen.add(host);
    return block(host, pc, flags, n, first, cpu);
  };
  const hypercall = () => [b("0xa0", 0x1000, EL2, 30), b("0xa1", 0x1100, EL2, 45), b("0xa2", 0x9000, EL2, 140),
    b("0xa3", 0x1200, EL2, 27), b("0xb0", 0x40000000, EL1, 5)];
  const mmio = () => [b("0xa0", 0x1000, EL2, 30), b("0xa1", 0x1100, EL2, 45), b("0xa4", 0x9100, EL2, 265),
    b("0xa3", 0x1200, EL2, 27), b("0xb0", 0x40000000, EL1, 5)];
  const log = [
    b("0xc0", 0x2000, EL2, 7),                      // boot: before any vector, not an exit
    ...hypercall(), ...hypercall(), ...hypercall(), ...mmio(), ...mmio(),
    b("0xd0", 0x1000, EL2, 30, 2), b("0xd1", 0x40000000, EL1, 5, 2),     // another CPU's exit is its own
  ].join("\n");
  const kinds = profileExits(log, syms, regions, 0x1000);
  assert.deepEqual(kinds.map((k) => [k.instructions, k.count]), [[242, 3], [367, 2]]);
  assert.deepEqual(kinds[0]!.perFunction, [["core (native code)", 140], ["wv_trap", 45], ["lower_sync", 30], ["wv_guest_enter", 27]]);
  assert.equal(kinds[1]!.perFunction[0]![1], 265);
  assert.equal(profileExits(log, syms, regions, 0x1000, 3)[2]!.instructions, 30, "the other CPU's exit");
});
