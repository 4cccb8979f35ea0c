// The rt profile's reading of QEMU's logs: blocks that were not run, or run in part, are
// taken back; a tick's window runs from the RT CPU's IRQ vector to the guest's handler,
// the other CPUs' blocks inside it counted apart; the stamp run's windows are the
// handler's reading minus the stamp; the two runs must agree with the guest's rounds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BlockLog, type BlockRun } from "./qemu_log.ts";
import { PathLog, RT_ROUND, RT_WARMUP_TICKS, splitRounds, StampLog, STAMP_OFFSET, type PathTick } from "./rt_profile.ts";
import { EL1, hex, writer } from "./test_log.ts";

test("a block stopped before it began counts nothing, one rewound by an I/O access counts up to it", () => {
  const w = writer();
  w.block(1, 0x2000, 5);
  w.raw("Stopped execution of TB chain before 0x7f001000 [0000000000002000] ");
  w.block(1, 0x2000, 5);                                   // run again: 5
  w.block(1, 0x3000, 6);
  w.raw("cpu_io_recompile: rewound execution of TB to 0000000000003008");   // 2 of 6 ran
  w.block(1, 0x3008, 1);                                   // the access alone
  w.block(2, 0x5000, 3);                                   // an unlisted block: unknown, no count
  w.raw("Trace 2: 0x7f00dead [0000000000000000/0000000000006000/00000061/ff020200] ");
  const runs: BlockRun[] = [];
  const log = new BlockLog((b) => runs.push(b));
  for (const l of w.out) log.line(l);
  log.flush();
  assert.deepEqual(runs.map((r) => [r.cpu, r.pc, r.instructions]), [[1, 0x2000, 5], [1, 0x3000, 2], [1, 0x3008, 1], [2, 0x5000, 3]]);
  assert.equal(log.unknown, 1);
});

const A = {
  cpu: 3, vector: 0x40201844, syncVector: 0x402017c0, handler: 0x40000a80,
  guest: { start: 0x40000000, end: 0x40003000 }, wfi: { start: 0x4020b3f0, end: 0x4020b490 },
};
const syms = [{ addr: 0x40000800, name: "irq_vectors" }, { addr: 0x40001000, name: "background" },
  { addr: 0x402017c0, name: "lower_sync" }, { addr: 0x40201844, name: "lower_irq" }, { addr: 0x40201900, name: "wv_guest_enter" },
  { addr: 0x4020b3f0, name: "wv_sched_wfi" }, { addr: 0x4020b490, name: "wv_trap" }];
const regions = [{ start: 0x43600000, end: 0x43a00000, name: "core (native code)" }];

test("a window runs from the RT CPU's IRQ vector to the handler, with the guest's own instructions before it and other CPUs apart", () => {
  const w = writer();
  w.block(3, 0x40001000, 9, EL1);                         // guest code before any exit: no window
  // tick 0: the guest's WFI traps and the hypervisor sleeps; the IRQ comes after the wake-up.
  w.block(3, 0x402017c0, 32); w.block(3, 0x4020b3f0, 4); w.block(3, 0x40201900, 20);
  w.block(3, 0x40001010, 1, EL1);                         // guest: back from WFI, IRQs still masked
  w.block(3, 0x40201844, 32); w.block(3, 0x43600000, 100); w.block(3, 0x40201900, 20);
  w.block(3, 0x40001014, 1, EL1);                         // guest unmasks: 1 instruction
  w.block(3, 0x40000a80, 3, EL1);                         // the handler: not counted
  w.block(3, 0x40001020, 7, EL1);
  // tick 1: another CPU's turn falls inside the window, in the hypervisor's code (and a stopped block).
  w.block(3, 0x40201844, 32); w.block(3, 0x43600000, 100);
  w.raw("Stopped execution of TB chain before 0x7f001009 [0000000043600000] ");
  w.block(1, 0x4020b490, 50); w.block(2, 0x4020b490, 50); w.block(1, 0x4020b490, 50);
  w.block(3, 0x43600000, 100); w.block(3, 0x40201900, 20);
  w.block(3, 0x40000a80, 3, EL1);
  const p = new PathLog(A, syms, regions);
  for (const l of w.out) p.line(l);
  p.end();
  const t = p.ticks.map((x: PathTick) => ({ own: x.own, guest: x.guest, logged: x.logged, fromWfi: x.fromWfi, sync: x.syncExits }));
  assert.deepEqual(t, [
    { own: 32 + 100 + 20 + 1, guest: 1, logged: {}, fromWfi: true, sync: 0 },
    { own: 32 + 100 + 20, guest: 0, logged: { 1: 100, 2: 50 }, fromWfi: false, sync: 0 },
  ]);
  assert.deepEqual([...p.ticks[0]!.perFunction.entries()],
    [["lower_irq", 32], ["core (native code)", 100], ["wv_guest_enter", 20], ["guest-rt background", 1]]);
});

