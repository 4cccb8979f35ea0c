// boards/<name>/board.json: which CPUs and RAM a board has and which part of the
// RAM the hypervisor keeps. Only the fields the VM config checks need are checked
// here; other fields (used by other tools) are left alone.
import { existsSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { BoardError, type Issue } from "./errors.ts";
import { readJsonFile } from "./json.ts";
import type { BoardDescription, BoardPassthrough, MemRange, NamedRange } from "./types.ts";
import { inside, parseAddress, parseSize, shown, span } from "./values.ts";
import { parseGic } from "./board_gic.ts";

export const BOARDS_DIR = fileURLToPath(new URL("../../boards/", import.meta.url));
/** CPU numbers go into a 32-bit mask in the config blob. */
export const MAX_BOARD_CPUS = 32;
const PAGE = 0x1000n;

/** A path for messages: relative to the working directory when inside it. */
export function displayPath(p: string): string {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith("..") && !isAbsolute(r) ? r : p;
}

export function boardFile(name: string, boardsDir: string = BOARDS_DIR): string {
  return join(boardsDir, name, "board.json");
}

/** Load and check boards/<name>/board.json; throws BoardError listing every problem. */
export function loadBoard(name: string, boardsDir: string = BOARDS_DIR): BoardDescription {
  const path = boardFile(name, boardsDir);
  const file = displayPath(path);
  if (!/^[a-z0-9_-]+$/.test(name)) {
    throw new BoardError(file, [{ file, path: "name", message: `${shown(name)} is not a board name (a-z, 0-9, '_' and '-')` }]);
  }
  if (!existsSync(path)) {
    throw new BoardError(file, [{ file, path: "", message: `no board "${name}" (no such file)` }]);
  }
  const json = readJsonFile(path, file);
  if (!json.ok) throw new BoardError(file, [json.issue]);
  return parseBoard(json.value, file, name, json.issues);
}

/** Check a parsed board.json; `name`, when given, is the directory it must be named after. */
export function parseBoard(data: unknown, file: string, name?: string, earlier: Issue[] = []): BoardDescription {
  const issues = [...earlier];
  const bad = (path: string, message: string): void => { issues.push({ file, path, message }); };
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new BoardError(file, [...issues, { file, path: "", message: `must be an object, not ${shown(data)}` }]);
  }
  const o = data as Record<string, unknown>;

  if (typeof o.name !== "string" || !/^[a-z0-9_-]+$/.test(o.name)) {
    bad("name", `must be the board's name (a-z, 0-9, '_' and '-'), not ${shown(o.name)}`);
  } else if (name !== undefined && o.name !== name) {
    bad("name", `is "${o.name}" but the file is in boards/${name}/`);
  }
  if (o.description !== undefined && typeof o.description !== "string") bad("description", `must be a string, not ${shown(o.description)}`);
  if (!Number.isInteger(o.cpus) || (o.cpus as number) < 1 || (o.cpus as number) > MAX_BOARD_CPUS) {
    bad("cpus", `must be the number of physical CPUs, 1 to ${MAX_BOARD_CPUS}, not ${shown(o.cpus)}`);
  }
  const range = (key: string, v: unknown = o[key]): MemRange | undefined => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) {
      bad(key, `must be an object { "base": address, "size": size }, not ${shown(v)}`);
      return undefined;
    }
    const r = v as Record<string, unknown>;
    let base: bigint | undefined, size: bigint | undefined;
    try { base = parseAddress(r.base); } catch { bad(`${key}.base`, `must be an address (a whole number or a "0x..." string), not ${shown(r.base)}`); }
    try { size = parseSize(r.size); } catch { bad(`${key}.size`, `must be a size (bytes, "0x...", or a number with K, M or G), not ${shown(r.size)}`); }
    if (base === undefined || size === undefined) return undefined;
    if (base % PAGE !== 0n) bad(`${key}.base`, `${shown(r.base)} is not 4 KiB aligned`);
    if (size === 0n || size % PAGE !== 0n) bad(`${key}.size`, `${shown(r.size)} must be a non-zero multiple of 4 KiB`);
    return { base, size };
  };
  const ram = range("ram");
  const hypervisor = range("hypervisor");
  if (ram && hypervisor && !inside(hypervisor.base, hypervisor.size, ram.base, ram.size)) {
    bad("hypervisor", `${span(hypervisor.base, hypervisor.size)} is not inside ram (${span(ram.base, ram.size)})`);
  }
  const qemu = o.qemu ?? [];
  if (!Array.isArray(qemu) || !qemu.every((a) => typeof a === "string")) bad("qemu", `must be a list of strings, not ${shown(o.qemu)}`);
  const passthrough = o.passthrough === undefined ? null : parsePassthrough(o.passthrough, range, bad);
  const gic = parseGic(o.gic, Array.isArray(qemu) ? qemu.filter((a) => typeof a === "string") : [], bad);

  if (issues.length > 0 || !ram || !hypervisor || !gic) throw new BoardError(file, issues);
  return {
    name: o.name as string,
    description: (o.description as string | undefined) ?? "",
    cpus: o.cpus as number,
    ram,
    hypervisor,
    qemu: qemu as string[],
    passthrough,
    gic,
    file,
  };
}

