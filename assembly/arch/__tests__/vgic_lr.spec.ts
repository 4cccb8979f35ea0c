import { freshGicVm, gicdW, gicdR, sgiW, sgiR, msr, irqExit, wfi, guestAck, guestEoi, lrFind, lrIntid, lrPrio,
  lrIsPending, lrIsActive, lrValid, LR_EOI, LR_GROUP, LR_HW, UART_SPI } from "../../__tests__/gic";
import { lrGet, fakeHcr, fakeMisr, lrWrites, lrReads, statusCalls, setCpu } from "../../__tests__/fake";
import { ACTION_RESUME, ACTION_IDLE } from "../../abi/exit_record";
import { vgicSetLine, vgicResetVcpu } from "../vgic";
import { SYSREG_ICC_SGI1R_EL1 } from "../vgic_v3_sgi";

const CTLR: u64 = 0x0000, ISENABLER: u64 = 0x0100, ICENABLER: u64 = 0x0180, ISPENDR: u64 = 0x0200;
const ISACTIVER: u64 = 0x0300, IPRIORITYR: u64 = 0x0400, ICPENDR: u64 = 0x0280, ICACTIVER: u64 = 0x0380;
const GROUP1: u64 = 2;
const HCR_EN: u32 = 1, HCR_UIE: u32 = 2, HCR_NPIE: u32 = 8;
/** ICH_LR<n>_EL2.State [63:62] = 0b11: pending and active. */
const LR_STATE_BITS: u64 = <u64>3 << 62;
const MISR_EOI: u32 = 1, MISR_NP: u32 = 8;
const KICK: u32 = 8, MAINTENANCE: u32 = 25;

/** A 1-vCPU VM with Group 1 on and SGI n at priority `prios[n]`. */
function setup(prios: StaticArray<u32>): void {
  expect(freshGicVm(1)).toBe(0);
  gicdW(CTLR, GROUP1);
  for (let i = 0; i < prios.length; i++) sgiW(0, IPRIORITYR + <u64>i, prios[i], 0, 1);
}

/** ICC_SGI1R_EL1 value for SGI `x` to the vCPUs in `targets` (Aff0 bits). */
function sgi1r(x: u32, targets: u32): u64 {
  return (<u64>x << 24) | <u64>targets;
}

describe("list register fill", () => {
  it("puts the highest-priority pending interrupt in the first list register", () => {
    setup([0, 0x80, 0x40, 0xc0]);
    sgiW(0, ISPENDR, 0b1110);
    expect(lrIntid(0)).toBe(2);
    expect(lrIntid(1)).toBe(1);
    expect(lrIntid(2)).toBe(3);
    expect(lrPrio(0)).toBe(0x40);
    expect(lrValid(3)).toBe(false);
  });

  it("writes a pending Group 1 virtual interrupt without a hardware mapping or EOI maintenance for an edge SGI", () => {
    setup([0, 0x80]);
    sgiW(0, ISPENDR, 0b10);
    const v = lrGet(0);
    expect(lrIsPending(0)).toBe(true);
    expect(lrIsActive(0)).toBe(false);
    expect(v & LR_GROUP).toBe(LR_GROUP);
    expect(v & (LR_HW | LR_EOI)).toBe(0);
  });

  it("picks the lowest INTID among equal priorities", () => {
    setup([0, 0x80, 0x80, 0x80]);
    sgiW(0, ISPENDR, 0b1000);
    sgiW(0, ISPENDR, 0b0110);
    expect(lrIntid(0)).toBe(3);
    expect(lrIntid(1)).toBe(1);
    expect(lrIntid(2)).toBe(2);
  });

  it("keeps ICH_HCR_EL2.En set and asks for no maintenance when everything fits", () => {
    setup([0, 0x80]);
    sgiW(0, ISPENDR, 0b10);
    expect(fakeHcr()).toBe(HCR_EN);
  });

  it("leaves a disabled interrupt out, and lists it once it is enabled", () => {
    setup([0, 0x80]);
    sgiW(0, ICENABLER, 0b10);
    sgiW(0, ISPENDR, 0b10);
    expect(lrValid(0)).toBe(false);
    sgiW(0, ISENABLER, 0b10);
    expect(lrIntid(0)).toBe(1);
  });

  it("lists nothing while the distributor's group is disabled", () => {
    setup([0, 0x80]);
    gicdW(CTLR, 0);
    sgiW(0, ISPENDR, 0b10);
    expect(lrValid(0)).toBe(false);
    gicdW(CTLR, GROUP1);
    expect(lrIntid(0)).toBe(1);
  });
});