test("the stamp run's window is the handler's reading minus the last stamp before it, on the RT CPU only", () => {
  const s = new StampLog({ cpu: 3, afterStamp: 0x4020184c, afterEntry: 0x40000a90 });
  const dump = (x0: number, x1: number) => [
    ` PC=0000000040000a90 X00=${hex(x0)} X01=${hex(x1)} X02=0000000000000000 X03=0000000000000000`,
    "X04=0000000000000000 X05=0000000000000000 X06=0000000000000000 X07=0000000000000000",
  ];
  const lines = [
    "Trace 3: 0x7f01 [0000000000000000/000000004020184c/00000061/ff020200] ", ...dump(7, 1000),
    "Trace 1: 0x7f01 [0000000000000000/000000004020184c/00000061/ff020200] ", ...dump(7, 1500),   // another CPU's exit
    "Trace 3: 0x7f02 [0000000000004000/0000000040000a90/00000121/ff020200] ", ...dump(2792, 0),
    "Trace 3: 0x7f02 [0000000000004000/0000000040000a90/00000121/ff020200] ", ...dump(2792, 0),     // traced twice: once
    "Trace 3: 0x7f01 [0000000000000000/000000004020184c/00000061/ff020200] ", ...dump(7, 5000),
    "Trace 3: 0x7f02 [0000000000004000/0000000040000a90/00000121/ff020200] ", ...dump(10000, 0),
  ];
  for (const l of lines) s.line(l);
  assert.deepEqual(s.windows, [1792, 5000]);
});

test("rounds are split by the guest's warm-up and round length, and must agree with the guest's figures", () => {
  const n = RT_WARMUP_TICKS + 2 * RT_ROUND;
  const tick = (own: number): PathTick => ({ own, guest: 0, logged: {}, syncExits: 0, fromWfi: true, perFunction: new Map() });
  const path = Array.from({ length: n }, (_, k) => tick(k === RT_WARMUP_TICKS + RT_ROUND + 5 ? 2190 : 1790));
  const windows = path.map((t, k) => t.own + STAMP_OFFSET + (k === RT_WARMUP_TICKS + RT_ROUND + 7 ? 3000 : 0));
  const sum = windows.slice(RT_WARMUP_TICKS + RT_ROUND).reduce((a, b) => a + b, 0);
  const [r] = splitRounds(path, windows, [1], [{ min: 1792, max: 4792, avg: Math.round(sum / RT_ROUND) }]);
  const worst = r!.ticks.reduce((a, b) => (b.total > a.total ? b : a));
  assert.deepEqual([worst.index, worst.own, worst.others], [RT_WARMUP_TICKS + RT_ROUND + 7, 1792, 3000]);
  assert.equal(Math.max(...r!.ticks.map((t) => t.own)), 2192);
  assert.throws(() => splitRounds(path, windows, [1], [{ min: 1792, max: 5006, avg: 1795 }]), /do not line up/);
  assert.throws(() => splitRounds(path, windows.map((w) => w - 10), [0], [{ min: 1782, max: 1782, avg: 1782 }]), /shorter than the RT CPU's own path/);
});
