// The wasm2c pin (pins.json, debianHost): chosen by the machine's architecture, and a
// machine of another architecture told which pin is missing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { pins } from "./pins.ts";
import { wasm2cPin } from "./wasm2c.ts";

test("wasm2c is pinned as Debian's wabt 1.0.32-1 for amd64, with what the build extracts", () => {
  const p = wasm2cPin("amd64");
  assert.deepEqual([p.package, p.version, p.arch], ["wabt", "1.0.32-1", "amd64"]);
  assert.match(p.sha256, /^[0-9a-f]{64}$/);
  assert.deepEqual(p.extract, ["usr/bin/wasm2c", "usr/include/wasm-rt.h"]);
  assert.ok(pins.debianHost.every((x) => !/:\/\//.test(JSON.stringify(x))), "no addresses in pins: apt fetches by name");
});

test("another architecture gets an error naming the pin", () => {
  assert.throws(() => wasm2cPin("arm64"), /wasm2c is pinned only as wabt 1\.0\.32-1 for amd64 \(tools\/setup\/pins\.json, debianHost\), and this machine is arm64/);
});
