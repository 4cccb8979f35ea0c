// One bad input per rule: each must be refused with a message that names the
// file and the field ("<file>: <field path>: <what is wrong>").
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadVmConfig, encodeBlob } from "./index.ts";
import { assertError, configData, errorsOf, sandbox, type Json } from "./test_helpers.ts";

const sb = sandbox();
after(() => sb.cleanup());

/** Load demo.json changed by `mutate`; it must fail with an error on `path` matching `pattern`. */
function rejects(mutate: (d: Json) => void, path: string, pattern: RegExp, base = "demo"): string[] {
  const data = configData(base);
  mutate(data);
  const file = sb.write(data);
  const errors = errorsOf(() => loadVmConfig(file, sb.board, sb.resolve));
  assertError(errors, file, path, pattern);
  return errors;
}

/** Load demo.json changed by `mutate`; it must load. */
function accepts(mutate: (d: Json) => void) {
  const data = configData("demo");
  mutate(data);
  return loadVmConfig(sb.write(data), sb.board, sb.resolve);
}

const region = (ipa: string, pa: string, size = "16M", access?: string): Json =>
  (access ? { ipa, pa, size, access } : { ipa, pa, size });
const vmCopy = (d: Json, name: string, cpus: number[], pa: string): Json =>
  ({ ...structuredClone(d.vms[1]), name, cpus, memory: [region("0x40000000", pa)] });

