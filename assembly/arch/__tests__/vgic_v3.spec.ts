import { freshGicVm, gicdW, gicdR, rdR, rdW, sgiW, sgiR, mmioStore, GICD_IPA, GICR_IPA } from "../../__tests__/gic";
import { kickCount, kickVcpu } from "../../__tests__/fake";
import { pc, START_PC } from "../../__tests__/exit";
import { ACTION_RESUME } from "../../abi/exit_record";
import { vgicResetVcpu } from "../vgic";
import { VGIC_NR_INTIDS } from "../vgic_layout";

// Distributor offsets (GICv3 spec 12.9).
const CTLR: u64 = 0x0000, TYPER: u64 = 0x0004, IIDR: u64 = 0x0008, IGROUPR: u64 = 0x0080;
const ISENABLER: u64 = 0x0100, ICENABLER: u64 = 0x0180, ISPENDR: u64 = 0x0200, ICPENDR: u64 = 0x0280;
const ISACTIVER: u64 = 0x0300, ICACTIVER: u64 = 0x0380, IPRIORITYR: u64 = 0x0400, ICFGR: u64 = 0x0c00;
const IROUTER: u64 = 0x6000, PIDR2: u64 = 0xffe8;
// Redistributor RD frame offsets (12.10) and SGI frame offsets (12.11).
const GICR_CTLR: u64 = 0x0000, GICR_IIDR: u64 = 0x0004, GICR_TYPER: u64 = 0x0008, GICR_WAKER: u64 = 0x0014;
const ARE: u64 = 1 << 4, DS: u64 = 1 << 6;

describe("GICD_CTLR", () => {
  it("always reads affinity routing and one security state, with both groups disabled at reset", () => {
    expect(freshGicVm()).toBe(0);
    expect(gicdR(CTLR)).toBe(ARE | DS);
  });

  it("keeps the group enables written and ignores every other bit", () => {
    expect(freshGicVm()).toBe(0);
    gicdW(CTLR, 0xffffffff);
    expect(gicdR(CTLR)).toBe(ARE | DS | 3);
    gicdW(CTLR, 0x13);   // what Linux writes: ARE_NS | EnableGrp1A | EnableGrp1
    expect(gicdR(CTLR)).toBe(ARE | DS | 3);
    gicdW(CTLR, 0);
    expect(gicdR(CTLR)).toBe(ARE | DS);
  });
});

describe("identification registers", () => {
  it("reports 256 INTIDs, 10 INTID bits, no 1-of-N routing and no LPIs in GICD_TYPER", () => {
    expect(freshGicVm()).toBe(0);
    const typer = gicdR(TYPER);
    expect(32 * ((typer & 0x1f) + 1)).toBe(<u64>VGIC_NR_INTIDS);
    expect((typer >> 19) & 0x1f).toBe(9);
    expect((typer >> 25) & 1).toBe(1);
    expect((typer >> 17) & 1).toBe(0);
  });

  it("says GICv3 in PIDR2 of the distributor and of every redistributor", () => {
    expect(freshGicVm(2)).toBe(0);
    expect((gicdR(PIDR2) >> 4) & 0xf).toBe(3);
    expect((rdR(0, PIDR2) >> 4) & 0xf).toBe(3);
    expect((rdR(1, PIDR2) >> 4) & 0xf).toBe(3);
  });

  it("gives the same IIDR in both kinds of frame", () => {
    expect(freshGicVm()).toBe(0);
    expect(gicdR(IIDR)).toBe(rdR(0, GICR_IIDR));
    expect(gicdR(IIDR)).not.toBe(0);
  });
});