/**
 * board.json "passthrough": the window device frames may be taken from, the devices in
 * it that the hypervisor keeps (refused by name), and the board's virtio-mmio transports.
 */
function parsePassthrough(v: unknown, range: (key: string, v: unknown) => MemRange | undefined,
  bad: (path: string, message: string) => void): BoardPassthrough | null {
  const at = "passthrough";
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    bad(at, `must be an object { "window", "reserved", "virtio_mmio" }, not ${shown(v)}`);
    return null;
  }
  const p = v as Record<string, unknown>;
  for (const k of Object.keys(p)) {
    if (!["description", "window", "reserved", "virtio_mmio"].includes(k)) bad(`${at}.${k}`, `unknown property (allowed: description, window, reserved, virtio_mmio)`);
  }
  const window = range(`${at}.window`, p.window);
  const reserved: NamedRange[] = [];
  if (!Array.isArray(p.reserved)) bad(`${at}.reserved`, `must be a list of { "name", "base", "size" }, not ${shown(p.reserved)}`);
  else {
    p.reserved.forEach((r: unknown, k: number) => {
      const name = (r as Record<string, unknown> | null)?.name;
      if (typeof name !== "string" || name === "") bad(`${at}.reserved[${k}].name`, `must say what the device is, not ${shown(name)}`);
      const m = range(`${at}.reserved[${k}]`, r);
      const intid = (r as Record<string, unknown> | null)?.intid;
      if (intid !== undefined && (!Number.isInteger(intid) || (intid as number) < 32 || (intid as number) > 1019)) {
        bad(`${at}.reserved[${k}].intid`, `must be the SPI the device raises (32..1019), not ${shown(intid)}`);
      }
      if (m && typeof name === "string") reserved.push({ name, ...m, ...(Number.isInteger(intid) ? { intid: intid as number } : {}) });
    });
  }
  let virtioMmio: BoardPassthrough["virtioMmio"] = null;
  if (p.virtio_mmio !== undefined) {
    const t = (typeof p.virtio_mmio === "object" && p.virtio_mmio !== null ? p.virtio_mmio : {}) as Record<string, unknown>;
    let w: MemRange | undefined;
    try {
      w = { base: parseAddress(t.base), size: parseSize(t.size) };
      if (w.size === 0n) throw new RangeError("empty");
    } catch {
      bad(`${at}.virtio_mmio`, `must be { "base": address, "size": bytes of one transport, "count", "intid" }, not ${shown(p.virtio_mmio)}`);
    }
    const count = t.count, intid = t.intid;
    if (!Number.isInteger(count) || (count as number) < 1) bad(`${at}.virtio_mmio.count`, `must be how many transports there are, not ${shown(count)}`);
    if (!Number.isInteger(intid) || (intid as number) < 32 || (intid as number) > 1019) {
      bad(`${at}.virtio_mmio.intid`, `must be the INTID of transport 0, an SPI (32..1019), not ${shown(intid)}`);
    }
    if (w && Number.isInteger(count) && Number.isInteger(intid)) {
      virtioMmio = { base: w.base, size: w.size, count: count as number, intid: intid as number };
      if (window && !inside(w.base, w.size * BigInt(virtioMmio.count), window.base, window.size)) {
        bad(`${at}.virtio_mmio`, `the transports ${span(w.base, w.size * BigInt(virtioMmio.count))} are not inside the window`);
      }
    }
  }
  return window ? { window, reserved, virtioMmio } : null;
}
