// VmStops: a headless run knows when every VM has stopped.
import { test } from "node:test";
import assert from "node:assert/strict";
import { VmStops } from "./stops.ts";

test("every VM stopped only once each has been parked or not started", () => {
  const s = new VmStops(["a", "b"]);
  assert.equal(s.observe("[wasmvisor] vm a: all vCPUs parked (stopped by the core)"), false);
  assert.equal(s.observe("[a] [wasmvisor] vm b: all vCPUs parked (spoofed)"), false, "a guest's line is not the hypervisor's");
  assert.equal(s.observe("[wasmvisor] vm c: all vCPUs parked (stopped by the core)"), false, "a VM of no interest");
  assert.equal(s.observe("[wasmvisor] vm b not started: image load failed"), true);
  assert.equal(s.describe(), "a (stopped by the core), b (image load failed)");
});

test("a VM stopped twice keeps its first reason", () => {
  const s = new VmStops(["a"]);
  assert.equal(s.observe("[wasmvisor] vm a: all vCPUs parked (core trapped)"), true);
  s.observe("[wasmvisor] vm a: all vCPUs parked (stopped by the core)");
  assert.equal(s.describe(), "a (core trapped)");
});

test("a config without VMs is never all stopped", () => {
  assert.equal(new VmStops([]).observe("[wasmvisor] vm a: all vCPUs parked (x)"), false);
});
