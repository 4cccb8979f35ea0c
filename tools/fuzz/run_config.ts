// A fuzz run's VM config: vmconfigs/fuzz.json with the fuzz guest's parameter image
// replaced by a record written for this run (seed, bound, flags), and its memory and
// virtio-console taken from the config itself. Written under build/fuzz/.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUILD, ROOT } from "../lib/paths.ts";
import { encodeParams, PARAMS_IMAGE, type FuzzParams } from "./params.ts";
import { parseAddress, parseSize } from "../config/values.ts";

export const FUZZ_CONFIG = join(ROOT, "vmconfigs", "fuzz.json");
/** One file name for every run, so that the image is rebuilt, not reconfigured, per seed. */
export const RUN_CONFIG = join(BUILD, "fuzz", "fuzz-run.json");
const RUN_PARAMS = join(BUILD, "fuzz", "fuzz-params.bin");

interface JsonVm {
  name: string; images?: { file: string; ipa: string | number }[];
  memory: { ipa: string | number; size: string | number }[];
  devices?: { type: string; ipa?: string | number }[];
}

export interface RunConfig {
  path: string;
  /** The fuzz guest's VM. */
  fuzzVm: string;
  /** The other VMs by the guest they run: counters (tick lines) and RT guests (latency rounds). */
  counters: string[];
  rts: string[];
}

export function writeRunConfig(p: Omit<FuzzParams, "memBase" | "memSize" | "virtioIpa">, source = FUZZ_CONFIG): RunConfig {
  const cfg = JSON.parse(readFileSync(source, "utf8")) as { vms: JsonVm[] };
  const fuzz = cfg.vms.find((v) => v.images?.some((i) => i.file === PARAMS_IMAGE));
  if (!fuzz) throw new Error(`${source}: no VM loads ${PARAMS_IMAGE}`);
  const params = fuzz.images!.find((i) => i.file === PARAMS_IMAGE)!;
  const at = BigInt(parseAddress(params.ipa));
  const region = fuzz.memory.find((m) => at >= BigInt(parseAddress(m.ipa)) &&
    at < BigInt(parseAddress(m.ipa)) + BigInt(parseSize(m.size)));
  if (!region) throw new Error(`${source}: vm ${fuzz.name}: ${PARAMS_IMAGE} is in none of its memory regions`);
  const virtio = fuzz.devices?.find((d) => d.type === "virtio-console");
  const record = encodeParams({
    ...p, memBase: BigInt(parseAddress(region.ipa)), memSize: BigInt(parseSize(region.size)),
    virtioIpa: virtio?.ipa !== undefined ? BigInt(parseAddress(virtio.ipa)) : 0n,
  });
  mkdirSync(join(BUILD, "fuzz"), { recursive: true });
  writeFileSync(RUN_PARAMS, record);
  params.file = RUN_PARAMS;
  writeFileSync(RUN_CONFIG, JSON.stringify(cfg, null, 2) + "\n");
  const runs = (file: string) => cfg.vms.filter((v) => v !== fuzz && v.images?.some((i) => i.file === file)).map((v) => v.name);
  return { path: RUN_CONFIG, fuzzVm: fuzz.name, counters: runs("guest-counter.bin"), rts: runs("guest-rt.bin") };
}
