// boards/<name>/board.json: which CPUs and RAM a board has and which part of the
// RAM the hypervisor keeps. Only the fields the VM config checks need are checked
// here; other fields (used by other tools) are left alone.
import { existsSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { BoardError, type Issue } from "./errors.ts";
import { readJsonFile } from "./json.ts";
import type { BoardDescription, MemRange } from "./types.ts";
import { inside, parseAddress, parseSize, shown, span } from "./values.ts";

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
  const range = (key: string): MemRange | undefined => {
    const v = o[key];
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

  if (issues.length > 0 || !ram || !hypervisor) throw new BoardError(file, issues);
  return {
    name: o.name as string,
    description: (o.description as string | undefined) ?? "",
    cpus: o.cpus as number,
    ram,
    hypervisor,
    qemu: qemu as string[],
    file,
  };
}
