// runQemu's console input (the `input` option): what the caller writes reaches QEMU's
// stdin. A stand-in `qemu-system-aarch64` on PATH echoes each line it reads, so no
// emulator is needed.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { runQemu } from "./qemu.ts";

const dir = mkdtempSync(join(tmpdir(), "wv-qemu-"));
after(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, "qemu-system-aarch64"), "#!/bin/sh\necho ready\nwhile read -r l; do echo \"got $l\"; done\n");
chmodSync(join(dir, "qemu-system-aarch64"), 0o755);
const PATH = process.env.PATH;

test("input writes to QEMU's stdin once it runs, and the lines that answer come back", async () => {
  process.env.PATH = `${dir}${delimiter}${PATH}`;
  try {
    let write: ((d: string | Uint8Array) => void) | undefined;
    const r = await runQemu({
      machine: [], timeoutMs: 10_000,
      input: (w) => { write = w; },
      onLine: (line) => {
        if (line === "ready") write?.("one\n");
        if (line === "got one") write?.(new Uint8Array([0x74, 0x77, 0x6f, 0x0a]));
        return line === "got two";
      },
    });
    assert.equal(r.end, "done", r.lines.join("\n"));
    assert.deepEqual(r.lines, ["ready", "got one", "got two"]);
  } finally {
    process.env.PATH = PATH;
  }
});

test("input and interactive cannot both have QEMU's stdin", () => {
  assert.throws(() => runQemu({ machine: [], timeoutMs: 1, interactive: true, input: () => {} }), /stdin/);
});
