// Errors of the config tools. Every message names the file and the field:
//   <file>: <field path>: <what is wrong>
// e.g. "vmconfigs/demo.json: vms[1].memory[0].pa: overlaps vms[0].memory[0] (0x50000000..0x50ffffff)".
// A JSON syntax error names the line and column instead of a field:
//   <file>:<line>:<column>: invalid JSON: <what the parser says>

export interface Issue {
  file: string;
  /** Field path such as "vms[1].memory[0].pa"; "(top level)" for the whole document. */
  path: string;
  message: string;
  line?: number;
  column?: number;
}

export const TOP_LEVEL = "(top level)";

export function formatIssue(i: Issue): string {
  if (i.line !== undefined) return `${i.file}:${i.line}:${i.column ?? 1}: ${i.message}`;
  return `${i.file}: ${i.path || TOP_LEVEL}: ${i.message}`;
}

/** "/vms/1/memory/0/pa" (JSON pointer) -> "vms[1].memory[0].pa". */
export function pointerToPath(pointer: string): string {
  if (pointer === "") return "";
  let out = "";
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    out = /^(0|[1-9][0-9]*)$/.test(key) ? `${out}[${key}]` : childPath(out, key);
  }
  return out;
}

/** `parent` + "." + `key` (quoted when the key is not a plain identifier). */
export function childPath(parent: string, key: string): string {
  const k = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key) ? key : JSON.stringify(key);
  return parent ? `${parent}.${k}` : k;
}

class ConfigErrorBase extends Error {
  readonly file: string;
  readonly issues: readonly Issue[];
  /** The formatted messages, one per problem found. */
  readonly errors: readonly string[];

  constructor(file: string, issues: Issue[]) {
    const errors = issues.map(formatIssue);
    super(errors.length === 1 ? errors[0] : `${errors.length} errors in ${file}:\n${errors.join("\n")}`);
    this.file = file;
    this.issues = issues;
    this.errors = errors;
  }
}

/** A VM config file that cannot be used; `errors` lists every problem found. */
export class VmConfigError extends ConfigErrorBase {
  override readonly name = "VmConfigError";
}

/** A board.json that cannot be used. */
export class BoardError extends ConfigErrorBase {
  override readonly name = "BoardError";
}
