import { freshGicVm, gicdW, sgiW, sgiR, irqExit, guestAck, guestEoi, lrFind, lrIntid, lrPintid, lrIsPending,
  lrValid, LR_HW, LR_EOI, LR_GROUP } from "../../__tests__/gic";
import { lrGet, fakeMisr, irqSetCount, irqSetIntid, irqSetEnable, setIrqSetResult, kickCount, kickVcpu, consoleCount,
  lastConsole, setCpu } from "../../__tests__/fake";
import { pc, START_PC } from "../../__tests__/exit";
import { ACTION_RESUME } from "../../abi/exit_record";
import { exitCount, EXIT_CLASS_IRQ, EXIT_CLASS_HVC } from "../exits";
import { vgicResetVcpu } from "../vgic";

const CTLR: u64 = 0x0000, ISENABLER: u64 = 0x0100, ISPENDR: u64 = 0x0200, IPRIORITYR: u64 = 0x0400;
const IROUTER: u64 = 0x6000;
const GROUP1: u64 = 2;
const VTIMER: u32 = 27, MAINTENANCE: u32 = 25;
/** ICH_MISR_EL2.U: underflow (UIE and at most one valid list register). */
const MISR_U: u32 = 2;

/** `vcpus` vCPUs, Group 1 on, the virtual timer's PPI enabled on vCPU 0. */
function setup(vcpus: u32 = 1): void {
  expect(freshGicVm(vcpus)).toBe(0);
  gicdW(CTLR, GROUP1);
  sgiW(0, ISENABLER, 1 << VTIMER);
}

describe("the physical timer's interrupt", () => {
  it("goes to the running vCPU in a hardware-mapped list register, as the virtual timer's does", () => {
    const PTIMER: u32 = 30;
    expect(freshGicVm(1)).toBe(0);
    gicdW(CTLR, GROUP1);
    sgiW(0, ISENABLER, 1 << PTIMER);
    expect(irqExit(0, PTIMER)).toBe(ACTION_RESUME);
    const i = lrFind(PTIMER);
    expect(i).toBe(0);
    expect(lrGet(i) & LR_HW).toBe(LR_HW);
    expect(lrPintid(i)).toBe(PTIMER);
    expect(lrIsPending(i)).toBe(true);
    expect(consoleCount()).toBe(0);
  });

  it("is masked at the physical GIC while its virtual copy waits (the guest disabled it)", () => {
    const PTIMER: u32 = 30;
    expect(freshGicVm(1)).toBe(0);
    gicdW(CTLR, GROUP1);
    expect(irqExit(0, PTIMER)).toBe(ACTION_RESUME);
    expect(lrFind(PTIMER)).toBe(-1);
    expect(irqSetCount()).toBe(1);
    expect(irqSetIntid(0)).toBe(PTIMER);
    expect(irqSetEnable(0)).toBe(0);
  });
});

