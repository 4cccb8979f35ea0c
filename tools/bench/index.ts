// `wasmvisor bench`: the bench VM config on QEMU with -icount shift=0, where 1 ns of
// virtual time is one instruction, so every figure below is an instruction count.
// The guest (tests/guests, bench mode) times its traps with CNTVCT and reports them
// through WV_HC_REPORT; the runtime reports its own host->Wasm call cost at boot.
import { buildImage } from "../build/image.ts";
import { runQemu } from "../run/qemu.ts";
import { saveMetrics, table, BENCH_JSON, type Metrics } from "./results.ts";
import { rel } from "../lib/paths.ts";

const TIMEOUT_MS = 300_000;

/** Guest metric ids (tests/guests/basic/main.c, bench mode). */
const GUEST_METRICS: Record<string, string> = { "1": "hypercall_roundtrip", "2": "mmio_read_roundtrip" };
const TARGETS: Record<string, string> = { hypercall_roundtrip: "<= 3000" };

export function parseBench(lines: string[]): Metrics {
  const m: Metrics = {};
  for (const line of lines) {
    let r = /^\[bench\] metric (\d+) (\d+)$/.exec(line);
    if (r && GUEST_METRICS[r[1]]) m[GUEST_METRICS[r[1]]] = { value: Number(r[2]), unit: "instructions" };
    r = /^\[wasmvisor\] bench host_to_wasm_call (\d+)$/.exec(line);
    if (r) m.host_to_wasm_call = { value: Number(r[1]), unit: "instructions" };
  }
  return m;
}

export async function benchCommand(): Promise<number> {
  const img = buildImage("bench");
  process.stderr.write("[wasmvisor] bench: QEMU -icount shift=0 (figures are instructions)\n");
  const r = await runQemu({
    elf: img.elf, machine: img.board.qemu, icount: true, timeoutMs: TIMEOUT_MS,
    onLine: (l) => l.startsWith("[bench] ") && l.includes("BENCH DONE") || l.startsWith("[wasmvisor] PANIC"),
  });
  const m = parseBench(r.lines);
  const want = [...Object.values(GUEST_METRICS), "host_to_wasm_call"];
  const lacking = want.filter((k) => !m[k]);
  if (lacking.length) {
    process.stderr.write(`[wasmvisor] bench failed (${r.end}): no figure for ${lacking.join(", ")}\n` +
      r.lines.slice(-20).map((l) => `  ${l}\n`).join(""));
    return 1;
  }
  saveMetrics(m);
  process.stdout.write(table(m, TARGETS));
  process.stdout.write(`written to ${rel(BENCH_JSON)}\n`);
  return 0;
}