describe("JSON and schema", () => {
  test("malformed JSON: file, line and column", () => {
    const file = sb.write('{\n  "board": "qemu-virt",\n  "vms": [\n    { "name": "a" }\n    { "name": "b" }\n  ]\n}\n');
    const errors = errorsOf(() => loadVmConfig(file, sb.board, sb.resolve));
    assert.deepEqual(errors, [`${file}:5:5: invalid JSON: expected ',' or ']' after an array element, found '{'`]);
  });

  test("malformed JSON: a trailing comma and an unterminated file", () => {
    const a = sb.write('{ "board": "qemu-virt", }');
    assert.match(errorsOf(() => loadVmConfig(a, sb.board, sb.resolve))[0]!, /^.*:1:25: invalid JSON: expected a property name/);
    const b = sb.write('{ "board": "qemu-virt",\n "vms": [');
    assert.match(errorsOf(() => loadVmConfig(b, sb.board, sb.resolve))[0]!, /:2:10: invalid JSON: expected a value, found end of file$/);
  });

  test("a property given twice", () => {
    const text = JSON.stringify(configData("demo"), null, 2).replace('"vcpus": 1,', '"vcpus": 1, "vcpus": 1,');
    const file = sb.write(text);
    assertError(errorsOf(() => loadVmConfig(file, sb.board, sb.resolve)), file, "vms[0].vcpus", /given more than once/);
  });

  test("wrong types", () => {
    const errors = rejects((d) => {
      d.vms[0].vcpus = "1";
      d.vms[0].cpus = 1;
      d.vms[1].memory = { ipa: "0x40000000" };
      d.vms[1].ready = 5;
    }, "vms[0].vcpus", /^must be an integer, not "1"$/);
    const file = errors[0]!.split(": ")[0]!;
    assertError(errors, file, "vms[0].cpus", /^must be a list \(JSON array\), not 1$/);
    assertError(errors, file, "vms[1].memory", /^must be a list/);
    assertError(errors, file, "vms[1].ready", /non-empty text/);
    rejects((d) => { d.vms = {}; }, "vms", /must be a list/);
    rejects((d) => { d.vms[0].memory[0].size = true; }, "vms[0].memory[0].size", /must be a size/);
    rejects((d) => { d.vms[0].memory[0].pa = "50000000"; }, "vms[0].memory[0].pa", /must be an address: .* not "50000000"/);
    rejects((d) => { d.vms[0].memory[0].size = "16MB"; }, "vms[0].memory[0].size", /K, M or G suffix/);
    rejects((d) => { d.vms[0].memory[0].ipa = 2 ** 60; }, "vms[0].memory[0].ipa", /too large for a JSON number/);
    rejects((d) => { d.vms[0].type = "vm"; }, "vms[0].type", /must be one of gvm, mvm, rtvm, not "vm"/);
    rejects((d) => { d.vms[0].memory[0].access = "wr"; }, "vms[0].memory[0].access", /r, w, x in that order/);
    rejects((d) => { d.vms[0].devices[0].irq = 5; }, "vms[0].devices[0].irq", /at least 16/);
  });

  test("unknown properties are refused at every level", () => {
    const errors = rejects((d) => {
      d.colour = "blue";
      d.vms[0].memmory = [];
      d.vms[1].memory[0].cache = true;
      d.vms[1].devices[0].base = 0;
      d.vms[1].images[0].path = "x";
    }, "colour", /^unknown property \(allowed here: \$schema, board, description, qemu, vms\)$/);
    const file = errors[0]!.split(": ")[0]!;
    assertError(errors, file, "vms[0].memmory", /unknown property \(allowed here: name, type, /);
    assertError(errors, file, "vms[1].memory[0].cache", /unknown property \(allowed here: ipa, pa, size, access\)/);
    assertError(errors, file, "vms[1].devices[0].base", /unknown property/);
    assertError(errors, file, "vms[1].images[0].path", /unknown property/);
  });

  test("required fields", () => {
    rejects((d) => { delete d.board; }, "board", /^missing \(this field is required\)$/);
    rejects((d) => { delete d.vms[1].images; }, "vms[1].images", /missing/);
    rejects((d) => { delete d.vms[0].memory[0].pa; }, "vms[0].memory[0].pa", /missing/);
  });

  test("every error is reported, not just the first", () => {
    const errors = rejects((d) => {
      d.vms[0].name = "Basic";
      d.vms[1].type = "rtvm";
      d.vms[1].vcpus = 2;
      d.vms[1].memory[0].pa = "0x50000000";
      d.vms[1].images[0].file = "nope.bin";
    }, "vms[0].name", /not a valid VM name/);
    assert.equal(errors.length, 3, errors.join("\n"));
    // vms[0] failed the schema, so vms[1] is checked alone (its PA clash with vms[0] is not seen yet).
    const file = errors[0]!.split(": ")[0]!;
    assertError(errors, file, "vms[1].vcpus", /2 vCPUs but cpus lists only 1 CPU/);
    assertError(errors, file, "vms[1].images[0].file", /image file "nope.bin" not found/);
  });
});

describe("names", () => {
  test("valid: 1 to 15 of a-z 0-9 _ -", () => {
    rejects((d) => { d.vms[0].name = "Basic"; }, "vms[0].name", /"Basic" is not a valid VM name: use 1 to 15 characters, each a-z, 0-9, '_' or '-'/);
    rejects((d) => { d.vms[0].name = "a234567890123456"; }, "vms[0].name", /not a valid VM name/);
    rejects((d) => { d.vms[0].name = ""; }, "vms[0].name", /not a valid VM name/);
  });
  test("unique", () => {
    rejects((d) => { d.vms[1].name = "basic"; }, "vms[1].name", /^"basic" is already the name of vms\[0\]$/);
  });
});

describe("CPUs", () => {
  test("an rtvm has a CPU for each vCPU", () => {
    rejects((d) => { d.vms[0].type = "rtvm"; d.vms[0].vcpus = 2; }, "vms[0].vcpus",
      /^2 vCPUs but cpus lists only 1 CPU; each vCPU of an rtvm needs a CPU of its own$/);
  });
  test("a gvm may have more vCPUs than CPUs (they take turns)", () => {
    const set = accepts((d) => { d.vms[0].vcpus = 3; });
    assert.equal(set.vms[0]!.vcpus, 3);
  });
  test("vcpus at most 8", () => {
    rejects((d) => { d.vms[0].vcpus = 9; }, "vms[0].vcpus", /9 is out of range: must be at most 8/);
  });
  test("cpus exist on the board", () => {
    rejects((d) => { d.vms[0].cpus = [1, 4]; }, "vms[0].cpus[1]", /^CPU 4 does not exist on qemu-virt \(it has CPUs 0\.\.3\)$/);
  });
  test("cpus listed once, at least one", () => {
    rejects((d) => { d.vms[0].cpus = [1, 1]; }, "vms[0].cpus", /item 1 and item 0 are the same \(1\)/);
    rejects((d) => { d.vms[0].cpus = []; }, "vms[0].cpus", /0 CPUs given; list at least one/);
  });
  test("an rtvm's CPU given to another VM", () => {
    rejects((d) => { d.vms[1].type = "rtvm"; d.vms[1].cpus = [1]; }, "vms[1].cpus[0]",
      /^CPU 1 is also given to vms\[0\] \("basic"\), but vms\[1\] is an rtvm and its CPUs cannot be shared$/);
    rejects((d) => { d.vms[0].type = "rtvm"; d.vms[1].cpus = [2, 1]; d.vms[1].vcpus = 1; }, "vms[1].cpus[1]",
      /^CPU 1 is also given to vms\[0\] \("basic"\), but vms\[0\] is an rtvm/);
  });
  test("a CPU given to two rtvms", () => {
    rejects((d) => { d.vms[0].type = "rtvm"; d.vms[1].type = "rtvm"; d.vms[1].cpus = [1]; }, "vms[1].cpus[0]", /CPU 1 is also given to vms\[0\]/);
  });
  test("gvms may share a CPU", () => {
    const d = configData("demo");
    d.vms[1].cpus = [1];
    assert.equal(loadVmConfig(sb.write(d), sb.board, sb.resolve).vms.length, 2);
  });
});

describe("memory regions", () => {
  test("4 KiB aligned ipa, pa and size", () => {
    rejects((d) => { d.vms[0].memory[0].ipa = "0x40000800"; }, "vms[0].memory[0].ipa", /^0x40000800 is not 4 KiB aligned$/);
    rejects((d) => { d.vms[0].memory[0].pa = "0x50000010"; }, "vms[0].memory[0].pa", /^0x50000010 is not 4 KiB aligned$/);
    rejects((d) => { d.vms[0].memory[0].size = 5000; }, "vms[0].memory[0].size", /^0x1388 is not a multiple of 4 KiB$/);
  });
  test("non-empty", () => {
    rejects((d) => { d.vms[0].memory[0].size = 0; }, "vms[0].memory[0].size", /^must not be 0$/);
  });
  test("inside the board's RAM", () => {
    rejects((d) => { d.vms[0].memory[0].pa = "0x7f800000"; }, "vms[0].memory[0].pa",
      /^0x7f800000\.\.0x807fffff is not inside the RAM of qemu-virt \(0x40000000\.\.0x7fffffff\)$/);
    rejects((d) => { d.vms[0].memory[0].pa = "0x1000"; }, "vms[0].memory[0].pa", /is not inside the RAM/);
  });
  test("outside the hypervisor's memory", () => {
    rejects((d) => { d.vms[0].memory[0].pa = "0x4f800000"; }, "vms[0].memory[0].pa",
      /^0x4f800000\.\.0x507fffff overlaps the memory the hypervisor keeps \(0x40000000\.\.0x4fffffff\)$/);
  });
  test("no two regions of any VMs share PA", () => {
    const errors = rejects((d) => { d.vms[1].memory[0].pa = "0x50800000"; }, "vms[1].memory[0].pa", /./);
    assert.ok(errors.some((e) => e.endsWith(": vms[1].memory[0].pa: overlaps vms[0].memory[0] (0x50000000..0x50ffffff)")), errors.join("\n"));
    rejects((d) => { d.vms[0].memory.push(region("0x80000000", "0x50fff000", "4K")); }, "vms[0].memory[1].pa",
      /^overlaps vms\[0\]\.memory\[0\] \(0x50000000\.\.0x50ffffff\)$/);
  });
  test("regions of one VM do not overlap in IPA", () => {
    rejects((d) => { d.vms[0].memory.push(region("0x40fff000", "0x52000000", "8K")); }, "vms[0].memory[1].ipa",
      /^overlaps vms\[0\]\.memory\[0\] \(0x40000000\.\.0x40ffffff\)$/);
  });
  test("regions of different VMs may use the same IPA", () => {
    assert.equal(loadVmConfig(sb.write(configData("demo")), sb.board, sb.resolve).vms[1]?.memory[0]?.ipa, 0x40000000n);
  });
  test("IPA within 39 bits", () => {
    rejects((d) => { d.vms[0].memory.push(region("0x7fff800000", "0x52000000", "16M")); }, "vms[0].memory[1].ipa",
      /^region 0x7fff800000\.\.0x80007fffff reaches past the 39-bit IPA space \(which ends at 0x7fffffffff\)$/);
  });
  test("at most 8 regions", () => {
    rejects((d) => {
      d.vms[0].memory = Array.from({ length: 9 }, (_, k) => region(`0x${(0x40000000 + k * 0x100000).toString(16)}`,
        `0x${(0x50000000 + k * 0x100000).toString(16)}`, "1M"));
    }, "vms[0].memory", /^9 memory regions given; a VM has 1 to 8$/);
  });
});

describe("devices", () => {
  test("known type, refused by name", () => {
    rejects((d) => { d.vms[0].devices[0].type = "gicv4"; }, "vms[0].devices[0].type", /^unknown device type "gicv4" \(known types: pl011, gicv3, gicv2, passthrough, virtio-console\)$/);
  });
  test("4 KiB aligned ipa and size", () => {
    rejects((d) => { d.vms[0].devices[0].ipa = "0x09000100"; }, "vms[0].devices[0].ipa", /^0x9000100 is not 4 KiB aligned$/);
    rejects((d) => { d.vms[0].devices[0].size = 256; }, "vms[0].devices[0].size", /^0x100 is not a multiple of 4 KiB$/);
    rejects((d) => { d.vms[0].devices[0].size = 0; }, "vms[0].devices[0].size", /^must not be 0$/);
  });
  test("not overlapping a region", () => {
    rejects((d) => { d.vms[0].devices[0].ipa = "0x40fff000"; }, "vms[0].devices[0].ipa",
      /^device 0x40fff000\.\.0x40ffffff overlaps vms\[0\]\.memory\[0\] \(0x40000000\.\.0x40ffffff\)$/);
  });
  test("not overlapping another device", () => {
    rejects((d) => { d.vms[0].devices.push({ type: "pl011", ipa: "0x08fff000", size: "8K" }); }, "vms[0].devices[1].ipa",
      /^overlaps vms\[0\]\.devices\[0\] \(0x9000000\.\.0x9000fff\)$/);
  });
  test("within 39 bits", () => {
    rejects((d) => { d.vms[0].devices[0].ipa = "0x8000000000"; }, "vms[0].devices[0].ipa", /reaches past the 39-bit IPA space/);
  });
  test("one INTID per device", () => {
    rejects((d) => {
      d.vms[0].devices[0].irq = 33;
      d.vms[0].devices.push({ type: "pl011", ipa: "0x09001000", irq: 33 });
    }, "vms[0].devices[1].irq", /^INTID 33 is already used by vms\[0\]\.devices\[0\]$/);
  });
  test("at most 8", () => {
    rejects((d) => {
      d.vms[0].devices = Array.from({ length: 9 }, (_, k) => ({ type: "pl011", ipa: 0x09000000 + k * 0x1000 }));
    }, "vms[0].devices", /^9 devices given; a VM has at most 8$/);
  });
});

describe("images", () => {
  test("the file must exist", () => {
    rejects((d) => { d.vms[1].images[0].file = "guest-missing.bin"; }, "vms[1].images[0].file", /^image file "guest-missing.bin" not found$/);
  });
  test("the resolver's path must be a readable, non-empty file", () => {
    const d = configData("demo");
    const file = sb.write(d);
    const errors = errorsOf(() => loadVmConfig(file, sb.board, (n) => (n === "guest-fault.bin" ? `${sb.dir}/gone` : sb.resolve(n))));
    assertError(errors, file, "vms[0].images[0].file", /^"guest-fault.bin" was found at .*gone but cannot be read \(ENOENT\)$/);
    rejects((dd) => { dd.vms[0].images[0].file = "empty.bin"; }, "vms[0].images[0].file", /is empty$/);
    const thrown = errorsOf(() => loadVmConfig(file, sb.board, () => { throw new Error("no cache"); }));
    assertError(thrown, file, "vms[0].images[0].file", /looking up "guest-fault.bin" failed: no cache/);
  });
  test("it must fit in the region it loads into", () => {
    rejects((d) => { d.vms[0].images[0].file = "huge.bin"; }, "vms[0].images[0].file",
      /^"huge.bin" \(16777217 bytes\) loaded at 0x40000000 does not fit in vms\[0\]\.memory\[0\] \(0x40000000\.\.0x40ffffff, 16 MiB\): it would end at 0x41000000$/);
    rejects((d) => { d.vms[0].images[0].ipa = "0x40fffc00"; d.vms[0].entry = "0x40000000"; }, "vms[0].images[0].file", /does not fit/);
  });
  test("its ipa must be inside a region", () => {
    rejects((d) => { d.vms[0].images[0].ipa = "0x30000000"; d.vms[0].entry = "0x40000000"; }, "vms[0].images[0].ipa",
      /^0x30000000 is not inside any memory region of this VM$/);
  });
  test("images of one VM do not overlap", () => {
    rejects((d) => { d.vms[0].images.push({ file: "guest-counter.bin", ipa: "0x40000400" }); }, "vms[0].images[1].ipa",
      /^"guest-counter.bin" \(0x40000400\.\.0x40000bff\) overlaps vms\[0\]\.images\[0\] \("guest-fault.bin", 0x40000000\.\.0x400005ff\)$/);
  });
  test("1 to 4 images", () => {
    rejects((d) => { d.vms[0].images = []; }, "vms[0].images", /^0 images given; a VM loads 1 to 4$/);
    rejects((d) => {
      d.vms[0].images = Array.from({ length: 5 }, (_, k) => ({ file: "guest-fault.bin", ipa: 0x40000000 + k * 0x1000 }));
    }, "vms[0].images", /^5 images given; a VM loads 1 to 4$/);
  });
});

describe("entry and dtb", () => {
  test("entry 4-byte aligned", () => {
    rejects((d) => { d.vms[0].entry = "0x40000002"; }, "vms[0].entry", /^0x40000002 is not 4-byte aligned$/);
  });
  test("entry inside an executable region", () => {
    rejects((d) => { d.vms[0].memory[0].access = "rw"; }, "vms[0].entry", /^0x40000000 is not inside a memory region of this VM with access x$/);
    rejects((d) => { d.vms[0].entry = "0x41000000"; }, "vms[0].entry", /not inside a memory region of this VM with access x/);
  });
  test("the default entry is the first image's ipa, and says so when wrong", () => {
    rejects((d) => { delete d.vms[0].entry; d.vms[0].memory[0].access = "rw"; }, "vms[0].entry", /\(entry defaults to images\[0\]\.ipa\)$/);
  });
  test("dtb inside a readable region", () => {
    rejects((d) => { d.vms[0].dtb = "0x48000000"; }, "vms[0].dtb", /^0x48000000 is not inside a memory region of this VM with access r$/);
    rejects((d) => {
      d.vms[0].memory.push(region("0x48000000", "0x52000000", "4K", "w"));
      d.vms[0].dtb = "0x48000000";
    }, "vms[0].dtb", /with access r$/);
  });
  test("dtb 8-byte aligned and not 0", () => {
    rejects((d) => { d.vms[0].dtb = "0x40800004"; }, "vms[0].dtb", /^0x40800004 is not 8-byte aligned$/);
    rejects((d) => { d.vms[0].dtb = 0; }, "vms[0].dtb", /0 cannot be used/);
    rejects((d) => { d.vms[0].dtb = "x"; }, "vms[0].dtb", /must be an address: .*, or null, not "x"/);
  });
});

describe("ready and expect", () => {
  test("ready required and non-empty", () => {
    rejects((d) => { delete d.vms[0].ready; }, "vms[0].ready", /^missing \(this field is required\)$/);
    rejects((d) => { d.vms[0].ready = ""; }, "vms[0].ready", /^must be a non-empty text without line breaks, not ""$/);
    rejects((d) => { d.vms[0].ready = "READY\nbasic"; }, "vms[0].ready", /without line breaks/);
  });
  test("expect lines non-empty", () => {
    rejects((d) => { d.vms[1].expect = ["tick 5", ""]; }, "vms[1].expect[1]", /non-empty text/);
  });
});

describe("the set", () => {
  test("1 to 8 VMs", () => {
    rejects((d) => { d.vms = []; }, "vms", /^0 VMs given; a config has 1 to 8 VMs/);
    rejects((d) => {
      d.vms = Array.from({ length: 9 }, (_, k) => vmCopy(d, `vm${k}`, [k % 4], `0x${(0x50000000 + k * 0x1000000).toString(16)}`));
    }, "vms", /^9 VMs given; a config has 1 to 8 VMs \(the limit of the config blob\)$/);
  });
  test("8 VMs are fine", () => {
    const d = configData("demo");
    d.vms = Array.from({ length: 8 }, (_, k) => vmCopy(d, `vm${k}`, [k % 4], `0x${(0x50000000 + k * 0x1000000).toString(16)}`));
    assert.equal(loadVmConfig(sb.write(d), sb.board, sb.resolve).vms.length, 8);
  });
});

describe("unmapped accesses", () => {
  test("unmapped_access is stop or external-abort", () => {
    rejects((d) => { d.vms[0].unmapped_access = "ignore"; }, "vms[0].unmapped_access", /must be equal to one of|stop/);
  });
  test("external-abort sets bit 1 of the record's flags; stop, the default, leaves it clear", () => {
    const set = accepts((d) => { d.vms[0].unmapped_access = "external-abort"; d.vms[1].unmapped_access = "stop"; });
    const blob = encodeBlob(set);
    assert.equal(blob.readUInt32LE(16 + 56), 2);
    assert.equal(blob.readUInt32LE(16 + 640 + 56), 0);
    assert.equal(encodeBlob(accepts(() => undefined)).readUInt32LE(16 + 56), 0);
  });
});

describe("time slice", () => {
  test("slice_us is 1000..1000000 microseconds", () => {
    rejects((d) => { d.vms[0].slice_us = 999; }, "vms[0].slice_us", /must be >= 1000|at least 1000/);
    rejects((d) => { d.vms[0].slice_us = 2000000; }, "vms[0].slice_us", /must be <= 1000000|at most 1000000/);
  });
  test("slice_us goes into the blob at offset 60 of the VM's record (0 when not given)", () => {
    const set = accepts((d) => { d.vms[0].slice_us = 2500; });
    const blob = encodeBlob(set);
    assert.equal(blob.readUInt32LE(16 + 60), 2500);
    assert.equal(blob.readUInt32LE(16 + 640 + 60), 0);
  });
});