describe("the virtual timer's interrupt", () => {
  it("goes to the running vCPU in a hardware-mapped list register", () => {
    setup();
    sgiW(0, IPRIORITYR + VTIMER, 0xa0, 0, 1);
    expect(irqExit(0, VTIMER)).toBe(ACTION_RESUME);
    const i = lrFind(VTIMER);
    expect(i).toBe(0);
    expect(lrGet(i) & LR_HW).toBe(LR_HW);
    expect(lrPintid(i)).toBe(VTIMER);
    expect(lrIsPending(i)).toBe(true);
    expect(lrGet(i) & LR_GROUP).toBe(LR_GROUP);
    expect(<u32>((lrGet(i) >> 48) & 0xff)).toBe(0xa0);
    expect(irqSetCount()).toBe(0);
  });

  it("is no guest exception: the PC stays, and a stale ESR is not taken for a hypercall", () => {
    setup();
    irqExit(0, VTIMER);
    expect(pc()).toBe(START_PC);
    expect(exitCount(0, EXIT_CLASS_IRQ)).toBe(1);
    expect(exitCount(0, EXIT_CLASS_HVC)).toBe(0);
  });

  it("is hardware-mapped again each time it fires after the guest deactivated it", () => {
    setup();
    irqExit(0, VTIMER);
    guestAck(0);
    guestEoi(0);
    irqExit(0, VTIMER);
    expect(lrFind(VTIMER)).toBeGreaterThanOrEqual(0);
    expect(lrGet(lrFind(VTIMER)) & LR_HW).toBe(LR_HW);
  });

  it("takes a list register from a pending interrupt when all four are in use", () => {
    setup();
    sgiW(0, ISPENDR, 0b11110);
    expect(lrIntid(3)).toBe(4);
    irqExit(0, VTIMER);
    expect(lrFind(VTIMER)).toBeGreaterThanOrEqual(0);
    expect(lrFind(4)).toBe(-1);
    expect(sgiR(0, ISPENDR) & 0b10000).toBe(0b10000);
  });

  it("is masked at the physical GIC while the guest has it disabled, with no pending copy kept", () => {
    expect(freshGicVm(1)).toBe(0);
    gicdW(CTLR, GROUP1);
    irqExit(0, VTIMER);
    expect(lrFind(VTIMER)).toBe(-1);
    expect(irqSetCount()).toBe(1);
    expect(irqSetIntid(0)).toBe(VTIMER);
    expect(irqSetEnable(0)).toBe(0);
    irqExit(0, MAINTENANCE);
    expect(irqSetCount()).toBe(1);
  });

  it("is not delivered when the guest stopped its timer before it unmasks the PPI", () => {
    // A level the guest's timer no longer asserts: unmasking samples it, and nothing fires.
    expect(freshGicVm(1)).toBe(0);
    gicdW(CTLR, GROUP1);
    irqExit(0, VTIMER);
    sgiW(0, ISENABLER, 1 << VTIMER);
    expect(lrFind(VTIMER)).toBe(-1);
    expect(irqSetCount()).toBe(2);
    expect(irqSetIntid(1)).toBe(VTIMER);
    expect(irqSetEnable(1)).toBe(1);
  });

  it("is delivered hardware-mapped when the timer still fires as the guest unmasks the PPI", () => {
    expect(freshGicVm(1)).toBe(0);
    gicdW(CTLR, GROUP1);
    irqExit(0, VTIMER);
    sgiW(0, ISENABLER, 1 << VTIMER);
    expect(irqSetEnable(irqSetCount() - 1)).toBe(1);
    irqExit(0, VTIMER);   // still asserted: the GIC delivers it again at once
    const i = lrFind(VTIMER);
    expect(i).toBeGreaterThanOrEqual(0);
    expect(lrGet(i) & LR_HW).toBe(LR_HW);
    expect(lrPintid(i)).toBe(VTIMER);
  });

  it("is unmasked by its own vCPU when another vCPU enables it there", () => {
    expect(freshGicVm(2)).toBe(0);
    gicdW(CTLR, GROUP1);
    irqExit(1, VTIMER);
    expect(irqSetCount()).toBe(1);
    sgiW(1, ISENABLER, 1 << VTIMER, 0);
    expect(irqSetCount()).toBe(1);
    expect(kickCount()).toBe(1);
    expect(kickVcpu(0)).toBe(1);
    irqExit(1, 8);
    expect(irqSetCount()).toBe(2);
    expect(irqSetEnable(1)).toBe(1);
    expect(lrFind(VTIMER)).toBe(-1);
  });

  it("waits masked while every list register is active, and is sampled again once one is free", () => {
    setup();
    sgiW(0, ISPENDR, 0b11110);
    for (let i = 0; i < 4; i++) guestAck(i);
    irqExit(0, VTIMER);
    expect(irqSetCount()).toBe(1);
    expect(irqSetEnable(0)).toBe(0);
    expect(lrFind(VTIMER)).toBe(-1);
    for (let i = 0; i < 3; i++) {
      guestEoi(i);
      expect(fakeMisr()).toBe(i < 2 ? 0 : MISR_U);
    }
    irqExit(0, MAINTENANCE);
    expect(irqSetCount()).toBe(2);
    expect(irqSetEnable(1)).toBe(1);
    expect(fakeMisr()).toBe(0);
  });

  it("stays pending for the guest when the runtime refuses to mask it, which is asked only once", () => {
    expect(freshGicVm(1)).toBe(0);
    gicdW(CTLR, GROUP1);
    setIrqSetResult(-2);
    irqExit(0, VTIMER);
    expect(lastConsole()).toBe(
      "[wasmvisor] vm linux: cannot mask physical INTID 27 while the guest cannot take it; it may fire again at once\n");
    expect(sgiR(0, ISPENDR) & (1 << VTIMER)).toBe(1 << VTIMER);
    const n = consoleCount();
    irqExit(0, VTIMER);
    expect(irqSetCount()).toBe(1);
    expect(consoleCount()).toBe(n);
  });
});

