// Reading DTS text back into a tree (for tests: what `dtc -I dtb -O dts` prints for a
// compiled device tree). Each property keeps its bytes as they are in the DTB: cells
// as big-endian u32s, strings NUL-terminated, byte lists as given. Covers the syntax
// dtc prints, not the whole DTS language (no labels, references, includes or macros).

export interface DtNode {
  /** "name@unit"; "/" for the root. */
  name: string;
  props: Map<string, Buffer>;
  children: DtNode[];
}

export class DtsParseError extends Error {
  override readonly name = "DtsParseError";
}

type Token = { kind: "word" | "string" | "punct" | "directive"; text: string; pos: number };

const WORD = /[A-Za-z0-9,._+*#?@-]+/y;
const DIRECTIVE = /\/[a-z][a-z0-9-]*\//y;

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if (src.startsWith("//", i)) { const e = src.indexOf("\n", i); i = e < 0 ? src.length : e; continue; }
    if (src.startsWith("/*", i)) {
      const e = src.indexOf("*/", i + 2);
      if (e < 0) throw new DtsParseError(`unterminated comment at offset ${i}`);
      i = e + 2;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let text = "";
      while (j < src.length && src[j] !== '"') {
        if (src[j] === "\\") { text += src[j]! + (src[j + 1] ?? ""); j += 2; } else text += src[j++];
      }
      if (j >= src.length) throw new DtsParseError(`unterminated string at offset ${i}`);
      out.push({ kind: "string", text, pos: i });
      i = j + 1;
      continue;
    }
    DIRECTIVE.lastIndex = i;
    const d = DIRECTIVE.exec(src);
    if (d) { out.push({ kind: "directive", text: d[0], pos: i }); i += d[0].length; continue; }
    if ("{}<>[];=,/".includes(c)) { out.push({ kind: "punct", text: c, pos: i }); i++; continue; }
    WORD.lastIndex = i;
    const w = WORD.exec(src);
    if (!w) throw new DtsParseError(`unexpected ${JSON.stringify(c)} at offset ${i}`);
    out.push({ kind: "word", text: w[0], pos: i });
    i += w[0].length;
  }
  return out;
}

/** The bytes of a DTS string literal's body (escapes resolved) and its NUL. */
function stringBytes(body: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== "\\") { bytes.push(...Buffer.from(c, "utf8")); continue; }
    const n = body[++i] ?? "";
    const simple: Record<string, number> = { n: 10, t: 9, r: 13, a: 7, b: 8, v: 11, f: 12, "\\": 92, '"': 34, "'": 39 };
    if (n in simple) bytes.push(simple[n]!);
    else if (n === "x") { const h = /^[0-9a-fA-F]{1,2}/.exec(body.slice(i + 1))![0]; bytes.push(parseInt(h, 16)); i += h.length; }
    else if (/[0-7]/.test(n)) { const o = /^[0-7]{1,3}/.exec(body.slice(i))![0]; bytes.push(parseInt(o, 8)); i += o.length - 1; }
    else throw new DtsParseError(`unknown escape \\${n}`);
  }
  bytes.push(0);
  return Buffer.from(bytes);
}

/** Parse DTS text (as dtc prints it) into its root node. */
export function parseDts(src: string): DtNode {
  const t = tokenize(src);
  let p = 0;
  const peek = (): Token | undefined => t[p];
  const next = (): Token => {
    const tok = t[p++];
    if (!tok) throw new DtsParseError("unexpected end of the text");
    return tok;
  };
  const expect = (text: string): void => {
    const tok = next();
    if (tok.text !== text) throw new DtsParseError(`expected ${JSON.stringify(text)} at offset ${tok.pos}, found ${JSON.stringify(tok.text)}`);
  };

  const value = (): Buffer => {
    const tok = next();
    if (tok.kind === "string") return stringBytes(tok.text);
    if (tok.text === "<") {
      const cells: number[] = [];
      while (peek()?.text !== ">") {
        const c = next();
        if (c.kind !== "word" || !/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(c.text)) throw new DtsParseError(`expected a cell at offset ${c.pos}, found ${c.text}`);
        cells.push(Number(BigInt(c.text)));
      }
      next();
      const b = Buffer.alloc(cells.length * 4);
      cells.forEach((v, k) => b.writeUInt32BE(v >>> 0, k * 4));
      return b;
    }
    if (tok.text === "[") {
      let hex = "";
      while (peek()?.text !== "]") hex += next().text;
      next();
      if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new DtsParseError(`bad byte list at offset ${tok.pos}`);
      return Buffer.from(hex, "hex");
    }
    throw new DtsParseError(`expected a value at offset ${tok.pos}, found ${JSON.stringify(tok.text)}`);
  };

  const body = (node: DtNode): void => {
    while (peek() && peek()!.text !== "}") {
      const name = next();
      if (name.kind !== "word") throw new DtsParseError(`expected a name at offset ${name.pos}, found ${JSON.stringify(name.text)}`);
      if (peek()?.text === "{") {
        next();
        const child: DtNode = { name: name.text, props: new Map(), children: [] };
        body(child);
        expect("}");
        expect(";");
        node.children.push(child);
        continue;
      }
      const parts: Buffer[] = [];
      if (peek()?.text === "=") {
        next();
        parts.push(value());
        while (peek()?.text === ",") { next(); parts.push(value()); }
      }
      expect(";");
      node.props.set(name.text, Buffer.concat(parts));
    }
  };

  expect("/dts-v1/");
  expect(";");
  while (peek()?.text === "/memreserve/") { while (next().text !== ";"); }
  expect("/");
  expect("{");
  const root: DtNode = { name: "/", props: new Map(), children: [] };
  body(root);
  expect("}");
  expect(";");
  if (p !== t.length) throw new DtsParseError(`text after the root node at offset ${t[p]!.pos}`);
  return root;
}

/** The node at `path` ("/", "/cpus/cpu@1"), or undefined. */
export function findNode(root: DtNode, path: string): DtNode | undefined {
  let n: DtNode | undefined = root;
  for (const part of path.split("/").filter(Boolean)) n = n?.children.find((c) => c.name === part);
  return n;
}

/** A property as big-endian u32 cells. */
export function cellsOf(b: Buffer | undefined): number[] {
  if (!b || b.length % 4 !== 0) return [];
  return Array.from({ length: b.length / 4 }, (_, k) => b.readUInt32BE(k * 4));
}

/** A property as its NUL-separated strings. */
export function stringsOf(b: Buffer | undefined): string[] {
  if (!b || b.length === 0 || b[b.length - 1] !== 0) return [];
  return b.subarray(0, b.length - 1).toString("utf8").split("\0");
}
