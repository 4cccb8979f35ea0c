import { freshGicV2Vm, v2W, v2R, lrVid, lrFindV2, D_CTLR, D_TYPER, D_IIDR, D_IGROUPR, D_ISENABLER, D_ICENABLER,
  D_ISPENDR, D_ICPENDR, D_IPRIORITYR, D_ITARGETSR, D_ICFGR, D_PIDR2, D_CIDR0 } from "../../__tests__/gicv2";
import { irqExit, LR_GROUP, LR_EOI, lrValid } from "../../__tests__/gic";
import { kickCount, kickVcpu, setCpu, lrGet } from "../../__tests__/fake";
import { pc, START_PC } from "../../__tests__/exit";

const KICK: u32 = 8;
const UART_SPI: u32 = 33;
const GROUP0: u64 = 1;

describe("GICv2 distributor: identification and control", () => {
  it("GICD_TYPER: 256 INTIDs (ITLinesNumber 7), CPUNumber = vCPUs - 1, no Security Extensions", () => {
    expect(freshGicV2Vm(2)).toBe(0);
    expect(v2R(D_TYPER)).toBe(7 | (1 << 5));
    expect(freshGicV2Vm(4)).toBe(0);
    expect(v2R(D_TYPER)).toBe(7 | (3 << 5));
    expect(v2R(D_TYPER) & (1 << 10)).toBe(0);
  });

  it("GICD_IIDR names no vendor's part; ICPIDR2 says GICv2; ICCIDRs are the component preamble", () => {
    freshGicV2Vm(2);
    expect(v2R(D_IIDR)).toBe(0x57000000);
    expect(v2R(D_PIDR2)).toBe(0x20);
    expect(v2R(D_CIDR0)).toBe(0x0d);
    expect(v2R(D_CIDR0 + 4)).toBe(0xf0);
    expect(v2R(D_CIDR0 + 8)).toBe(0x05);
    expect(v2R(D_CIDR0 + 12)).toBe(0xb1);
  });

  it("GICD_CTLR keeps EnableGrp0 and EnableGrp1 only, and resets to 0", () => {
    freshGicV2Vm(2);
    expect(v2R(D_CTLR)).toBe(0);
    v2W(D_CTLR, 1);
    expect(v2R(D_CTLR)).toBe(1);
    v2W(D_CTLR, 0xffffffff);
    expect(v2R(D_CTLR)).toBe(3);
    expect(pc()).toBe(START_PC + 4);   // an emulated access steps over the instruction
  });
});

describe("GICv2 distributor: the banked registers of INTIDs 0..31", () => {
  it("every INTID starts in Group 0, the group a GICv2 guest enables", () => {
    freshGicV2Vm(2);
    expect(v2R(D_IGROUPR, 0)).toBe(0);
    expect(v2R(D_IGROUPR, 1)).toBe(0);
    expect(v2R(D_IGROUPR + 4)).toBe(0);
  });

  it("enables are each vCPU's own", () => {
    freshGicV2Vm(2);
    expect(v2R(D_ISENABLER, 0)).toBe(0xffff);
    v2W(D_ICENABLER, 1 << 3, 1);
    v2W(D_ISENABLER, 1 << 27, 0);
    expect(v2R(D_ISENABLER, 1)).toBe(0xfff7);
    expect(v2R(D_ISENABLER, 0)).toBe(0xffff | (1 << 27));
  });

  it("priorities are byte-accessible, per vCPU, 5 bits kept", () => {
    freshGicV2Vm(2);
    v2W(D_IPRIORITYR + 27, 0xa0, 1, 1);
    v2W(D_IPRIORITYR + 40, 0xff, 0, 1);
    expect(v2R(D_IPRIORITYR + 24, 1)).toBe(0xa0 << 24);
    expect(v2R(D_IPRIORITYR + 24, 0)).toBe(0);
    expect(v2R(D_IPRIORITYR + 40, 1, 1)).toBe(0xf8);
  });

  it("the SGI bits of GICD_ISPENDR0 and GICD_ICPENDR0 ignore writes; the PPI bits take them", () => {
    freshGicV2Vm(2);
    v2W(D_ISPENDR, 0xffff | (1 << 20), 1);
    expect(v2R(D_ISPENDR, 1)).toBe(1 << 20);
    expect(v2R(D_ISPENDR, 0)).toBe(0);
    v2W(D_ICPENDR, 0xffffffff, 1);
    expect(v2R(D_ISPENDR, 1)).toBe(0);
  });

  it("GICD_ICFGR0 says SGIs are edge-triggered; PPI and SPI configurations are kept", () => {
    freshGicV2Vm(2);
    expect(v2R(D_ICFGR)).toBe(0xaaaaaaaa);
    v2W(D_ICFGR, 0);
    expect(v2R(D_ICFGR)).toBe(0xaaaaaaaa);
    v2W(D_ICFGR + 4, 2 << 22, 1);
    expect(v2R(D_ICFGR + 4, 1)).toBe(2 << 22);
    expect(v2R(D_ICFGR + 4, 0)).toBe(0);
  });
});

