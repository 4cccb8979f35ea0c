// Random accesses to emulated PL011s through the MMIO registry (docs/abi.md section 3,
// "Emulated devices"): random IPAs in, next to and far from the devices, offsets 0..0xfff
// and beyond, sizes 1/2/4/8, random values. Each access is also run through the
// reference model (__tests__/model.ts), which must agree on the device found, the value
// read, the whole state block and the console; on top, the identification registers and
// UARTFR always read their fixed values, and nothing outside the state block and the
// console's line buffer is written.

import { mmioReset, mmioRegister, mmioFind, mmioBase, mmioRead, mmioWrite, DEVICE_PL011 } from "../mmio";
import { STATE, STATE_SIZE, VM_NAME, VM_NAME_LEN, VM_STATE } from "../../core/layout";
import { vmResetState, vmInit } from "../../core/vm";
import { consolePending } from "../../core/console";
import { handleExit } from "../../arch/exits";
import { cfgDevice, CFG_D_IPA, CFG_D_SIZE } from "../../core/config";
import { makeBlob, vm0, BLOB } from "../../__tests__/blob";
import { fakeReset, consoleCount } from "../../__tests__/fake";
import { exitWith, faultAt, dabtEsr, reg, START_PC, pc } from "../../__tests__/exit";
import { fuzzSeed, rnd, below, chance, edgy, hx, staticWindowsClear, staticWindow, staticSnap,
  staticChanged } from "../../__tests__/fuzz";
import { findOutBuf, OUT_BUF_BYTES } from "../../__tests__/line_buffers";
import { modelBegin, modelDiff, mFind, mBase, mRead, mWrite, UART_FR_VALUE } from "../../__tests__/model";
import { VGIC, VGIC_SIZE } from "../../arch/vgic_layout";

const UART0: u64 = 0x09000000;
const UART1: u64 = 0x09001000;          // right after the first: accesses must not leak across
const UART2: u64 = 0x0a000000;          // a 64 KiB window: offsets past 0xfff inside a device
const UART2_SIZE: u64 = 0x10000;
const IDS: StaticArray<u32> = [0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1];

function setup(): void {
  fakeReset();
  vmResetState();
  const name = "uart";
  for (let i = 0; i < name.length; i++) store<u8>(STATE + VM_NAME + <usize>i, <u8>name.charCodeAt(i));
  store<u32>(STATE + VM_NAME_LEN, name.length);
  store<u32>(STATE + VM_STATE, 1);
  mmioReset();
  expect(mmioRegister(UART0, 0x1000, DEVICE_PL011, 33)).toBe(0);
  expect(mmioRegister(UART1, 0x1000, DEVICE_PL011, 34)).toBe(1);
  expect(mmioRegister(UART2, UART2_SIZE, DEVICE_PL011, 0)).toBe(2);
  const outBuf = findOutBuf(name, "fz-probe-out");
  expect(outBuf).toBeGreaterThan(0);
  staticWindowsClear();
  staticWindow(STATE, STATE_SIZE);
  staticWindow(<usize>outBuf, OUT_BUF_BYTES);
  staticWindow(VGIC, VGIC_SIZE);   // the vGIC's own state block (arch/vgic_layout.ts)
  fakeReset();
}

const REGS: StaticArray<u64> = [0x000, 0x004, 0x018, 0x01c, 0x024, 0x028, 0x02c, 0x030, 0x034, 0x038, 0x03c,
  0x040, 0x044, 0x048, 0x04c, 0x050, 0x054, 0xfdc, 0xfe0, 0xfe4, 0xfe8, 0xfec, 0xff0, 0xff4, 0xff8, 0xffc];

function offset(): u64 {
  if (chance(60)) return REGS[<i32>below(REGS.length)] + (chance(75) ? 0 : below(8));
  return below(0x1000);
}

function genIpa(): u64 {
  const r = below(100);
  if (r < 55) return UART0 + offset();
  if (r < 70) return UART1 + offset();
  if (r < 85) return UART2 + (chance(50) ? offset() : below(UART2_SIZE));
  if (r < 92) return chance(50) ? UART0 - 1 - below(0x40) : UART2 + UART2_SIZE + below(0x40);
  return chance(50) ? rnd() : edgy(48);
}

const SIZES: StaticArray<u32> = [1, 2, 4, 8];

let reads: i32 = 0;
let writes: i32 = 0;
let misses: i32 = 0;
let direct: i32 = 0;

/** One access; "" or what went wrong. */
function access(i: i32, slot: i32, off: u64, bytes: u32, write: bool, value: u64): string {
  const what = "access " + i.toString() + ": slot " + slot.toString() + ", offset " + hx(off) + ", " + bytes.toString()
    + " bytes, " + (write ? "write " + hx(value) : "read") + ": ";
  const lines = consoleCount();
  modelBegin();
  staticSnap();
  let got: u64 = 0;
  if (write) mmioWrite(slot, off, bytes, value);
  else got = mmioRead(slot, off, bytes);
  const stray = staticChanged();
  if (stray >= 0) return what + "static memory changed at " + hx(<u64>stray);
  if (!write) {
    const want = mRead(slot, off, bytes);
    if (got != want) return what + "read " + hx(got) + ", expected " + hx(want);
    const reg = off & ~<u64>3;
    if (bytes == 4 && off == 0x018 && got != <u64>UART_FR_VALUE) return what + "UARTFR read " + hx(got);
    if (bytes == 4 && (off & 3) == 0 && reg >= 0xfe0 && reg <= 0xffc && got != <u64>IDS[<i32>((reg - 0xfe0) >> 2)]) {
      return what + "ID register read " + hx(got);
    }
    reads++;
  } else {
    mWrite(slot, off, bytes, value);
    writes++;
  }
  const d = modelDiff(0, 0, lines);
  return d.length > 0 ? what + d : "";
}

