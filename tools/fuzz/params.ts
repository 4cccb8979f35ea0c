// The fuzz guest's parameter record (tests/guests/fuzz/params.h, 64 bytes,
// little-endian), which the VM config loads into the guest's RAM as an image of its
// own. params.test.ts checks this encoder against the record the guest build makes.

export const PARAMS_BYTES = 64;
export const PARAMS_MAGIC = 0x315a4657;   // "WFZ1"
export const PARAMS_VERSION = 1;
/** The image file vmconfigs/fuzz.json loads the record from (the defaults, built by tests/guests). */
export const PARAMS_IMAGE = "guest-fuzz-params.bin";

export const FLAG_OUTSIDE_MEMORY = 1 << 0;
export const FLAG_SYSTEM_RESET = 1 << 1;
export const FLAG_TRACE = 1 << 2;

/** The guest's actions in the order of its table (tests/guests/fuzz/main.c): bit i of `skip`. */
export const ACTIONS = ["call", "sysreg", "device", "memory", "cache", "sgi", "wait", "irq", "cpu", "mgmt", "suspend"] as const;

export interface FuzzParams {
  seed: bigint;
  /** The bound: `fuzz: done A actions` after this many; 0 = endless. */
  actions: bigint;
  reportEvery: number;
  flags: number;
  memBase: bigint;
  memSize: bigint;
  /** 0 when the VM has no virtio-console. */
  virtioIpa: bigint;
  skip: number;
  /** With FLAG_TRACE: the first action the guest names (0: every one). */
  traceFrom: number;
}

export function encodeParams(p: FuzzParams): Buffer {
  const b = Buffer.alloc(PARAMS_BYTES);
  b.writeUInt32LE(PARAMS_MAGIC, 0);
  b.writeUInt32LE(PARAMS_VERSION, 4);
  b.writeBigUInt64LE(p.seed, 8);
  b.writeBigUInt64LE(p.actions, 16);
  b.writeUInt32LE(p.reportEvery, 24);
  b.writeUInt32LE(p.flags, 28);
  b.writeBigUInt64LE(p.memBase, 32);
  b.writeBigUInt64LE(p.memSize, 40);
  b.writeBigUInt64LE(p.virtioIpa, 48);
  b.writeUInt32LE(p.skip, 56);
  b.writeUInt32LE(p.traceFrom, 60);
  return b;
}

export function decodeParams(b: Buffer): FuzzParams {
  if (b.length !== PARAMS_BYTES) throw new Error(`fuzz parameters: ${b.length} bytes, not ${PARAMS_BYTES}`);
  if (b.readUInt32LE(0) !== PARAMS_MAGIC || b.readUInt32LE(4) !== PARAMS_VERSION) {
    throw new Error("fuzz parameters: bad magic or version");
  }
  return {
    seed: b.readBigUInt64LE(8), actions: b.readBigUInt64LE(16), reportEvery: b.readUInt32LE(24),
    flags: b.readUInt32LE(28), memBase: b.readBigUInt64LE(32), memSize: b.readBigUInt64LE(40),
    virtioIpa: b.readBigUInt64LE(48), skip: b.readUInt32LE(56), traceFrom: b.readUInt32LE(60),
  };
}

/** The skip mask for action names ("wait,sgi"); an unknown name is an error naming the known ones. */
export function skipMask(names: string[]): number {
  let m = 0;
  for (const n of names) {
    const i = (ACTIONS as readonly string[]).indexOf(n);
    if (i < 0) throw new Error(`unknown fuzz action "${n}" (known: ${ACTIONS.join(", ")})`);
    m |= 1 << i;
  }
  return m;
}