describe("more pending interrupts than list registers", () => {
  it("lists the best four of six and asks for a maintenance interrupt when none is pending any more", () => {
    setup([0, 0x60, 0x10, 0x50, 0x20, 0x40, 0x30]);
    sgiW(0, ISPENDR, 0b1111110);
    expect(lrIntid(0)).toBe(2);
    expect(lrIntid(1)).toBe(4);
    expect(lrIntid(2)).toBe(6);
    expect(lrIntid(3)).toBe(5);
    expect(fakeHcr()).toBe(HCR_EN | HCR_NPIE);
    expect(fakeMisr() & MISR_NP).toBe(0);
  });

  it("refills from the maintenance interrupt once the guest has taken them", () => {
    setup([0, 0x60, 0x10, 0x50, 0x20, 0x40, 0x30]);
    sgiW(0, ISPENDR, 0b1111110);
    for (let i = 0; i < 4; i++) guestAck(i);
    expect(fakeMisr() & MISR_NP).toBe(MISR_NP);
    guestEoi(0);
    guestEoi(1);
    expect(irqExit(0, MAINTENANCE)).toBe(ACTION_RESUME);
    expect(lrIntid(0)).toBe(3);
    expect(lrIntid(1)).toBe(1);
    expect(lrIsPending(0)).toBe(true);
    expect(lrIsActive(2)).toBe(true);
    expect(fakeHcr()).toBe(HCR_EN);
    expect(fakeMisr()).toBe(0);
  });

  it("asks for underflow maintenance when every list register is active", () => {
    setup([0, 0x10, 0x10, 0x10, 0x10, 0x10]);
    sgiW(0, ISPENDR, 0b11110);
    for (let i = 0; i < 4; i++) guestAck(i);
    sgiW(0, ISPENDR, 0b100000);
    expect(fakeHcr()).toBe(HCR_EN | HCR_UIE);
    expect(lrFind(5)).toBe(-1);
  });

  it("asks for no maintenance that fires at once when every list register is pending and active", () => {
    // SGIs 1-4 acknowledged, then SGIs 1-5 sent to itself: 1-4 are pending and active in
    // their list registers, 5 waits.
    setup([0, 0x10, 0x10, 0x10, 0x10, 0x10]);
    sgiW(0, ISPENDR, 0b11110);
    for (let i = 0; i < 4; i++) guestAck(i);
    for (let x: u32 = 1; x <= 5; x++) msr(0, SYSREG_ICC_SGI1R_EL1, sgi1r(x, 1));
    for (let i = 0; i < 4; i++) expect(lrGet(i) & LR_STATE_BITS).toBe(LR_STATE_BITS);
    expect(lrFind(5)).toBe(-1);
    expect(fakeHcr() & HCR_NPIE).toBe(0);
    expect(fakeMisr()).toBe(0);
    // A maintenance exit in that state (whatever brought it) leaves none asserted either.
    irqExit(0, MAINTENANCE);
    expect(fakeMisr()).toBe(0);
  });

  it("delivers the waiting SGI once the guest has worked through the pending and active ones", () => {
    setup([0, 0x10, 0x10, 0x10, 0x10, 0x10]);
    sgiW(0, ISPENDR, 0b11110);
    for (let i = 0; i < 4; i++) guestAck(i);
    for (let x: u32 = 1; x <= 5; x++) msr(0, SYSREG_ICC_SGI1R_EL1, sgi1r(x, 1));
    let maintenance = 0;
    for (let i = 0; i < 4; i++) {
      guestEoi(i);   // active goes, pending stays: the guest takes it and deactivates it again
      guestAck(i);
      guestEoi(i);
      if (fakeMisr() != 0) { irqExit(0, MAINTENANCE); maintenance++; }
      expect(fakeMisr()).toBe(0);
    }
    expect(maintenance).toBe(1);
    expect(lrFind(5)).toBeGreaterThanOrEqual(0);
  });

  it("lists no interrupt made active through ISACTIVER, so that a pending one still gets a list register", () => {
    // SGIs 1-4 made active by the distributor, then SGIs 1-5 sent: only 5 can be signalled.
    setup([0, 0x10, 0x10, 0x10, 0x10, 0x20]);
    sgiW(0, ISACTIVER, 0b11110);
    for (let x: u32 = 1; x <= 5; x++) msr(0, SYSREG_ICC_SGI1R_EL1, sgi1r(x, 1));
    for (let x: u32 = 1; x <= 4; x++) expect(lrFind(x)).toBe(-1);
    expect(lrFind(5)).toBeGreaterThanOrEqual(0);
    expect(sgiR(0, ISPENDR) & 0b111110).toBe(0b111110);
    expect(sgiR(0, ISACTIVER) & 0b111110).toBe(0b11110);
    expect(wfi(0)).toBe(ACTION_RESUME);
    // Deactivated, they are listed (the better ones first) and the rest waits.
    sgiW(0, ICACTIVER, 0b11110);
    for (let x: u32 = 1; x <= 3; x++) expect(lrFind(x)).toBeGreaterThanOrEqual(0);
    expect(lrFind(5)).toBe(-1);
    expect(fakeHcr()).toBe(HCR_EN | HCR_NPIE);
  });

  it("gives a list register holding a lower-priority pending interrupt to a higher-priority one", () => {
    setup([0, 0xc0, 0xc0, 0xc0, 0xc0, 0x20]);
    sgiW(0, ISPENDR, 0b11110);
    sgiW(0, ISPENDR, 0b100000);
    expect(lrFind(5)).toBeGreaterThanOrEqual(0);
    expect(lrFind(4)).toBe(-1);
    expect(sgiR(0, ISPENDR) & 0b111110).toBe(0b111110);
    expect(fakeHcr()).toBe(HCR_EN | HCR_NPIE);
  });
});