function fuzzRegistry(seed: u64, n: i32): string {
  fuzzSeed(seed);
  setup();
  for (let i = 0; i < n; i++) {
    const ipa = genIpa();
    const slot = mmioFind(ipa);
    modelBegin();
    if (slot != mFind(ipa)) return "access " + i.toString() + ": IPA " + hx(ipa) + " found slot " + slot.toString();
    if (slot < 0) { misses++; continue; }
    if (mmioBase(slot) != mBase(slot)) return "access " + i.toString() + ": base of slot " + slot.toString();
    const d = access(i, slot, ipa - mmioBase(slot), SIZES[<i32>below(4)], chance(50),
      chance(20) ? edgy(64) : chance(30) ? 0x0a + below(0x60) : rnd());
    if (d.length > 0) return d;
  }
  return "";
}

/** Direct device accesses at offsets past the 4 KiB page, up to 4 GiB. */
function fuzzBeyond(seed: u64, n: i32): string {
  fuzzSeed(seed);
  setup();
  for (let i = 0; i < n; i++) {
    const slot = <i32>below(3);
    const r = below(3);
    const off: u64 = r == 0 ? 0x1000 + below(0x1000) : r == 1 ? (below(0x100000) << 12) | offset() : <u64><u32>rnd();
    const d = access(i, slot, off, SIZES[<i32>below(4)], chance(50), rnd());
    if (d.length > 0) return d;
    direct++;
  }
  return "";
}

describe("PL011s behind the MMIO registry, random accesses", () => {
  it("agree with the model (seed 0x0a11ce01)", () => {
    expect(fuzzRegistry(0x0a11ce01, 3000)).toBe("");
  });

  it("agree with the model at offsets past the page, below 4 GiB (seed 0x0a11ce02)", () => {
    expect(fuzzBeyond(0x0a11ce02, 1000)).toBe("");
  });

  it("keep UARTFR and the ID registers fixed after random writes everywhere", () => {
    fuzzSeed(0x0a11ce03);
    setup();
    for (let i = 0; i < 2000; i++) mmioWrite(<i32>below(3), below(0x1000), SIZES[<i32>below(4)], rnd());
    for (let s = 0; s < 3; s++) {
      expect(mmioRead(s, 0x018, 4)).toBe(UART_FR_VALUE);
      expect(mmioRead(s, 0x018, 1)).toBe(UART_FR_VALUE);
      for (let k = 0; k < 8; k++) expect(mmioRead(s, 0xfe0 + <u64>k * 4, 4)).toBe(IDS[k]);
      expect(mmioRead(s, 0xfe0, 8)).toBe(0x0000001000000011);
      expect(mmioRead(s, 0xff8, 8)).toBe(0x000000b100000005);
    }
  });

  it("covered reads, writes, misses and far offsets", () => {
    log<string>("mmio: " + reads.toString() + " reads, " + writes.toString() + " writes, " + misses.toString()
      + " IPAs outside every device, " + direct.toString() + " accesses past the page");
    expect(reads + writes + misses).toBe(4000);
    expect(reads).toBeGreaterThan(1000);
    expect(writes).toBeGreaterThan(1000);
    expect(misses).toBeGreaterThan(100);
    expect(direct).toBe(1000);
  });
});

// A PL011 window of 8 GiB at 256 GiB: the config validator accepts it (4 KiB aligned,
// inside the 39-bit IPA space, clear of RAM).
const BIG_UART: u64 = 0x4000000000;
const BIG_UART_SIZE: u64 = 0x200000000;

function bigUartVm(): i32 {
  fakeReset();
  vmResetState();
  const len = makeBlob(1);
  const d = cfgDevice(vm0(), 0);
  store<u64>(d + CFG_D_IPA, BIG_UART);
  store<u64>(d + CFG_D_SIZE, BIG_UART_SIZE);
  const rc = vmInit(0, BLOB, len);
  fakeReset();
  return rc;
}

describe("regressions found by the MMIO fuzz", () => {
  // devices/mmio.ts narrows the offset into the device to a u32 register offset
  // (`<u32>(offset & ~(WORD_BYTES - 1))`), so past 4 GiB into a device window the
  // registers repeat: offset 0x1_0000_0018 reads as UARTFR and 0x1_0000_0000 writes
  // UARTDR, where docs/abi.md section 3 says other offsets read 0 and ignore writes.
  it("reads 0 and ignores writes at offsets past 4 GiB of a large PL011 window", () => {
    expect(bigUartVm()).toBe(0);
    exitWith(dabtEsr(1, 2, 0, 3, 0, 0, 0x07));   // LDR w3, 4 bytes
    faultAt(BIG_UART + 0x100000018);
    expect(handleExit(0)).toBe(0);
    expect(pc()).toBe(START_PC + 4);
    expect(reg(3)).toBe(0);

    expect(bigUartVm()).toBe(0);
    exitWith(dabtEsr(1, 0, 0, 31, 0, 1, 0x07));  // STRB wzr
    faultAt(BIG_UART + 0x100000000);
    expect(handleExit(0)).toBe(0);
    expect(consolePending()).toBe(0);
  });

  it("agrees with the model at random offsets past 4 GiB (seed 0x0a11ce04)", () => {
    fuzzSeed(0x0a11ce04);
    setup();
    let d = "";
    for (let i = 0; i < 200 && d.length == 0; i++) {
      const off = ((1 + below(0xffffffff)) << 32) | offset();
      d = access(i, <i32>below(3), off, SIZES[<i32>below(4)], chance(50), rnd());
    }
    expect(d).toBe("");
  });
});
