// One bootable image per VM config: build/img/<config>/wasmvisor.elf, holding the
// runtime, wasm3, the core module, the config's blob and the guest images it names
// (among them the initramfs built here and the device trees generated for Linux VMs).
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { BUILD, ROOT, rel } from "../lib/paths.ts";
import { step } from "../lib/proc.ts";
import { setup } from "../setup/index.ts";
import { buildCore } from "./core.ts";
import { buildNative } from "./native.ts";
import { buildGuests, GUEST_DIR } from "./guests.ts";
import { payloadSource, writeIfChanged } from "./payload.ts";
import { cmakeBuild } from "./cmake.ts";
import { checkFp } from "./fp_check.ts";
import { nativeFor, signCoreModules, updateTrust } from "../sign/build.ts";
import { loadBoard, loadVmConfig, encodeBlob, type VmSet, type BoardDescription, type Image } from "../config/index.ts";
import { buildInitramfs, guestKernelModules } from "./initramfs.ts";
import { builtWvctlEntries } from "./wvctl.ts";
import type { CpioEntry } from "./cpio.ts";
import { buildDeviceTrees } from "../dtb/build.ts";
import { writeElfSegments } from "./segments.ts";

export interface BuiltImage {
  config: string;
  elf: string;
  set: VmSet;
  board: BoardDescription;
  images: string[];
  /** The config blob the image carries. */
  blob: string;
}

/** Where an image file named in a vmconfig comes from: the guests we build, then fetched guest files. */
export function imageResolver(guestFiles: Record<string, string>): (name: string) => string | null {
  return (name: string) => {
    const built = join(GUEST_DIR, name);
    if (existsSync(built)) return built;
    const fetched = guestFiles[name];
    if (fetched && existsSync(fetched)) return fetched;
    const inTree = resolve(ROOT, name);
    return existsSync(inTree) ? inTree : null;
  };
}

export function configPath(nameOrPath: string): string {
  if (existsSync(nameOrPath)) return resolve(nameOrPath);
  const p = join(ROOT, "vmconfigs", nameOrPath.endsWith(".json") ? nameOrPath : `${nameOrPath}.json`);
  if (!existsSync(p)) throw new Error(`no VM config ${nameOrPath} (looked for ${rel(p)})`);
  return p;
}

/** A VM config, checked, with every file its VMs load built (guests, initramfs, device trees). */
export interface PreparedSet {
  config: string;
  set: VmSet;
  board: BoardDescription;
  /** build/img/<board>/<config>/: the blob, the payload and the generated device trees. */
  dir: string;
  wasm3Dir: string;
}

let guestsBuilt = false;

/** The test guests and the initramfs, built once per process (a test run builds many images). */
function buildGuestFiles(guestFiles: Record<string, string>): void {
  if (guestsBuilt) return;
  buildGuests();
  const busybox = guestFiles["busybox/busybox"];
  if (!busybox) throw new Error("setup fetched no busybox/busybox (tools/setup/pins.json)");
  const kernel = guestFiles["linux/Image"];
  const modules = kernel ? guestKernelModules(kernel) : null;
  if (kernel && !modules) throw new Error(`the guest kernel ${kernel} has no modules next to it (lib/modules/<release> of its package)`);
  buildInitramfs(busybox, undefined, modules, [...builtWvctlEntries(), ...coreModuleEntries()]);
  guestsBuilt = true;
}

/**
 * The signed core modules, in the initramfs under /usr/share/wasmvisor: what the
 * management VM's `wvctl update` applies in the live-update demo and tests
 * (docs/live-update.md). Built first, so that the guests carry this build's modules.
 */
function coreModuleEntries(): CpioEntry[] {
  buildCore();
  const entries: CpioEntry[] = ["usr", "usr/share", "usr/share/wasmvisor"].map((path) => ({ kind: "dir", path, mode: 0o755 }));
  for (const wvm of signCoreModules()) {
    entries.push({ kind: "file", path: `usr/share/wasmvisor/${basename(wvm)}`, data: readFileSync(wvm), mode: 0o644 });
  }
  return entries;
}

/** Set up, build the guest files, load and check `configName`, and generate its device trees and ELF segment files. */
export function prepareVmSet(configName: string, opts: { boardOverride?: string } = {}): PreparedSet {
  const { wasm3Dir, guestFiles } = setup();
  buildGuestFiles(guestFiles);
  const config = configPath(configName);
  const set = loadVmConfig(config, { resolveImage: imageResolver(guestFiles), boardOverride: opts.boardOverride });
  const board = loadBoard(set.board);
  const dir = join(BUILD, "img", board.name, basename(config, ".json"));
  buildDeviceTrees(set, board, dir);
  writeElfSegments(set, dir);
  return { config, set, board, dir, wasm3Dir };
}

/** Which engine runs the core: its native part (the default) or the wasm3 interpreter. */
export type Tier = "native" | "wasm3";
export const TIERS: readonly Tier[] = ["native", "wasm3"];

