// The FP/SIMD check of the EL2 image: what counts as using an FP/SIMD register, and the
// real demo image passing it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fpUsers } from "./fp_check.ts";

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

test("the demo image: only wasm3 and its libm use FP/SIMD registers", async () => {
  const { buildImage } = await import("./image.ts");
  const { fpViolations } = await import("./fp_check.ts");
  const { dirname } = await import("node:path");
  const { elf } = buildImage("demo");     // buildImage runs the check itself: it would throw
  assert.deepEqual(fpViolations(elf, dirname(elf)), []);
});
