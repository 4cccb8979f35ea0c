import { freshGicVm, gicdW, sgiW, sgiR, msr, mrs, irqExit, lrIntid, lrValid, lrFind, LR_GROUP } from "../../__tests__/gic";
import { kickCount, kickVcpu, setCpu, lrGet, setKickResult } from "../../__tests__/fake";
import { pc, START_PC } from "../../__tests__/exit";
import { ACTION_RESUME } from "../../abi/exit_record";
import { SYSREG_ICC_SGI1R_EL1, SYSREG_ICC_ASGI1R_EL1, SYSREG_ICC_SGI0R_EL1 } from "../vgic_v3_sgi";

const CTLR: u64 = 0x0000, IGROUPR: u64 = 0x0080, ICENABLER: u64 = 0x0180, ISENABLER: u64 = 0x0100;
const ISPENDR: u64 = 0x0200;
const BOTH_GROUPS: u64 = 3;
const KICK: u32 = 8;

/** ICC_SGI1R_EL1: INTID [27:24], TargetList [15:0], Aff1 [23:16], IRM [40], RS [47:44]. */
function sgir(x: u32, targets: u32): u64 { return (<u64>x << 24) | <u64>targets; }
const IRM: u64 = <u64>1 << 40;

function setup(vcpus: u32): void {
  expect(freshGicVm(vcpus)).toBe(0);
  gicdW(CTLR, BOTH_GROUPS);
}

describe("an SGI to another vCPU", () => {
  it("is pending in the target's redistributor and kicks the target", () => {
    setup(2);
    expect(msr(0, SYSREG_ICC_SGI1R_EL1, sgir(3, 0b10))).toBe(ACTION_RESUME);
    expect(pc()).toBe(START_PC + 4);
    expect(kickCount()).toBe(1);
    expect(kickVcpu(0)).toBe(1);
    expect(sgiR(1, ISPENDR)).toBe(1 << 3);
    expect(sgiR(0, ISPENDR)).toBe(0);
    setCpu(0);
    expect(lrValid(0)).toBe(false);
  });

  it("reaches the target's list registers at the target's kick exit", () => {
    setup(2);
    msr(0, SYSREG_ICC_SGI1R_EL1, sgir(3, 0b10));
    expect(irqExit(1, KICK)).toBe(ACTION_RESUME);
    expect(lrIntid(0)).toBe(3);
  });

  it("kicks once until the target has synced, then again", () => {
    setup(2);
    msr(0, SYSREG_ICC_SGI1R_EL1, sgir(3, 0b10));
    msr(0, SYSREG_ICC_SGI1R_EL1, sgir(4, 0b10));
    expect(kickCount()).toBe(1);
    irqExit(1, KICK);
    msr(0, SYSREG_ICC_SGI1R_EL1, sgir(5, 0b10));
    expect(kickCount()).toBe(2);
  });

  it("kicks again next time when the runtime refused the kick", () => {
    setup(2);
    setKickResult(-5);
    msr(0, SYSREG_ICC_SGI1R_EL1, sgir(3, 0b10));
    setKickResult(0);
    msr(0, SYSREG_ICC_SGI1R_EL1, sgir(4, 0b10));
    expect(kickCount()).toBe(2);
  });

  it("waits in the target's redistributor while disabled there, and goes to it once enabled", () => {
    setup(2);
    sgiW(1, ICENABLER, 1 << 3, 1);
    msr(0, SYSREG_ICC_SGI1R_EL1, sgir(3, 0b10));
    expect(kickCount()).toBe(0);
    sgiW(1, ISENABLER, 1 << 3, 0);
    expect(kickCount()).toBe(1);
  });
});

describe("an SGI to the sending vCPU itself", () => {
  it("is in its list registers when it resumes, with no kick", () => {
    setup(2);
    msr(0, SYSREG_ICC_SGI1R_EL1, sgir(6, 0b01));
    expect(lrIntid(0)).toBe(6);
    expect(kickCount()).toBe(0);
  });
});

describe("SGI targets the VM does not have", () => {
  it("are ignored in the target list", () => {
    setup(2);
    msr(0, SYSREG_ICC_SGI1R_EL1, sgir(3, 0b1111_1100));
    expect(kickCount()).toBe(0);
    expect(sgiR(0, ISPENDR) | sgiR(1, ISPENDR)).toBe(0);
  });

  it("are ignored when Aff1, Aff2, Aff3 or the range selector name other clusters", () => {
    setup(2);
    msr(0, SYSREG_ICC_SGI1R_EL1, sgir(3, 0b10) | (1 << 16));
    msr(0, SYSREG_ICC_SGI1R_EL1, sgir(3, 0b10) | (<u64>1 << 32));
    msr(0, SYSREG_ICC_SGI1R_EL1, sgir(3, 0b10) | (<u64>1 << 48));
    msr(0, SYSREG_ICC_SGI1R_EL1, sgir(3, 0b10) | (<u64>1 << 44));
    expect(kickCount()).toBe(0);
    expect(sgiR(1, ISPENDR)).toBe(0);
  });
});

describe("an SGI to all other vCPUs (IRM = 1)", () => {
  it("is pending on every vCPU but the sender, whatever the target list says", () => {
    setup(3);
    msr(1, SYSREG_ICC_SGI1R_EL1, sgir(2, 0) | IRM);
    expect(sgiR(0, ISPENDR)).toBe(1 << 2);
    expect(sgiR(1, ISPENDR)).toBe(0);
    expect(sgiR(2, ISPENDR)).toBe(1 << 2);
    expect(kickCount()).toBe(2);
  });
});

describe("SGI groups", () => {
  it("drops an SGI from ICC_SGI0R_EL1 that is in Group 1 at the target", () => {
    setup(1);
    msr(0, SYSREG_ICC_SGI0R_EL1, sgir(1, 1));
    expect(sgiR(0, ISPENDR)).toBe(0);
  });

  it("delivers an SGI from ICC_SGI0R_EL1 that is in Group 0 at the target, as Group 0", () => {
    setup(1);
    sgiW(0, IGROUPR, 0xfffffffd);
    msr(0, SYSREG_ICC_SGI0R_EL1, sgir(1, 1));
    const i = lrFind(1);
    expect(i).toBe(0);
    expect(lrGet(i) & LR_GROUP).toBe(0);
    msr(0, SYSREG_ICC_SGI1R_EL1, sgir(1, 1));
    expect(lrFind(1)).toBe(0);
  });

  it("treats ICC_ASGI1R_EL1 as ICC_SGI1R_EL1 (one security state)", () => {
    setup(2);
    msr(0, SYSREG_ICC_ASGI1R_EL1, sgir(5, 0b10));
    expect(sgiR(1, ISPENDR)).toBe(1 << 5);
  });
});

describe("reading a generate-SGI register", () => {
  it("gives zero and steps over the MRS", () => {
    setup(1);
    expect(mrs(0, SYSREG_ICC_SGI1R_EL1)).toBe(0);
    expect(pc()).toBe(START_PC + 4);
  });
});