describe("set and clear registers", () => {
  it("enables with ISENABLER and disables with ICENABLER, both reading the enables", () => {
    expect(freshGicVm()).toBe(0);
    gicdW(ISENABLER + 4, 0x00000006);
    gicdW(ISENABLER + 4, 0x00010000);
    expect(gicdR(ISENABLER + 4)).toBe(0x00010006);
    gicdW(ICENABLER + 4, 0x00000002);
    expect(gicdR(ICENABLER + 4)).toBe(0x00010004);
  });

  it("sets and clears pending with ISPENDR and ICPENDR", () => {
    expect(freshGicVm()).toBe(0);
    gicdW(ISPENDR + 8, 0x80000001);
    expect(gicdR(ICPENDR + 8)).toBe(0x80000001);
    gicdW(ICPENDR + 8, 0x00000001);
    expect(gicdR(ISPENDR + 8)).toBe(0x80000000);
  });

  it("sets and clears active with ISACTIVER and ICACTIVER", () => {
    expect(freshGicVm()).toBe(0);
    gicdW(ISACTIVER + 4, 0xf0);
    gicdW(ICACTIVER + 4, 0x30);
    expect(gicdR(ISACTIVER + 4)).toBe(0xc0);
  });

  it("keeps IGROUPR as written, with every SPI in Group 1 at reset", () => {
    expect(freshGicVm()).toBe(0);
    expect(gicdR(IGROUPR + 4)).toBe(0xffffffff);
    gicdW(IGROUPR + 4, 0x0000ffff);
    expect(gicdR(IGROUPR + 4)).toBe(0x0000ffff);
  });

  it("leaves the distributor's words for INTIDs 0..31 at zero (affinity routing: they are in the redistributor)", () => {
    expect(freshGicVm()).toBe(0);
    gicdW(ISENABLER, 0xffffffff);
    gicdW(IPRIORITYR, 0xa0a0a0a0);
    expect(gicdR(ISENABLER)).toBe(0);
    expect(gicdR(IPRIORITYR)).toBe(0);
    expect(sgiR(0, ISENABLER)).toBe(0x0000ffff);
  });

  it("serves SGIs and PPIs from each redistributor's SGI frame, one copy per vCPU", () => {
    expect(freshGicVm(2)).toBe(0);
    sgiW(0, ISENABLER, 1 << 27);
    expect(sgiR(0, ISENABLER)).toBe(0x0800ffff);
    expect(sgiR(1, ISENABLER)).toBe(0x0000ffff);
    sgiW(1, ICENABLER, 0xffffffff, 0);
    expect(sgiR(1, ISENABLER, 1)).toBe(0);
  });
});

describe("priorities", () => {
  it("writes one byte of IPRIORITYR without touching its neighbours", () => {
    expect(freshGicVm()).toBe(0);
    gicdW(IPRIORITYR + 32, 0xa0a0a0a0);
    gicdW(IPRIORITYR + 34, 0x40, 1);
    expect(gicdR(IPRIORITYR + 32)).toBe(0xa040a0a0);
    expect(gicdR(IPRIORITYR + 35, 1)).toBe(0xa0);
  });

  it("keeps 5 priority bits: the low three read as zero", () => {
    expect(freshGicVm()).toBe(0);
    gicdW(IPRIORITYR + 40, 0xff, 1);
    expect(gicdR(IPRIORITYR + 40, 1)).toBe(0xf8);
    sgiW(0, IPRIORITYR + 27, 0x17, 0, 1);
    expect(sgiR(0, IPRIORITYR + 24)).toBe(0x10000000);
  });
});

describe("trigger configuration", () => {
  it("keeps the edge bit of each SPI in ICFGR and reads the other bit as zero", () => {
    expect(freshGicVm()).toBe(0);
    gicdW(ICFGR + 8, 0xffffffff);
    expect(gicdR(ICFGR + 8)).toBe(0xaaaaaaaa);
    gicdW(ICFGR + 8, 0x00000008);
    expect(gicdR(ICFGR + 8)).toBe(0x00000008);
  });

  it("reads SGIs as edge-triggered whatever is written, and lets PPIs be configured", () => {
    expect(freshGicVm()).toBe(0);
    sgiW(0, ICFGR, 0);
    expect(sgiR(0, ICFGR)).toBe(0xaaaaaaaa);
    sgiW(0, ICFGR + 4, 0x00800000);
    expect(sgiR(0, ICFGR + 4)).toBe(0x00800000);
  });
});

