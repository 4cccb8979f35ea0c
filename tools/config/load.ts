// loadVmConfig: a VM config file -> a checked VmSet, or a VmConfigError listing
// every problem (each naming the file and the field). Three passes: JSON syntax,
// the schema (vmconfigs/schema.json), then the checks against the board and the
// image files (semantic.ts) for every VM the schema found no fault in.
import { loadBoard, displayPath } from "./board.ts";
import { BoardError, VmConfigError, type Issue } from "./errors.ts";
import { readJsonFile } from "./json.ts";
import { schemaIssues } from "./schema.ts";
import { checkVms, type RawConfig } from "./semantic.ts";
import type { BoardDescription, ImageResolver, VmSet } from "./types.ts";

export interface LoadOptions {
  /** Finds the file an image names; null when it does not exist. */
  resolveImage: ImageResolver;
  /** Check against this board (its name must be the file's "board", unless boardOverride is set). */
  board?: BoardDescription;
  /** Check against this board instead of the one the file names. */
  boardOverride?: string;
  /** Where board directories are (default: boards/ of this tree). */
  boardsDir?: string;
}

/** Load the config at `path` for `board`, finding image files with `resolveImage`. */
export function loadVmConfig(path: string, board: BoardDescription, resolveImage: ImageResolver): VmSet;
/** Load the config at `path`; the board is `options.board`, or loaded by name (boardOverride, else the file's "board"). */
export function loadVmConfig(path: string, options: LoadOptions): VmSet;
export function loadVmConfig(path: string, boardOrOptions: BoardDescription | LoadOptions, resolver?: ImageResolver): VmSet {
  const opts: LoadOptions = "resolveImage" in boardOrOptions
    ? boardOrOptions
    : { board: boardOrOptions, resolveImage: resolver ?? (() => null) };
  const file = displayPath(path);
  const json = readJsonFile(path, file);
  if (!json.ok) throw new VmConfigError(file, [json.issue]);
  const data = json.value;
  const issues: Issue[] = [...json.issues, ...schemaIssues(data, file)];

  const isObject = typeof data === "object" && data !== null && !Array.isArray(data);
  const raw = data as RawConfig;
  const boardFieldOk = isObject && !issues.some((i) => i.path === "board");
  let board: BoardDescription | undefined = opts.board;
  if (opts.board && boardFieldOk && opts.boardOverride === undefined && raw.board !== opts.board.name) {
    issues.push({ file, path: "board", message: `this file is for board "${raw.board}", but it is being checked for "${opts.board.name}"` });
  }
  if (!board && (opts.boardOverride !== undefined || boardFieldOk)) {
    const name = opts.boardOverride ?? raw.board;
    try {
      board = loadBoard(name, opts.boardsDir);
    } catch (e) {
      if (!(e instanceof BoardError)) throw e;
      issues.push({ file, path: "board", message: `board "${name}" cannot be used: ${e.errors.join("; ")}` });
    }
  }

  if (board && isObject && Array.isArray(raw.vms) && !issues.some((i) => i.path === "vms")) {
    const skip = new Set<number>();
    for (const i of issues) {
      const m = /^vms\[(\d+)\]/.exec(i.path);
      if (m) skip.add(Number(m[1]));
    }
    const checked = checkVms(raw, file, board, opts.resolveImage, skip);
    issues.push(...checked.issues);
    if (issues.length === 0) {
      return { file, board: board.name, description: raw.description ?? "", vms: checked.vms, qemuArgs: checked.qemuArgs };
    }
  }
  if (issues.length === 0) issues.push({ file, path: "", message: "cannot be checked" });
  throw new VmConfigError(file, issues);
}