describe("GICD_ITARGETSR", () => {
  it("reads the reading vCPU's own CPU interface in every byte of the SGI and PPI words, and ignores writes to them", () => {
    freshGicV2Vm(2);
    expect(v2R(D_ITARGETSR, 0)).toBe(0x01010101);
    expect(v2R(D_ITARGETSR + 0x1c, 1)).toBe(0x02020202);
    v2W(D_ITARGETSR, 0x02020202, 0);
    expect(v2R(D_ITARGETSR, 0)).toBe(0x01010101);
  });

  it("keeps an SPI's target list, byte by byte, without CPU interfaces the VM lacks", () => {
    freshGicV2Vm(2);
    expect(v2R(D_ITARGETSR + 32)).toBe(0);
    v2W(D_ITARGETSR + 33, 0x02, 0, 1);
    v2W(D_ITARGETSR + 34, 0xff, 0, 1);
    expect(v2R(D_ITARGETSR + 32)).toBe((0x02 << 8) | (0x03 << 16));
    expect(v2R(D_ITARGETSR + 33, 0, 1)).toBe(0x02);
    v2W(D_ITARGETSR + 0x3fc, 0xffffffff);          // INTIDs 1020..1023: beyond the vGIC's
    expect(v2R(D_ITARGETSR + 0x3fc)).toBe(0);
  });

  it("routes a pending SPI to the lowest-numbered vCPU of its target list", () => {
    freshGicV2Vm(4);
    v2W(D_CTLR, GROUP0);
    v2W(D_ISENABLER + 4, 1 << (UART_SPI - 32));
    v2W(D_ITARGETSR + UART_SPI, 0x0c, 0, 1);       // CPU interfaces 2 and 3
    v2W(D_ISPENDR + 4, 1 << (UART_SPI - 32), 0);
    expect(kickCount()).toBe(1);
    expect(kickVcpu(0)).toBe(2);
    irqExit(2, KICK);
    const i = lrFindV2(UART_SPI);
    expect(i).toBeGreaterThanOrEqual(0);
    expect(lrGet(i) & LR_GROUP).toBe(0);           // Group 0: what GICV_CTLR.EnableGrp0 signals
    expect(lrGet(i) & LR_EOI).toBe(LR_EOI);        // level-sensitive: the core looks again at its deactivation
  });

  it("moves a pending SPI not yet taken when its target list changes; an empty list sends it nowhere", () => {
    freshGicV2Vm(2);
    v2W(D_CTLR, GROUP0);
    v2W(D_ISENABLER + 4, 1 << (UART_SPI - 32));
    v2W(D_ISPENDR + 4, 1 << (UART_SPI - 32), 1);   // target list 0: nowhere yet
    expect(kickCount()).toBe(0);
    expect(lrValid(0)).toBe(false);
    v2W(D_ITARGETSR + UART_SPI, 0x01, 1, 1);
    setCpu(0);
    irqExit(0, KICK);
    expect(lrVid(lrFindV2(UART_SPI))).toBe(UART_SPI);
  });

  it("is RAZ/WI with one vCPU, which every SPI targets", () => {
    freshGicV2Vm(1);
    expect(v2R(D_ITARGETSR)).toBe(0);
    v2W(D_ITARGETSR + UART_SPI, 0x01, 0, 1);
    expect(v2R(D_ITARGETSR + 32)).toBe(0);
    v2W(D_CTLR, GROUP0);
    v2W(D_ISENABLER + 4, 1 << (UART_SPI - 32));
    v2W(D_ISPENDR + 4, 1 << (UART_SPI - 32));
    expect(lrFindV2(UART_SPI)).toBeGreaterThanOrEqual(0);
  });
});

describe("GICv2 distributor: what it does not have", () => {
  it("reads 0 and ignores writes at unassigned offsets, GICD_NSACR and the identification registers", () => {
    freshGicV2Vm(2);
    v2W(0x00c, 0xffffffff);
    v2W(0xe00, 0xffffffff);
    v2W(D_PIDR2, 0);
    expect(v2R(0x00c)).toBe(0);
    expect(v2R(0xe00)).toBe(0);
    expect(v2R(D_PIDR2)).toBe(0x20);
    expect(v2R(0xffc)).toBe(0xb1);
  });
});