describe("sync after the guest deactivates", () => {
  it("frees a list register that went invalid and reports the interrupt no longer active", () => {
    setup([0, 0x80]);
    sgiW(0, ISPENDR, 0b10);
    guestAck(0);
    irqExit(0, KICK);
    expect(sgiR(0, ISACTIVER) & 0b10).toBe(0b10);
    expect(sgiR(0, ISPENDR) & 0b10).toBe(0);
    guestEoi(0);
    irqExit(0, KICK);
    expect(sgiR(0, ISACTIVER) & 0b10).toBe(0);
    sgiW(0, ISPENDR, 0b100);
    expect(lrIntid(0)).toBe(2);
  });

  it("reads an empty list register from ELRSR without reading the register itself", () => {
    setup([0, 0x80]);
    sgiW(0, ISPENDR, 0b10);
    guestAck(0);
    guestEoi(0);
    const reads = lrReads();
    irqExit(0, KICK);
    expect(lrReads()).toBe(reads);
    expect(statusCalls()).toBeGreaterThan(0);
  });

  it("makes an edge interrupt pending and active when it fires again while the guest handles it", () => {
    setup([0, 0x80]);
    sgiW(0, ISPENDR, 0b10);
    guestAck(0);
    expect(msr(0, SYSREG_ICC_SGI1R_EL1, sgi1r(1, 1))).toBe(ACTION_RESUME);
    expect(lrIntid(0)).toBe(1);
    expect(lrIsActive(0)).toBe(true);
    expect(lrIsPending(0)).toBe(true);
    guestEoi(0);
    expect(lrIsPending(0)).toBe(true);
  });

  it("pends a level-sensitive interrupt again after its deactivation while its line stays high", () => {
    setup([]);
    gicdW(ISENABLER + 4, 1 << (UART_SPI - 32));
    vgicSetLine(0, UART_SPI, true);
    expect(wfi(0)).toBe(ACTION_RESUME);
    expect(lrIntid(0)).toBe(UART_SPI);
    expect(lrGet(0) & LR_EOI).toBe(LR_EOI);
    guestAck(0);
    guestEoi(0);
    expect(fakeMisr() & MISR_EOI).toBe(MISR_EOI);
    irqExit(0, MAINTENANCE);
    expect(lrIntid(0)).toBe(UART_SPI);
    expect(lrIsPending(0)).toBe(true);
    vgicSetLine(0, UART_SPI, false);
    guestAck(0);
    guestEoi(0);
    irqExit(0, MAINTENANCE);
    expect(lrValid(0)).toBe(false);
    expect(lrGet(0)).toBe(0);
    expect(fakeMisr()).toBe(0);
  });

  it("takes back a pending interrupt the guest disables before taking it", () => {
    setup([0, 0x80]);
    sgiW(0, ISPENDR, 0b10);
    expect(lrIntid(0)).toBe(1);
    sgiW(0, ICENABLER, 0b10);
    expect(lrValid(0)).toBe(false);
    expect(sgiR(0, ISPENDR) & 0b10).toBe(0b10);
  });

  it("touches no list register on exits that leave interrupts alone", () => {
    setup([0, 0x80]);
    sgiW(0, ISPENDR, 0b10);
    const writes = lrWrites();
    const status = statusCalls();
    sgiR(0, ISENABLER);
    expect(lrWrites()).toBe(writes);
    expect(statusCalls()).toBe(status);
  });
});

