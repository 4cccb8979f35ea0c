// Addresses and sizes as config files write them, and how messages show them.

const SUFFIX: Record<string, bigint> = { K: 1n << 10n, M: 1n << 20n, G: 1n << 30n };

/** An address the schema accepted: a non-negative integer or a "0x..." string. */
export function parseAddress(v: unknown): bigint {
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === "string" && /^0x[0-9a-fA-F]{1,16}$/.test(v)) return BigInt(v);
  throw new TypeError(`not an address: ${JSON.stringify(v)}`);
}

/** A size the schema accepted: an integer, a "0x..." string or a decimal string with K, M or G. */
export function parseSize(v: unknown): bigint {
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === "string") {
    if (/^0x[0-9a-fA-F]{1,16}$/.test(v)) return BigInt(v);
    const m = /^([0-9]{1,16})([KMG]?)$/.exec(v);
    if (m) return BigInt(m[1]!) * (m[2] ? SUFFIX[m[2]]! : 1n);
  }
  throw new TypeError(`not a size: ${JSON.stringify(v)}`);
}

export function hex(v: bigint): string {
  return `0x${v.toString(16)}`;
}

/** "0x50000000..0x50ffffff": first and last byte of [base, base + size). */
export function span(base: bigint, size: bigint): string {
  return size > 0n ? `${hex(base)}..${hex(base + size - 1n)}` : `${hex(base)} (empty)`;
}

/** "16 MiB" when exact, else the hex byte count. */
export function bytes(size: bigint): string {
  for (const [unit, shift] of [["GiB", 30n], ["MiB", 20n], ["KiB", 10n]] as const) {
    if (size >= 1n << shift && size % (1n << shift) === 0n) return `${size >> shift} ${unit}`;
  }
  return `${size} bytes`;
}

/** [a, a + asz) and [b, b + bsz) share a byte. */
export function overlaps(a: bigint, asz: bigint, b: bigint, bsz: bigint): boolean {
  return a < b + bsz && b < a + asz;
}

/** [inner, inner + isz) lies inside [outer, outer + osz). */
export function inside(inner: bigint, isz: bigint, outer: bigint, osz: bigint): boolean {
  return inner >= outer && inner + isz <= outer + osz;
}

/** A value for a message: JSON, cut short. */
export function shown(v: unknown): string {
  const s = v === undefined ? "nothing" : JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}
