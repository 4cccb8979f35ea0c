import { freshGicV2Vm, v2W, v2R, lrVid, lrFindV2, lrSource, sgirValue, D_CTLR, D_ISPENDR, D_ICENABLER,
  D_ISENABLER, D_SGIR, D_CPENDSGIR, D_SPENDSGIR, D_IGROUPR, D_ISACTIVER } from "../../__tests__/gicv2";
import { irqExit, guestAck, guestEoi, lrValid, lrIsPending, lrIsActive, LR_EOI } from "../../__tests__/gic";
import { kickCount, kickVcpu, setCpu, lrGet } from "../../__tests__/fake";
import { vgicResetVcpu } from "../vgic";

const KICK: u32 = 8;
const MAINTENANCE: u32 = 25;
const UART_SPI: u32 = 33;
const GROUP0: u64 = 1;
const FILTER_LIST: u32 = 0, FILTER_OTHERS: u32 = 1, FILTER_SELF: u32 = 2, FILTER_RESERVED: u32 = 3;

function setup(vcpus: u32): void {
  expect(freshGicV2Vm(vcpus)).toBe(0);
  v2W(D_CTLR, GROUP0);
}

/** vCPU `sender` writes GICD_SGIR. */
function send(sender: u32, filter: u32, targets: u32, x: u32): void {
  v2W(D_SGIR, sgirValue(filter, targets, x), sender);
}

/** GICD_SPENDSGIRn's byte for SGI `x` as vCPU `v` reads it: its pending sources. */
function sources(v: u32, x: u32): u32 {
  return <u32>((v2R(D_SPENDSGIR + <u64>(x & ~3), v) >> ((x & 3) << 3)) & 0xff);
}

/** How many valid list registers of the current fake CPU hold `x`. */
function listedCount(x: u32): i32 {
  let n = 0;
  for (let i = 0; i < 4; i++) if (lrValid(i) && lrVid(i) == x) n++;
  return n;
}

describe("GICD_SGIR", () => {
  it("TargetListFilter 0: the SGI is pending at each listed vCPU, from the sender, and kicks it", () => {
    setup(3);
    send(0, FILTER_LIST, 0b110, 5);
    expect(kickCount()).toBe(2);
    expect(kickVcpu(0)).toBe(1);
    expect(kickVcpu(1)).toBe(2);
    expect(v2R(D_ISPENDR, 1)).toBe(1 << 5);
    expect(v2R(D_ISPENDR, 0)).toBe(0);
    expect(sources(2, 5)).toBe(0b001);
  });

  it("the target's list register carries the source CPU ID in vINTID [12:10] (GICH_LR.CPUID)", () => {
    setup(2);
    send(1, FILTER_LIST, 0b01, 3);
    irqExit(0, KICK);
    const i = lrFindV2(3);
    expect(i).toBeGreaterThanOrEqual(0);
    expect(lrSource(lrGet(i))).toBe(1);
    expect(lrGet(i) & LR_EOI).toBe(0);              // no other source waits: no maintenance needed
  });

  it("TargetListFilter 1: every vCPU but the sender", () => {
    setup(3);
    send(1, FILTER_OTHERS, 0, 2);
    expect(sources(0, 2)).toBe(0b010);
    expect(sources(2, 2)).toBe(0b010);
    expect(sources(1, 2)).toBe(0);
  });

  it("TargetListFilter 2: only the sender, in its list registers when it resumes", () => {
    setup(2);
    send(1, FILTER_SELF, 0b01, 7);
    expect(kickCount()).toBe(0);
    setCpu(1);
    const i = lrFindV2(7);
    expect(i).toBeGreaterThanOrEqual(0);
    expect(lrSource(lrGet(i))).toBe(1);
    setCpu(0);
    expect(lrValid(0)).toBe(false);
  });

  it("does nothing with the reserved filter, for targets the VM lacks, or when written narrower than 32 bits", () => {
    setup(2);
    send(0, FILTER_RESERVED, 0xff, 1);
    send(0, FILTER_LIST, 0xfc, 1);
    v2W(D_SGIR, sgirValue(FILTER_LIST, 0b10, 1), 0, 2);
    expect(kickCount()).toBe(0);
    expect(v2R(D_ISPENDR, 1)).toBe(0);
    expect(v2R(D_SGIR)).toBe(0);                    // write-only
  });

  it("is forwarded whatever the SGI's group, and waits while the SGI is disabled at the target", () => {
    setup(2);
    v2W(D_IGROUPR, 1 << 4, 1);
    v2W(D_ICENABLER, 1 << 4, 1);
    send(0, FILTER_LIST, 0b10, 4);
    expect(sources(1, 4)).toBe(0b01);
    expect(kickCount()).toBe(0);
    v2W(D_CTLR, 3);
    v2W(D_ISENABLER, 1 << 4, 1);
    setCpu(1);
    expect(lrFindV2(4)).toBeGreaterThanOrEqual(0);
  });
});

