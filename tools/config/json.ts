// Reading a JSON file (RFC 8259) with errors a person can act on: a syntax error
// is placed by line and column, and a key given twice in one object (which
// JSON.parse would silently resolve to the last one) is reported with its field path.
import { readFileSync } from "node:fs";
import { childPath, type Issue } from "./errors.ts";

export type JsonResult =
  | { ok: true; value: unknown; issues: Issue[] }
  | { ok: false; issue: Issue };

/** Line and column (both from 1) of character offset `pos` in `text`. */
export function lineColumn(text: string, pos: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(pos, text.length)));
  const lines = before.split("\n");
  return { line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}

class JsonSyntaxError extends Error {
  constructor(readonly pos: number, message: string) { super(message); }
}

const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const MAX_DEPTH = 64;

function describe(c: string | undefined): string {
  if (c === undefined) return "end of file";
  return c < " " ? `character U+${c.charCodeAt(0).toString(16).padStart(4, "0")}` : `'${c}'`;
}

class Parser {
  pos = 0;
  readonly duplicates: { path: string; key: string }[] = [];

  constructor(readonly text: string) {}

  fail(message: string, at: number = this.pos): never {
    throw new JsonSyntaxError(at, message);
  }

  describeHere(): string {
    return describe(this.text[this.pos]);
  }

  skipSpace(): void {
    while (this.pos < this.text.length && " \t\n\r".includes(this.text[this.pos]!)) this.pos++;
  }

  value(path: string, depth = 0): unknown {
    if (depth > MAX_DEPTH) this.fail(`nested more than ${MAX_DEPTH} levels deep`);
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === "{") return this.object(path, depth);
    if (c === "[") return this.array(path, depth);
    if (c === '"') return this.string();
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return this.number();
    for (const [word, v] of [["true", true], ["false", false], ["null", null]] as const) {
      if (this.text.startsWith(word, this.pos)) { this.pos += word.length; return v; }
    }
    return this.fail(`expected a value, found ${this.describeHere()}`);
  }

  object(path: string, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === "}") { this.pos++; return out; }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') this.fail(`expected a property name in double quotes, found ${this.describeHere()}`);
      const key = this.string();
      this.skipSpace();
      if (this.text[this.pos] !== ":") this.fail(`expected ':' after property name "${key}", found ${this.describeHere()}`);
      this.pos++;
      const keyPath = childPath(path, key);
      const v = this.value(keyPath, depth + 1);
      if (Object.prototype.hasOwnProperty.call(out, key)) this.duplicates.push({ path: keyPath, key });
      Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      this.skipSpace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === "}") return out;
      if (c !== ",") this.fail(`expected ',' or '}' after a property value, found ${describe(c)}`, this.pos - 1);
    }
  }

  array(path: string, depth: number): unknown[] {
    const out: unknown[] = [];
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === "]") { this.pos++; return out; }
    for (;;) {
      out.push(this.value(`${path}[${out.length}]`, depth + 1));
      this.skipSpace();
      const c = this.text[this.pos];
      this.pos++;
      if (c === "]") return out;
      if (c !== ",") this.fail(`expected ',' or ']' after an array element, found ${describe(c)}`, this.pos - 1);
    }
  }

  string(): string {
    const start = this.pos;
    this.pos++;
    let out = "";
    for (;;) {
      if (this.pos >= this.text.length) this.fail("unterminated string", start);
      const c = this.text[this.pos]!;
      if (c === '"') { this.pos++; return out; }
      if (c < " ") this.fail(`${this.describeHere()} inside a string (write it as an escape such as \\n)`);
      if (c !== "\\") { out += c; this.pos++; continue; }
      const e = this.text[this.pos + 1];
      if (e === "u") {
        const h = this.text.slice(this.pos + 2, this.pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(h)) this.fail("\\u must be followed by 4 hex digits");
        out += String.fromCharCode(parseInt(h, 16));
        this.pos += 6;
      } else if (e !== undefined && e in ESCAPES) {
        out += ESCAPES[e];
        this.pos += 2;
      } else {
        this.fail(`unknown escape \\${e ?? ""} in a string`);
      }
    }
  }

  number(): number {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (!m) return this.fail(`malformed number`);
    this.pos += m[0].length;
    return Number(m[0]);
  }

  document(): unknown {
    const v = this.value("");
    this.skipSpace();
    if (this.pos < this.text.length) this.fail(`unexpected ${this.describeHere()} after the end of the document`);
    return v;
  }
}

export function parseJson(text: string, file: string): JsonResult {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const p = new Parser(src);
  try {
    const value = p.document();
    const issues = p.duplicates.map((d) => ({
      file, path: d.path, message: `property "${d.key}" is given more than once in one object`,
    }));
    return { ok: true, value, issues };
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    return { ok: false, issue: { file, path: "", message: `invalid JSON: ${e.message}`, ...lineColumn(src, e.pos) } };
  }
}

export function readJsonFile(path: string, file: string = path): JsonResult {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    return { ok: false, issue: { file, path: "", message: `cannot read the file (${code})` } };
  }
  return parseJson(text, file);
}
