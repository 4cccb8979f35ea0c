// Random changes to demo.json (fixed seed): loadVmConfig either returns a set whose
// blob is well formed by docs/abi.md section 1, or throws a VmConfigError whose
// messages name the file. Never any other exception.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { loadVmConfig, encodeBlob, decodeBlob, imageTable, VmConfigError } from "./index.ts";
import { blobProblems, configData, mutatedConfigs, sandbox } from "./test_helpers.ts";

const sb = sandbox();
after(() => sb.cleanup());

const SEED = 0x5eed2024;
const CASES = 400;

test(`${CASES} mutations of demo.json: a well-formed blob or a VmConfigError`, () => {
  let accepted = 0, rejected = 0;
  mutatedConfigs(configData("demo"), SEED, CASES).forEach((text, i) => {
    const file = sb.write(text, `fuzz-${i}.json`);
    let set;
    try {
      set = loadVmConfig(file, sb.board, sb.resolve);
    } catch (e) {
      assert.ok(e instanceof VmConfigError, `case ${i}: ${String(e)}\n${text}`);
      for (const m of e.errors) assert.ok(m.startsWith(`${file}: `) || m.startsWith(`${file}:`), `case ${i}: ${m}`);
      rejected++;
      return;
    }
    const blob = encodeBlob(set);
    assert.deepEqual(blobProblems(blob, sb.board, imageTable(set).length), [], `case ${i}:\n${text}`);
    assert.deepEqual(decodeBlob(blob).vms.map((v) => v.name), set.vms.map((v) => v.name));
    accepted++;
  });
  // Both outcomes must be exercised for the test to mean anything.
  assert.ok(accepted >= 20, `only ${accepted} accepted`);
  assert.ok(rejected >= 100, `only ${rejected} rejected`);
});