describe("a GICv2 SGI pending from several sources", () => {
  it("is listed once per source, lowest first, with a maintenance interrupt at deactivation while others wait", () => {
    setup(3);
    send(0, FILTER_LIST, 0b100, 5);
    send(1, FILTER_LIST, 0b100, 5);
    expect(sources(2, 5)).toBe(0b011);
    irqExit(2, KICK);
    let i = lrFindV2(5);
    expect(lrSource(lrGet(i))).toBe(0);
    expect(lrGet(i) & LR_EOI).toBe(LR_EOI);
    expect(listedCount(5)).toBe(1);                   // one register, not one per source
    guestAck(i);
    guestEoi(i);
    irqExit(2, MAINTENANCE);
    i = lrFindV2(5);
    expect(i).toBeGreaterThanOrEqual(0);
    expect(lrSource(lrGet(i))).toBe(1);
    expect(lrGet(i) & LR_EOI).toBe(0);
    expect(sources(2, 5)).toBe(0b010);               // the listed one, still pending
  });

  it("from the same source again while listed merges into its register: pending again after it is active", () => {
    setup(2);
    send(0, FILTER_LIST, 0b10, 6);
    irqExit(1, KICK);
    const i = lrFindV2(6);
    guestAck(i);
    send(0, FILTER_LIST, 0b10, 6);
    irqExit(1, KICK);
    expect(lrVid(i)).toBe(6);
    expect(lrIsActive(i)).toBe(true);
    expect(lrIsPending(i)).toBe(true);
    expect(lrSource(lrGet(i))).toBe(0);
  });
});

describe("GICD_CPENDSGIRn and GICD_SPENDSGIRn", () => {
  it("set pending per source on the accessing vCPU, for sources the VM has", () => {
    setup(2);
    v2W(D_SPENDSGIR + 2, 0xff, 1, 1);                // SGI 2 from every source: vCPUs 0 and 1 only
    expect(sources(1, 2)).toBe(0b11);
    expect(sources(0, 2)).toBe(0);
    setCpu(1);
    expect(lrSource(lrGet(lrFindV2(2)))).toBe(0);
  });

  it("clear a source that waits, and one already in a list register at the next sync", () => {
    setup(3);
    send(0, FILTER_LIST, 0b100, 9);
    send(1, FILTER_LIST, 0b100, 9);
    irqExit(2, KICK);                                // source 0 listed, source 1 waits
    v2W(D_CPENDSGIR + 8, 0b10 << 8, 2);              // SGI 9, source 1
    expect(sources(2, 9)).toBe(0b01);
    v2W(D_CPENDSGIR + 8, 0b01 << 8, 2);              // SGI 9, source 0: the listed one
    expect(sources(2, 9)).toBe(0);
    expect(v2R(D_ISPENDR, 2)).toBe(0);
    irqExit(2, KICK);
    expect(lrFindV2(9)).toBe(-1);
  });
});

describe("a GICv2 vCPU reset (PSCI CPU_ON)", () => {
  it("forgets its pending SGIs and puts its banked INTIDs back in Group 0", () => {
    setup(2);
    v2W(D_IGROUPR, 0xffffffff, 1);
    v2W(D_ICENABLER, 1 << 3, 1);
    send(0, FILTER_LIST, 0b10, 3);
    vgicResetVcpu(1);
    expect(sources(1, 3)).toBe(0);
    expect(v2R(D_ISPENDR, 1)).toBe(0);
    expect(v2R(D_IGROUPR, 1)).toBe(0);
  });
});

describe("GICv2 pending and active state reads", () => {
  it("show an SGI the guest acknowledged in its list register as active, no source pending", () => {
    setup(1);
    send(0, FILTER_SELF, 0, 3);
    const i = lrFindV2(3);
    expect(i).toBeGreaterThanOrEqual(0);
    guestAck(i);
    expect(sources(0, 3)).toBe(0);
    expect(<u32>v2R(D_ISACTIVER, 0) & (1 << 3)).toBe(1 << 3);
    expect(<u32>v2R(D_ISPENDR, 0) & (1 << 3)).toBe(0);
  });

  it("show an SPI the guest acknowledged as active in GICD_ISACTIVER1", () => {
    setup(1);
    v2W(D_ISENABLER + 4, 1 << (UART_SPI - 32));
    v2W(D_ISPENDR + 4, 1 << (UART_SPI - 32));
    const i = lrFindV2(UART_SPI);
    expect(i).toBeGreaterThanOrEqual(0);
    guestAck(i);
    expect(<u32>v2R(D_ISACTIVER + 4) & (1 << (UART_SPI - 32))).toBe(1 << (UART_SPI - 32));
    expect(<u32>v2R(D_ISPENDR + 4) & (1 << (UART_SPI - 32))).toBe(0);
  });
});