describe("IROUTER", () => {
  it("takes a 64-bit write whole and reads it back with Aff3 in the upper half", () => {
    expect(freshGicVm()).toBe(0);
    gicdW(IROUTER + 8 * 40, 0x0000_0012_0034_5601, 8);
    expect(gicdR(IROUTER + 8 * 40, 8)).toBe(0x0000_0012_0034_5601);
    expect(gicdR(IROUTER + 8 * 40)).toBe(0x00345601);
    expect(gicdR(IROUTER + 8 * 40 + 4)).toBe(0x12);
  });

  it("reads IRM as zero (no 1-of-N routing)", () => {
    expect(freshGicVm()).toBe(0);
    gicdW(IROUTER + 8 * 33, 0x80000001);
    expect(gicdR(IROUTER + 8 * 33)).toBe(1);
  });

  it("has no IROUTER for SGIs and PPIs", () => {
    expect(freshGicVm()).toBe(0);
    gicdW(IROUTER + 8 * 31, 1, 8);
    expect(gicdR(IROUTER + 8 * 31, 8)).toBe(0);
  });

  it("delivers a pending SPI to the vCPU its Aff0 names, kicking it", () => {
    expect(freshGicVm(2)).toBe(0);
    gicdW(CTLR, 2);
    gicdW(IROUTER + 8 * 40, 1, 8);
    gicdW(ISENABLER + 4, 1 << 8);
    gicdW(ISPENDR + 4, 1 << 8);
    expect(kickCount()).toBe(1);
    expect(kickVcpu(0)).toBe(1);
  });

  it("delivers nowhere an SPI routed to a vCPU the VM does not have", () => {
    expect(freshGicVm(2)).toBe(0);
    gicdW(CTLR, 2);
    gicdW(IROUTER + 8 * 40, 0x0000_0000_0000_0100, 8);   // Aff1 = 1
    gicdW(ISENABLER + 4, 1 << 8);
    gicdW(ISPENDR + 4, 1 << 8);
    expect(kickCount()).toBe(0);
  });
});

describe("GICR_TYPER", () => {
  it("names each redistributor's vCPU in Affinity_Value and Processor_Number", () => {
    expect(freshGicVm(2)).toBe(0);
    const t0 = rdR(0, GICR_TYPER, 8);
    const t1 = rdR(1, GICR_TYPER, 8);
    expect(t0 >> 32).toBe(0);
    expect(t1 >> 32).toBe(1);
    expect((t1 >> 8) & 0xffff).toBe(1);
    expect(rdR(1, GICR_TYPER + 4)).toBe(1);
  });

  it("sets Last only in the last vCPU's frame", () => {
    expect(freshGicVm(2)).toBe(0);
    expect(rdR(0, GICR_TYPER) & 0x10).toBe(0);
    expect(rdR(1, GICR_TYPER) & 0x10).toBe(0x10);
    expect(freshGicVm(1)).toBe(0);
    expect(rdR(0, GICR_TYPER) & 0x10).toBe(0x10);
  });

  it("reports no LPIs (PLPIS and VLPIS clear) and ignores writes", () => {
    expect(freshGicVm(2)).toBe(0);
    rdW(0, GICR_TYPER, 0xffffffff);
    expect(rdR(0, GICR_TYPER) & 0x3).toBe(0);
    expect(rdR(0, GICR_CTLR)).toBe(0);
  });
});

describe("GICR_WAKER", () => {
  it("starts asleep, and ChildrenAsleep follows ProcessorSleep at once", () => {
    expect(freshGicVm()).toBe(0);
    expect(rdR(0, GICR_WAKER)).toBe(6);
    rdW(0, GICR_WAKER, 0);
    expect(rdR(0, GICR_WAKER)).toBe(0);
    rdW(0, GICR_WAKER, 2);
    expect(rdR(0, GICR_WAKER)).toBe(6);
  });

  it("goes back to sleep when the vCPU is reset", () => {
    expect(freshGicVm(2)).toBe(0);
    rdW(1, GICR_WAKER, 0);
    sgiW(1, ISENABLER, 1 << 27);
    vgicResetVcpu(1);
    expect(rdR(1, GICR_WAKER)).toBe(6);
    expect(sgiR(1, ISENABLER)).toBe(0x0000ffff);
  });
});

describe("unknown registers", () => {
  it("read as zero, ignore writes and step the guest over the access", () => {
    expect(freshGicVm()).toBe(0);
    gicdW(0x0020, 0xffffffff);
    expect(gicdR(0x0020)).toBe(0);
    expect(mmioStore(0, GICR_IPA + 0x1234, 4, 0xffffffff)).toBe(ACTION_RESUME);
    expect(pc()).toBe(START_PC + 4);
    expect(rdR(0, 0x1234)).toBe(0);
    expect(mmioStore(0, GICD_IPA + 0xfff8, 8, 0xffffffffffffffff)).toBe(ACTION_RESUME);
  });
});
