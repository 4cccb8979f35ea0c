// vmconfigs/schema.json: compiles under ajv's strict mode, describes every property,
// and accepts the configs in vmconfigs/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Ajv2020 } from "ajv/dist/2020.js";
import { vmConfigSchema } from "./index.ts";
import { configData } from "./test_helpers.ts";

test("the schema compiles in strict mode and accepts the shipped configs", () => {
  const validate = new Ajv2020({ strict: true, allowUnionTypes: true }).compile(vmConfigSchema());
  for (const name of ["demo", "bench", "example", "linux", "mvm-net"]) {
    assert.ok(validate(configData(name)), `${name}.json: ${JSON.stringify(validate.errors)}`);
  }
});

test("every property, definition and list item has a description", () => {
  const missing: string[] = [];
  const walk = (node: unknown, at: string): void => {
    if (typeof node !== "object" || node === null) return;
    const o = node as Record<string, unknown>;
    for (const key of ["properties", "$defs"]) {
      const props = o[key] as Record<string, Record<string, unknown>> | undefined;
      if (!props) continue;
      for (const [name, sub] of Object.entries(props)) {
        if (typeof sub.description !== "string" || sub.description.length < 10) missing.push(`${at}/${key}/${name}`);
        walk(sub, `${at}/${key}/${name}`);
      }
    }
    if (o.items) {
      const items = o.items as Record<string, unknown>;
      if (typeof items.description !== "string") missing.push(`${at}/items`);
      walk(items, `${at}/items`);
    }
    for (const k of ["oneOf", "anyOf"]) for (const [i, s] of ((o[k] as unknown[]) ?? []).entries()) walk(s, `${at}/${k}/${i}`);
  };
  walk(vmConfigSchema(), "#");
  assert.deepEqual(missing, []);
});

test("every object in the schema refuses unknown properties", () => {
  const open: string[] = [];
  const walk = (node: unknown, at: string): void => {
    if (typeof node !== "object" || node === null) return;
    const o = node as Record<string, unknown>;
    if (o.type === "object" && o.additionalProperties !== false) open.push(at);
    for (const [k, v] of Object.entries(o)) walk(v, `${at}/${k}`);
  };
  walk(vmConfigSchema(), "#");
  assert.deepEqual(open, []);
});