describe("the virtual timer's interrupt after PSCI CPU_OFF and CPU_ON", () => {
  it("is masked again when it fires while the restarted guest has it disabled", () => {
    // The core masked it before the reset; the runtime unmasks it for the fresh vCPU.
    expect(freshGicVm(1)).toBe(0);
    gicdW(CTLR, GROUP1);
    irqExit(0, VTIMER);
    expect(irqSetCount()).toBe(1);
    vgicResetVcpu(0);
    gicdW(CTLR, GROUP1);
    irqExit(0, VTIMER);
    expect(irqSetCount()).toBe(2);
    expect(irqSetIntid(1)).toBe(VTIMER);
    expect(irqSetEnable(1)).toBe(0);
  });

  it("is not unmasked by the restarted vCPU, since the runtime did that when it started it", () => {
    expect(freshGicVm(1)).toBe(0);
    gicdW(CTLR, GROUP1);
    irqExit(0, VTIMER);
    vgicResetVcpu(0);
    gicdW(CTLR, GROUP1);
    sgiW(0, ISENABLER, 1 << VTIMER);
    irqExit(0, MAINTENANCE);
    expect(irqSetCount()).toBe(1);
  });
});

describe("the VM's own SPIs", () => {
  it("go hardware-mapped to the vCPU they are routed to", () => {
    setup(2);
    gicdW(ISENABLER + 4, 1 << 8);
    expect(irqExit(0, 40)).toBe(ACTION_RESUME);
    const i = lrFind(40);
    expect(i).toBe(0);
    expect(lrGet(i) & LR_HW).toBe(LR_HW);
    expect(lrPintid(i)).toBe(40);
  });

  it("arriving on another vCPU's CPU, are masked and handed to their vCPU as a virtual copy", () => {
    setup(2);
    gicdW(ISENABLER + 4, 1 << 8);
    gicdW(IROUTER + 8 * 40, 1, 8);
    irqExit(0, 40);
    expect(lrFind(40)).toBe(-1);
    expect(irqSetIntid(0)).toBe(40);
    expect(irqSetEnable(0)).toBe(0);
    expect(kickCount()).toBe(1);
    expect(kickVcpu(0)).toBe(1);
    irqExit(1, 8);
    const i = lrFind(40);
    expect(i).toBe(0);
    expect(lrGet(i) & LR_HW).toBe(0);
    guestAck(i);
    guestEoi(i);
    irqExit(1, MAINTENANCE);
    expect(irqSetCount()).toBe(2);
    expect(irqSetIntid(1)).toBe(40);
    expect(irqSetEnable(1)).toBe(1);
  });
});

describe("other physical interrupts", () => {
  it("refill the list registers on the kick SGI and the maintenance interrupt, without a stop", () => {
    setup(2);
    sgiW(1, ISPENDR, 0b100, 0);
    setCpu(1);
    expect(lrValid(0)).toBe(false);
    expect(irqExit(1, 8)).toBe(ACTION_RESUME);
    expect(lrIntid(0)).toBe(2);
    expect(irqExit(1, MAINTENANCE)).toBe(ACTION_RESUME);
    expect(lrIntid(0)).toBe(2);
  });

  it("are reported once each and otherwise ignored", () => {
    setup();
    expect(irqExit(0, 1000)).toBe(ACTION_RESUME);
    expect(lastConsole()).toBe("[wasmvisor] vm linux: physical INTID 1000 is not the VM's: ignored\n");
    const n = consoleCount();
    irqExit(0, 1000);
    expect(consoleCount()).toBe(n);
    irqExit(0, 3);
    expect(consoleCount()).toBe(n + 1);
    expect(lrValid(0)).toBe(false);
  });

  it("stop being reported after eight INTIDs, with one last line", () => {
    setup();
    for (let i: u32 = 0; i < 12; i++) irqExit(0, 500 + i);
    expect(consoleCount()).toBe(9);
    expect(lastConsole()).toBe("[wasmvisor] vm linux: more unknown physical interrupts, not reported\n");
  });
});
