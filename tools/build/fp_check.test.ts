// The FP/SIMD check of the EL2 image: what counts as using an FP/SIMD register; an object
// compiled here, whose FP function is reported unless it is allowed; and the real demo
// image, which has FP/SIMD users (wasm3's) that the check sees and that the build's
// allowances cover (buildImage runs the check itself: it throws on a violation).
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { run } from "../lib/proc.ts";
import { disassemble, FPSIMD_OWN, fpAllowed, fpUsers, fpViolations } from "./fp_check.ts";

const dir = mkdtempSync(join(tmpdir(), "wv-fp-check-test-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const dis = `
0000000040200000 <plain>:
    40200000:	ldp	x0, x1, [sp], #16
    40200004:	b.ne	40200010 <v0_looking_label>
    40200008:	add	x3, x3, #0xb0
    4020000c:	ret

0000000040200010 <vec>:
    40200010:	mov	x0, x1
    40200014:	stp	q0, q1, [x2, #32]

0000000040200020 <cnt>:
    40200020:	cnt	v0.8b, v0.8b

0000000040200030 <fpcr_write>:
    40200030:	msr	fpcr, xzr

0000000040200040 <double_load>:
    40200040:	ldr	d8, [sp, #8]

0000000040200050 <comment_only>:
    40200050:	mov	x2, #0x101 	// v1 q2
`;

test("functions naming an FP/SIMD register or FPSR/FPCR are found, others are not", () => {
  const users = fpUsers(dis);
  assert.deepEqual([...users.keys()].sort(), ["cnt", "double_load", "fpcr_write", "vec"]);
  assert.match(users.get("vec")!, /stp\tq0, q1/);
});

test("fpViolations: a function using FP registers is reported unless allowed; the demo image's FP users are wasm3's", async () => {
  const { buildImage } = await import("./image.ts");
  const { elf } = buildImage("demo");     // checked on its link: it has no violation, or this threw
  const allowed = fpAllowed(dirname(elf));
  const src = join(dir, "fp.c"), obj = join(dir, "fp.o");
  writeFileSync(src, "double twice(double x) { return x * 2; }\nlong plain(long x) { return x + 1; }\n" +
    "void wv_fpsimd_store(double *p) { *p = *p * 3.0; }\n");
  run("aarch64-linux-gnu-gcc", ["-O2", "-c", src, "-o", obj]);
  assert.deepEqual(fpViolations(disassemble(obj), allowed).map((v) => v.split(":")[0]), ["twice"],
    "twice uses d0; plain uses none; wv_fpsimd_store is the save code, allowed");
  const dis = disassemble(elf);
  const users = [...fpUsers(dis).keys()];
  assert.ok(users.length > 0 && users.every((f) => allowed.has(f)), `the image's FP/SIMD users: ${users.join(", ")}`);
  const outsideOwn = fpViolations(dis, new Set(FPSIMD_OWN)).map((v) => v.split(":")[0]!);
  assert.ok(outsideOwn.length > 0 && outsideOwn.every((f) => allowed.has(f)),
    "without wasm3's and its libm's functions allowed, theirs are reported");
});
