// The exit profile's reading of QEMU's execution log: exits cut from the vector to the
// first block at another exception level, blocks charged to their functions, the most
// common exits first; a block stopped before it ran counts nothing, one cut short by an
// I/O access counts up to it.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { profileExits } from "./exit_profile.ts";
import { EL1, hex, writer } from "./test_log.ts";

const syms = [{ addr: 0x1000, name: "lower_sync" }, { addr: 0x1100, name: "wv_trap" }, { addr: 0x1200, name: "wv_guest_enter" }];
const regions = [{ start: 0x9000, end: 0xa000, name: "core (native code)" }];
const GUEST = 0x40000000;

const dir = mkdtempSync(join(tmpdir(), "wv-exit-profile-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let logs = 0;

/** The log's lines as a file, read back by profileExits. */
function profile(lines: string[], kinds?: number) {
  const file = join(dir, `exec-${logs++}.log`);
  writeFileSync(file, lines.join("\n") + "\n");
  return profileExits(file, syms, regions, 0x1000, kinds);
}

test("exits are cut at the vector and at the guest's next block, and charged to their functions", async () => {
  const w = writer();
  const hypercall = () => { w.block(1, 0x1000, 30); w.block(1, 0x1100, 45); w.block(1, 0x9000, 140); w.block(1, 0x1200, 27); w.block(1, GUEST, 5, EL1); };
  const mmio = () => { w.block(1, 0x1000, 30); w.block(1, 0x1100, 45); w.block(1, 0x9100, 265); w.block(1, 0x1200, 27); w.block(1, GUEST, 5, EL1); };
  w.block(1, 0x2000, 7);                             // boot: before any vector, not an exit
  hypercall(); hypercall(); hypercall(); mmio(); mmio();
  w.block(2, 0x1000, 30); w.block(2, GUEST, 5, EL1);  // another CPU's exit is its own
  const kinds = await profile(w.out);
  assert.deepEqual(kinds.map((k) => [k.instructions, k.count]), [[242, 3], [367, 2]]);
  assert.deepEqual(kinds[0]!.perFunction, [["core (native code)", 140], ["wv_trap", 45], ["lower_sync", 30], ["wv_guest_enter", 27]]);
  assert.equal(kinds[1]!.perFunction[0]![1], 265);
  assert.equal((await profile(w.out, 3))[2]!.instructions, 30, "the other CPU's exit");
});

test("a block stopped before it began counts once, when it runs; one rewound by an I/O access counts up to the access", async () => {
  const w = writer();
  const hypercall = (stop: boolean) => {
    w.block(1, 0x1000, 30); w.block(1, 0x1100, 45);
    if (stop) {
      const h = w.block(1, 0x9000, 140);
      w.raw(`Stopped execution of TB chain before ${h} [${hex(0x9000)}] `);   // not run: traced again below
    }
    w.block(1, 0x9000, 140); w.block(1, 0x1200, 27); w.block(1, GUEST, 5, EL1);
  };
  hypercall(false); hypercall(true); hypercall(false);
  // An exit whose native block of 50 is cut short at its 11th instruction, a device access
  // that runs again as a block of its own.
  w.block(1, 0x1000, 30); w.block(1, 0x1100, 45); w.block(1, 0x9200, 50);
  w.raw(`cpu_io_recompile: rewound execution of TB to ${hex(0x9228)}`);
  w.block(1, 0x9228, 1); w.block(1, 0x1200, 27); w.block(1, GUEST, 5, EL1);
  const kinds = await profile(w.out, 3);
  assert.deepEqual(kinds.map((k) => [k.instructions, k.count]), [[242, 3], [113, 1]], "the stopped block once, the rewound one in part");
  assert.deepEqual(kinds[0]!.perFunction, [["core (native code)", 140], ["wv_trap", 45], ["lower_sync", 30], ["wv_guest_enter", 27]]);
  assert.deepEqual(kinds[1]!.perFunction, [["wv_trap", 45], ["lower_sync", 30], ["wv_guest_enter", 27], ["core (native code)", 10 + 1]]);
});
