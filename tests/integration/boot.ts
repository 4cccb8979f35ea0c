// Shared by the integration tests: build an image for a VM config and boot it on
// QEMU until a condition holds or a hard timeout passes. On failure the message says
// what the test waited for and shows the console's last lines.
import assert from "node:assert/strict";
import { buildImage, type BuiltImage, type Tier } from "../../tools/build/image.ts";
import { runQemu, type QemuRun } from "../../tools/run/qemu.ts";

export interface Boot extends QemuRun { image: BuiltImage }

/**
 * `board`: boot the config on this board instead of the one it names (buildImage's
 * boardOverride); `tier`: the core's engine (default native, the image's default).
 */
export async function boot(config: string, waitFor: string, until: (line: string, all: string[]) => boolean,
  timeoutMs: number, icount = false, board?: string, tier?: Tier): Promise<Boot> {
  const image = buildImage(config, { boardOverride: board, tier });
  const r = await runQemu({ elf: image.elf, machine: image.board.qemu, timeoutMs, onLine: until, icount });
  if (r.end !== "done") {
    throw new Error(`waited for ${waitFor}; the run ended with "${r.end}" after ${(r.elapsedMs / 1000).toFixed(1)} s ` +
      `(limit ${timeoutMs / 1000} s). Last console lines:\n${tail(r.lines)}`);
  }
  return { ...r, image };
}

export function tail(lines: string[], n = 25): string {
  return lines.slice(-n).map((l) => `  | ${l}`).join("\n");
}

/** The runtime's line saying which engine runs the built-in core: its native part or wasm3. */
export function engineLine(tier: Tier): RegExp {
  return tier === "native" ? /^\[wasmvisor\] core runs native/ : /^\[wasmvisor\] core runs in wasm3/;
}

/** Index of the first line matching `re`, or -1. */
export function find(lines: string[], re: RegExp): number {
  return lines.findIndex((l) => re.test(l));
}

/**
 * Assert that no line matches `re`; a failure quotes the first line that does, with its
 * number and the lines around it (the console's tail may not hold it).
 */
export function noLine(lines: string[], re: RegExp, what: string): void {
  const i = find(lines, re);
  if (i < 0) return;
  const around = lines.slice(Math.max(0, i - 5), i + 6).map((l, k) => `  ${Math.max(0, i - 5) + k === i ? ">" : "|"} ${l}`);
  throw new assert.AssertionError({
    message: `${what}: line ${i + 1} of ${lines.length} matches ${re}:\n  ${lines[i]}\naround it:\n${around.join("\n")}\n` +
      `console's last lines:\n${tail(lines, 25)}`,
  });
}
