// QEMU execution logs written for the profiles' tests (exit_profile.test.ts,
// rt_profile.test.ts), in the form qemu_log.ts reads.

/** Trace flags of a block at EL2 (the hypervisor) and at EL1 (a guest). */
export const EL2 = "00000061", EL1 = "00000121";
export const hex = (n: number): string => n.toString(16).padStart(16, "0");

/** A log writer: each block's listing the first time its host address is traced. */
export function writer() {
  const seen = new Set<string>();
  const out: string[] = [];
  let host = 0x1000;
  const hosts = new Map<string, string>();
  return {
    out,
    /** A block of `n` instructions at `pc` entered by `cpu`; its translation's host address. */
    block(cpu: number, pc: number, n: number, flags = EL2): string {
      const key = `${pc}/${n}`;
      if (!hosts.has(key)) hosts.set(key, `0x7f00${(host++).toString(16)}`);
      const h = hosts.get(key)!;
      if (!seen.has(h)) {
        seen.add(h);
        out.push("----------------", "IN: ", ...Array.from({ length: n }, (_, i) => `0x${(pc + 4 * i).toString(16)}:  d503201f  nop`), "");
      }
      out.push(`Trace ${cpu}: ${h} [0000000000000000/${hex(pc)}/${flags}/ff020200] `);
      return h;
    },
    raw(l: string): void { out.push(l); },
  };
}
