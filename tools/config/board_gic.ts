// board.json "gic": the board's interrupt controller, which decides the virtual GIC its
// VMs can have. { "version": 3 } for a GICv3 (the VM gets an emulated GICv3);
// { "version": 2, "gicv": address } for a GICv2 with the virtualization extensions
// (a GIC-400): the VM gets an emulated distributor, and its CPU interface is the board's
// GICV frame at "gicv", which stage 2 maps where the guest expects GICC. The runtime
// (its board.c) must name the same GICV frame: it refuses any other.
import type { BoardGic } from "./types.ts";
import { hex, parseAddress, shown } from "./values.ts";

const PAGE = 0x1000n;
const FORMS = `{ "version": 3 } or { "version": 2, "gicv": address }`;

type Bad = (path: string, message: string) => void;

/** The GIC version QEMU is asked for in `qemu` (-M ...,gic-version=N), or null. */
export function qemuGicVersion(qemu: readonly string[]): number | null {
  for (const a of qemu) {
    const m = /(?:^|,)gic-version=(\d+)(?:,|$)/.exec(a);
    if (m) return Number(m[1]);
  }
  return null;
}

/** Check board.json's "gic" (`v`); problems go to `bad`. `qemu` is the board's QEMU arguments, which must agree. */
export function parseGic(v: unknown, qemu: readonly string[], bad: Bad): BoardGic | undefined {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    bad("gic", `must describe the board's interrupt controller, ${FORMS}, not ${shown(v)}`);
    return undefined;
  }
  const g = v as Record<string, unknown>;
  for (const k of Object.keys(g)) {
    if (!["version", "gicv", "description"].includes(k)) bad(`gic.${k}`, `unknown property (allowed: version, gicv, description)`);
  }
  if (g.version !== 2 && g.version !== 3) {
    bad("gic.version", `must be 2 or 3 (the GIC architecture), not ${shown(g.version)}`);
    return undefined;
  }
  const fromQemu = qemuGicVersion(qemu);
  if (fromQemu !== null && fromQemu !== g.version) {
    bad("gic.version", `is ${g.version}, but the board's qemu arguments ask for gic-version=${fromQemu}`);
  }
  if (g.version === 3) {
    if (g.gicv !== undefined) bad("gic.gicv", `only a GICv2 board has a GICV frame; remove it (or make version 2)`);
    return { version: 3, gicv: null };
  }
  let gicv: bigint;
  try {
    gicv = parseAddress(g.gicv);
  } catch {
    bad("gic.gicv", `must be the address of the GICv2 virtual CPU interface (GICV), ${FORMS}, not ${shown(g.gicv)}`);
    return undefined;
  }
  if (gicv % PAGE !== 0n) {
    bad("gic.gicv", `${hex(gicv)} is not 4 KiB aligned (stage 2 maps the GICV frame page by page)`);
    return undefined;
  }
  return { version: 2, gicv };
}