describe("pending and active state reads", () => {
  it("show an interrupt the guest acknowledged in its list register as active, no longer pending", () => {
    setup([0, 0x80]);
    sgiW(0, ISPENDR, 0b10);
    guestAck(0);
    expect(sgiR(0, ISACTIVER) & 0b10).toBe(0b10);
    expect(sgiR(0, ISPENDR) & 0b10).toBe(0);
    expect(sgiR(0, ICACTIVER) & 0b10).toBe(0b10);
    expect(sgiR(0, ICPENDR) & 0b10).toBe(0);
  });

  it("show an interrupt the guest deactivated in its list register as neither", () => {
    setup([0, 0x80]);
    sgiW(0, ISPENDR, 0b10);
    guestAck(0);
    expect(sgiR(0, ISACTIVER) & 0b10).toBe(0b10);
    guestEoi(0);
    expect(sgiR(0, ISACTIVER) & 0b10).toBe(0);
    expect(lrValid(0)).toBe(false);
  });

  it("show an SPI the guest acknowledged as active in GICD_ISACTIVER<n>", () => {
    setup([]);
    gicdW(ISENABLER + 4, 1 << (UART_SPI - 32));
    gicdW(ISPENDR + 4, 1 << (UART_SPI - 32));
    const i = lrFind(UART_SPI);
    expect(i).toBeGreaterThanOrEqual(0);
    guestAck(i);
    expect(<u32>gicdR(ISACTIVER + 4) & (1 << (UART_SPI - 32))).toBe(1 << (UART_SPI - 32));
    expect(<u32>gicdR(ISPENDR + 4) & (1 << (UART_SPI - 32))).toBe(0);
  });
});

describe("WFI", () => {
  it("idles a vCPU with nothing pending", () => {
    setup([]);
    expect(wfi(0)).toBe(ACTION_IDLE);
  });

  it("resumes a vCPU whose list register holds a pending interrupt", () => {
    setup([0, 0x80]);
    sgiW(0, ISPENDR, 0b10);
    expect(wfi(0)).toBe(ACTION_RESUME);
  });

  it("resumes and fills in an interrupt made pending for it by another vCPU before its kick arrived", () => {
    expect(freshGicVm(2)).toBe(0);
    gicdW(CTLR, GROUP1);
    sgiW(1, ISPENDR, 0b10, 0);
    setCpu(1);
    expect(lrValid(0)).toBe(false);
    expect(wfi(1)).toBe(ACTION_RESUME);
    expect(lrIntid(0)).toBe(1);
  });

  it("idles when the only interrupt in a list register is pending and active (it waits for its deactivation)", () => {
    setup([0, 0x80]);
    sgiW(0, ISPENDR, 0b10);
    guestAck(0);
    sgiW(0, ISPENDR, 0b10);
    expect(lrGet(0) & LR_STATE_BITS).toBe(LR_STATE_BITS);
    expect(wfi(0)).toBe(ACTION_IDLE);
  });

  it("idles when the only interrupt in a list register is active", () => {
    setup([0, 0x80]);
    sgiW(0, ISPENDR, 0b10);
    guestAck(0);
    expect(wfi(0)).toBe(ACTION_IDLE);
  });
});

describe("vCPU reset", () => {
  it("gives a pending SPI held in the vCPU's list registers back to the distributor", () => {
    expect(freshGicVm(2)).toBe(0);
    gicdW(CTLR, GROUP1);
    gicdW(0x6000 + 8 * 40, 1, 8);
    gicdW(ISENABLER + 4, 1 << 8);
    gicdW(ISPENDR + 4, 1 << 8);
    irqExit(1, KICK);
    expect(lrIntid(0)).toBe(40);
    vgicResetVcpu(1);
    setCpu(0);
    expect(sgiR(0, ISPENDR)).toBe(0);
    irqExit(1, KICK);
    expect(lrFind(40)).toBe(0);
  });

  it("forgets the vCPU's banked interrupts, pending or listed", () => {
    expect(freshGicVm(2)).toBe(0);
    gicdW(CTLR, GROUP1);
    sgiW(1, ISPENDR, 0b110, 0);
    irqExit(1, KICK);
    expect(lrIntid(0)).toBe(1);
    vgicResetVcpu(1);
    expect(sgiR(1, ISPENDR)).toBe(0);
    expect(wfi(1)).toBe(ACTION_IDLE);
  });
});
