// Names for what a replay reports: the exit record's fields (docs/abi.md 2, "Exit
// record") and an exit's class from its ESR_EL2 (ARM ARM D17.2.37, EC).
const EC: Record<number, string> = {
  0x00: "unknown", 0x01: "WFI/WFE", 0x07: "FP/SIMD access", 0x0e: "illegal state", 0x11: "SVC32", 0x15: "SVC64",
  0x16: "HVC64", 0x17: "SMC64", 0x18: "MSR/MRS (sysreg)", 0x20: "instruction abort (lower EL)",
  0x21: "instruction abort (same EL)", 0x22: "PC alignment", 0x24: "data abort (lower EL)", 0x25: "data abort (same EL)",
  0x26: "SP alignment", 0x2c: "FP exception", 0x30: "breakpoint (lower EL)", 0x32: "software step (lower EL)",
  0x34: "watchpoint (lower EL)", 0x3c: "BRK",
};

/** The class of the exit in a 320-byte exit record: "IRQ (INTID n)" or the ESR's EC. */
export function exitClass(rec: Buffer): string {
  if (rec.length < 320) return "exit record cut short";
  if (rec.readUInt32LE(292) & 1) return `IRQ (INTID ${rec.readUInt32LE(304)})`;
  const esr = rec.readBigUInt64LE(264);
  const ec = Number((esr >> 26n) & 0x3fn);
  return `${EC[ec] ?? `EC 0x${ec.toString(16)}`}`;
}

/** A short description of an exit: its class, ESR, PC and vCPU. */
export function describeExit(rec: Buffer): string {
  if (rec.length < 320) return exitClass(rec);
  return `${exitClass(rec)}, ESR 0x${rec.readBigUInt64LE(264).toString(16)}, PC 0x${rec.readBigUInt64LE(248).toString(16)}, ` +
    `vCPU ${rec.readUInt32LE(288)}`;
}

/** The exit record field a byte offset falls in, and that field's offset and size. */
export function recordField(off: number): { name: string; at: number; size: number } {
  if (off < 248) { const n = Math.floor(off / 8); return { name: `x${n}`, at: n * 8, size: 8 }; }
  const fields: [number, number, string][] = [[248, 8, "pc"], [256, 8, "spsr"], [264, 8, "esr"], [272, 8, "far"],
    [280, 8, "hpfar"], [288, 4, "vcpu"], [292, 4, "flags"], [296, 8, "cntvct"], [304, 4, "intid"], [308, 4, "reserved"],
    [312, 8, "reserved"]];
  for (const [at, size, name] of fields) if (off >= at && off < at + size) return { name, at, size };
  return { name: `byte ${off}`, at: off, size: 1 };
}

export function hex(v: bigint | number): string {
  return `0x${v.toString(16)}`;
}
