import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildGuests, GUEST_DIR } from "../build/guests.ts";
import { decodeParams, encodeParams, skipMask, ACTIONS, PARAMS_IMAGE } from "./params.ts";

test("the encoder agrees byte for byte with the record the guest build makes (params.h)", () => {
  buildGuests();
  const built = readFileSync(join(GUEST_DIR, PARAMS_IMAGE));
  const p = decodeParams(built);
  assert.deepEqual(encodeParams(p), built);
  assert.equal(p.memBase, 0x40000000n);
  assert.equal(p.skip, 0);
  assert.equal(p.traceFrom, 0);
});

test("the skip mask names the guest's actions and refuses others", () => {
  assert.equal(skipMask(["call", "suspend"]), 1 | (1 << (ACTIONS.length - 1)));
  assert.throws(() => skipMask(["nap"]), /unknown fuzz action "nap"/);
});

test("the guest's action table lists the names in the same order", () => {
  const main = readFileSync(join(import.meta.dirname, "..", "..", "tests", "guests", "fuzz", "main.c"), "utf8");
  const names = [...main.matchAll(/\{ act_\w+, \d+, "(\w+)" \}/g)].map((m) => m[1]);
  assert.deepEqual(names, [...ACTIONS]);
});
