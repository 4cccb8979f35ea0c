// as-pect configuration for the core's unit tests (assembly/**/__tests__/*.spec.ts).
// Run: npx asp --config as-pect.config.js --as-config assembly/__tests__/as-pect.asconfig.json
// The code under test calls the `wv` imports; they are answered by the fakes in
// assembly/__tests__/fake_host.js, which a spec inspects through `wvfake`.
import { createFakeHost } from "./assembly/__tests__/fake_host.js";

export default {
  entries: ["assembly/**/__tests__/**/*.spec.ts"],
  include: ["assembly/__tests__/**/*.include.ts"],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    const host = createFakeHost();
    const result = await instantiate(binary, createImports({ env: { memory }, ...host.imports }));
    host.setMemory(result.exports.memory);
    return result;
  },
  outputBinary: false,
};