/**
 * The image of a VM config. `tier: "wasm3"` leaves the core's native part out, so that
 * the runtime interprets the core (docs/native-tier.md); that image is named
 * `<config>-wasm3`, so that both tiers' images of one config can exist side by side.
 * `trace: true` builds the image that records exit traces (docs/replay.md), named with
 * `-trace` after that; it must run with QEMU's semihosting on (`traceArgs`, tools/run/qemu.ts).
 */
export function buildImage(configName: string, opts: { boardOverride?: string; tier?: Tier; trace?: boolean } = {}): BuiltImage {
  const { config, set, board, wasm3Dir } = prepareVmSet(configName, opts);
  // Built (and signed into build/core.wvm, docs/signing.md) with the guest files, once per process.
  const coreWasm = buildCore();
  const images: string[] = [];
  const imageIndex = (key: string, im: Image): number => {
    if (!im.path || !existsSync(im.path)) throw new Error(`image ${key} vanished (${im.path || "never built"})`);
    let i = images.indexOf(im.path);
    if (i < 0) { images.push(im.path); i = images.length - 1; }
    return i;
  };
  const blob = encodeBlob(set, imageIndex);
  const tier = opts.tier ?? "native";
  const name = basename(config, ".json") + (tier === "wasm3" ? "-wasm3" : "") + (opts.trace ? "-trace" : "");
  const elf = linkImage(name, blob, images, wasm3Dir, coreWasm, board.name, { native: tier === "native", trace: opts.trace });
  return { config, elf, set, board, images, blob: join(BUILD, "img", board.name, name, "vms.bin") };
}

/** The replay image's name (build/img/<board>/cmake/replay.elf). */
export const REPLAY_IMAGE = "replay";

/**
 * The image that replays exit traces at EL2 (docs/replay.md, "Replay at EL2"): the built
 * core module with its native part, and no VM (an empty config blob, no guest image); its
 * runtime replays the trace QEMU names through semihosting on both engines
 * (wv_replay_enabled). Run it with `traceArgs(file)` (tools/replay/el2.ts).
 */
export function buildReplayImage(boardName = "qemu-virt"): { elf: string; board: BoardDescription } {
  const { wasm3Dir } = setup();
  const board = loadBoard(boardName);
  const elf = linkImage(REPLAY_IMAGE, Buffer.alloc(0), [], wasm3Dir, buildCore(), board.name, { native: true, replay: true });
  return { elf, board };
}

/**
 * Link an image from a blob as it is, unchecked by tools/ (tests use this to hand
 * the runtime and the core malformed configs). Returns the ELF's path.
 * All images of a board share one CMake build of the runtime: only the payload and
 * the link are per image. `opts.fullCallDepth`: the guard page test's image (PayloadInputs);
 * `opts.native: true` builds the module's native part (native.ts) and links it in; without
 * it the module goes alone (the wasm3 tier). `opts.trace` and `opts.replay` make a tracing
 * or a replay image (PayloadInputs).
 */
export function linkImage(name: string, blob: Buffer, images: string[], wasm3Dir: string, coreWasm: string,
  boardName: string, opts: { fullCallDepth?: boolean; native?: boolean; trace?: boolean; replay?: boolean } = {}): string {
  const boardDir = join(BUILD, "img", boardName);
  const dir = join(boardDir, name);
  mkdirSync(dir, { recursive: true });
  const blobPath = join(dir, "vms.bin");
  writeIfChanged(blobPath, blob);
  writeFileSync(join(dir, "images.txt"), images.map((p, i) => `${i} ${rel(p)}`).join("\n") + "\n");
  const payload = join(dir, "payload.S");
  // The module's native part goes with it, once checked to be its translation.
  let coreNative: string | undefined;
  if (opts.native) {
    coreNative = buildNative(coreWasm).out;
    nativeFor(readFileSync(coreWasm), coreNative);
  }
  writeIfChanged(payload, payloadSource({ coreWasm, coreNative, blob: blobPath, images, ...updateTrust(), fullCallDepth: opts.fullCallDepth, trace: opts.trace, replay: opts.replay }));
  step(`image ${name} -> ${rel(join(boardDir, "cmake", `${name}.elf`))}`);
  const payloads = readdirSync(boardDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(boardDir, e.name, "payload.S")))
    .map((e) => `${e.name}=${join(boardDir, e.name, "payload.S")}`).sort();
  const cmakeDir = join(boardDir, "cmake");
  const stamp = join(cmakeDir, "wasmvisor-payloads.txt");
  const { monocypherDir } = setup();
  const list = payloads.join(";") + "|" + wasm3Dir + "|" + monocypherDir;
  const configured = existsSync(stamp) && readFileSync(stamp, "utf8") === list;
  cmakeBuild(ROOT, cmakeDir, configured ? {} : {
    WV_PAYLOADS: payloads.join(";"), WV_WASM3_DIR: wasm3Dir, WV_MONOCYPHER_DIR: monocypherDir, WV_BOARD: boardName,
  }, true, `${name}.elf`);
  writeFileSync(stamp, list);
  const elf = join(cmakeDir, `${name}.elf`);
  checkFp(elf, cmakeDir);
  return elf;
}
