import { esrEc, esrInstrBytes, hvcImm16, wfxIsWfe, dabtIsv, dabtAccessBytes, dabtSse, dabtSrt, dabtSf,
  dabtIsWrite, abortFsc, fscKind, fscLevel, FaultKind, sysregKey, sysregIsRead, sysregRt, sysregOp0,
  sysregOp1, sysregCrn, sysregCrm, sysregOp2, sysregEncode, SYSREG_ACTLR_EL1, EC_DABT_LOW, EC_HVC64,
  EC_SYSREG } from "../esr";

// ESR values below are built field by field from ARM ARM D17.2.37.
const IL: u64 = 1 << 25;
function dabtEsr(isv: u32, sas: u32, sse: u32, srt: u32, sf: u32, wnr: u32, dfsc: u32): u64 {
  return (<u64>EC_DABT_LOW << 26) | IL | <u64>((isv << 24) | (sas << 22) | (sse << 21) | (srt << 16)
    | (sf << 15) | (wnr << 6) | dfsc);
}

describe("ESR_EL2 decoding", () => {
  it("reads the exception class from bits [31:26]", () => {
    expect(esrEc((<u64>EC_HVC64 << 26) | IL)).toBe(EC_HVC64);
    expect(esrEc(dabtEsr(1, 2, 0, 3, 0, 1, 0x07))).toBe(EC_DABT_LOW);
  });

  it("treats IL = 1 as a 4-byte instruction and IL = 0 as a 2-byte one", () => {
    expect(esrInstrBytes(IL)).toBe(4);
    expect(esrInstrBytes(0)).toBe(2);
  });

  it("takes the HVC immediate from ISS [15:0]", () => {
    expect(hvcImm16((<u64>EC_HVC64 << 26) | IL | 0x1234)).toBe(0x1234);
  });

  it("tells WFE from WFI by TI bit 0", () => {
    expect(wfxIsWfe((1 << 26) | IL | 0)).toBe(false);
    expect(wfxIsWfe((1 << 26) | IL | 1)).toBe(true);
  });
});

describe("data abort syndrome decoding", () => {
  it("decodes a 32-bit store from w3", () => {
    const esr = dabtEsr(1, 2, 0, 3, 0, 1, 0x07);
    expect(dabtIsv(esr)).toBe(true);
    expect(dabtAccessBytes(esr)).toBe(4);
    expect(dabtSse(esr)).toBe(false);
    expect(dabtSrt(esr)).toBe(3);
    expect(dabtSf(esr)).toBe(false);
    expect(dabtIsWrite(esr)).toBe(true);
    expect(abortFsc(esr)).toBe(0x07);
  });

  it("decodes a sign-extending byte load into x30", () => {
    const esr = dabtEsr(1, 0, 1, 30, 1, 0, 0x06);
    expect(dabtAccessBytes(esr)).toBe(1);
    expect(dabtSse(esr)).toBe(true);
    expect(dabtSrt(esr)).toBe(30);
    expect(dabtSf(esr)).toBe(true);
    expect(dabtIsWrite(esr)).toBe(false);
  });

  it("reports register 31 (the zero register) as SRT 31", () => {
    expect(dabtSrt(dabtEsr(1, 3, 0, 31, 1, 1, 0x07))).toBe(31);
  });

  it("sees ISV = 0 when the syndrome is not valid", () => {
    expect(dabtIsv(dabtEsr(0, 0, 0, 0, 0, 1, 0x07))).toBe(false);
  });

  it("classifies fault status codes and their levels", () => {
    expect(fscKind(0x06)).toBe(FaultKind.Translation);
    expect(fscLevel(0x06)).toBe(2);
    expect(fscKind(0x0f)).toBe(FaultKind.Permission);
    expect(fscKind(0x0b)).toBe(FaultKind.AccessFlag);
    expect(fscKind(0x01)).toBe(FaultKind.AddressSize);
    expect(fscKind(0x10)).toBe(FaultKind.External);
    expect(fscKind(0x21)).toBe(FaultKind.Alignment);
    expect(fscKind(0x30)).toBe(FaultKind.Other);
  });
});

describe("trapped MSR/MRS syndrome decoding", () => {
  it("decodes MRS x5, ACTLR_EL1", () => {
    const esr: u64 = (<u64>EC_SYSREG << 26) | IL | <u64>(SYSREG_ACTLR_EL1 | (5 << 5) | 1);
    expect(sysregOp0(esr)).toBe(3);
    expect(sysregOp1(esr)).toBe(0);
    expect(sysregCrn(esr)).toBe(1);
    expect(sysregCrm(esr)).toBe(0);
    expect(sysregOp2(esr)).toBe(1);
    expect(sysregRt(esr)).toBe(5);
    expect(sysregIsRead(esr)).toBe(true);
    expect(sysregKey(esr)).toBe(SYSREG_ACTLR_EL1);
  });

  it("builds the same key from op0, op1, CRn, CRm, op2", () => {
    expect(sysregEncode(3, 0, 1, 0, 1)).toBe(SYSREG_ACTLR_EL1);
  });

  it("ignores Rt and direction in the register key", () => {
    const write: u64 = (<u64>EC_SYSREG << 26) | IL | <u64>(SYSREG_ACTLR_EL1 | (9 << 5));
    expect(sysregIsRead(write)).toBe(false);
    expect(sysregKey(write)).toBe(SYSREG_ACTLR_EL1);
  });
});
