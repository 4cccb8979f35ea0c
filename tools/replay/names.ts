// Names for what a replay reports: the exit record's fields (docs/abi.md 2, "Exit
// record") and an exit's class from its ESR_EL2 (ARM ARM D17.2.37, EC).
const EC: Record<number, string> = {
  0x00: "unknown", 0x01: "WFI/WFE", 0x07: "FP/SIMD access", 0x0e: "illegal state", 0x11: "SVC32", 0x15: "SVC64",
  0x16: "HVC64", 0x17: "SMC64", 0x18: "MSR/MRS (sysreg)", 0x20: "instruction abort (lower EL)",
  0x21: "instruction abort (same EL)", 0x22: "PC alignment", 0x24: "data abort (lower EL)", 0x25: "data abort (same EL)",
  0x26: "SP alignment", 0x2c: "FP exception", 0x30: "breakpoint (lower EL)", 0x32: "software step (lower EL)",
  0x34: "watchpoint (lower EL)", 0x3c: "BRK",
};

/** An exit record's bytes (docs/abi.md 2, "Exit record"). */
export const EXIT_REC = 320;
/** Its registers x0..x30, 8 bytes each from offset 0; then these fields. */
const X_END = 31 * 8;
const FIELDS: { at: number; size: number; name: string }[] = [
  { at: 248, size: 8, name: "pc" }, { at: 256, size: 8, name: "spsr" }, { at: 264, size: 8, name: "esr" },
  { at: 272, size: 8, name: "far" }, { at: 280, size: 8, name: "hpfar" }, { at: 288, size: 4, name: "vcpu" },
  { at: 292, size: 4, name: "flags" }, { at: 296, size: 8, name: "cntvct" }, { at: 304, size: 4, name: "intid" },
  { at: 308, size: 4, name: "reserved" }, { at: 312, size: 8, name: "reserved" },
];
const fieldAt = (name: string): number => FIELDS.find((f) => f.name === name)!.at;
const PC = fieldAt("pc"), ESR = fieldAt("esr"), VCPU = fieldAt("vcpu"), FLAGS = fieldAt("flags"), INTID = fieldAt("intid");
/** flags: the exit is an IRQ. */
const FLAG_IRQ = 1;

/** The class of the exit in an exit record: "IRQ (INTID n)" or the ESR's EC. */
export function exitClass(rec: Buffer): string {
  if (rec.length < EXIT_REC) return "exit record cut short";
  if (rec.readUInt32LE(FLAGS) & FLAG_IRQ) return `IRQ (INTID ${rec.readUInt32LE(INTID)})`;
  const esr = rec.readBigUInt64LE(ESR);
  const ec = Number((esr >> 26n) & 0x3fn);
  return `${EC[ec] ?? `EC 0x${ec.toString(16)}`}`;
}

/** A short description of an exit: its class, ESR, PC and vCPU. */
export function describeExit(rec: Buffer): string {
  if (rec.length < EXIT_REC) return exitClass(rec);
  return `${exitClass(rec)}, ESR 0x${rec.readBigUInt64LE(ESR).toString(16)}, PC 0x${rec.readBigUInt64LE(PC).toString(16)}, ` +
    `vCPU ${rec.readUInt32LE(VCPU)}`;
}

/** The exit record field a byte offset falls in, and that field's offset and size. */
export function recordField(off: number): { name: string; at: number; size: number } {
  if (off < X_END) { const n = Math.floor(off / 8); return { name: `x${n}`, at: n * 8, size: 8 }; }
  return FIELDS.find((f) => off >= f.at && off < f.at + f.size) ?? { name: `byte ${off}`, at: off, size: 1 };
}

export function hex(v: bigint | number): string {
  return `0x${v.toString(16)}`;
}
