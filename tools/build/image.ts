// One bootable image per VM config: build/img/<config>/wasmvisor.elf, holding the
// runtime, wasm3, the core module, the config's blob and the guest images it names.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { BUILD, ROOT, rel } from "../lib/paths.ts";
import { step } from "../lib/proc.ts";
import { setup } from "../setup/index.ts";
import { buildCore } from "./core.ts";
import { buildGuests, GUEST_DIR } from "./guests.ts";
import { payloadSource, writeIfChanged } from "./payload.ts";
import { cmakeBuild } from "./cmake.ts";
import { loadBoard, loadVmConfig, encodeBlob, type VmSet, type BoardDescription } from "../config/index.ts";

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

export function buildImage(configName: string, opts: { boardOverride?: string } = {}): BuiltImage {
  const { wasm3Dir, guestFiles } = setup();
  const coreWasm = buildCore();
  buildGuests();
  const config = configPath(configName);
  const resolveImage = imageResolver(guestFiles);
  const set = loadVmConfig(config, { resolveImage, boardOverride: opts.boardOverride });
  const board = loadBoard(set.board);
  const images: string[] = [];
  const imageIndex = (file: string): number => {
    const path = resolveImage(file);
    if (!path) throw new Error(`image ${file} vanished`);
    let i = images.indexOf(path);
    if (i < 0) { images.push(path); i = images.length - 1; }
    return i;
  };
  const blob = encodeBlob(set, imageIndex);
  const name = basename(config, ".json");
  const elf = linkImage(name, blob, images, wasm3Dir, coreWasm, board.name);
  return { config, elf, set, board, images, blob: join(BUILD, "img", board.name, name, "vms.bin") };
}

/**
 * Link an image from a blob as it is, unchecked by tools/ (tests use this to hand
 * the runtime and the core malformed configs). Returns the ELF's path.
 * All images of a board share one CMake build of the runtime: only the payload and
 * the link are per image.
 */
export function linkImage(name: string, blob: Buffer, images: string[], wasm3Dir: string, coreWasm: string,
  boardName: string): string {
  const boardDir = join(BUILD, "img", boardName);
  const dir = join(boardDir, name);
  mkdirSync(dir, { recursive: true });
  const blobPath = join(dir, "vms.bin");
  writeIfChanged(blobPath, blob);
  writeFileSync(join(dir, "images.txt"), images.map((p, i) => `${i} ${rel(p)}`).join("\n") + "\n");
  const payload = join(dir, "payload.S");
  writeIfChanged(payload, payloadSource({ coreWasm, blob: blobPath, images }));
  step(`image ${name} -> ${rel(join(boardDir, "cmake", `${name}.elf`))}`);
  const payloads = readdirSync(boardDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(boardDir, e.name, "payload.S")))
    .map((e) => `${e.name}=${join(boardDir, e.name, "payload.S")}`).sort();
  const cmakeDir = join(boardDir, "cmake");
  const stamp = join(cmakeDir, "wasmvisor-payloads.txt");
  const list = payloads.join(";") + "|" + wasm3Dir;
  const configured = existsSync(stamp) && readFileSync(stamp, "utf8") === list;
  cmakeBuild(ROOT, cmakeDir, configured ? {} : {
    WV_PAYLOADS: payloads.join(";"), WV_WASM3_DIR: wasm3Dir, WV_BOARD: boardName,
  }, true, `${name}.elf`);
  writeFileSync(stamp, list);
  return join(cmakeDir, `${name}.elf`);
}
