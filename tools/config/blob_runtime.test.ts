// The two sides of the config blob (docs/abi.md section 1) checked against each other:
// every config in vmconfigs/ is encoded by the tools and parsed by the runtime's own C
// parser (runtime-c/core/validate.c, built for the host with the config's board as
// runtime-c/tests/blob_check.c, under AddressSanitizer and UBSan where the host has
// them). The runtime must accept what the tools make and read the same ownership facts;
// and blobs damaged at random must be refused or read without a crash, never more.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../lib/paths.ts";
import { run } from "../lib/proc.ts";
import { BOARDS_DIR } from "./board.ts";
import { loadVmConfig, encodeBlob, decodeBlob, hex } from "./index.ts";
import { fakeKernel, prng, VMCONFIGS } from "./test_helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "wv-blob-runtime-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const boards = readdirSync(BOARDS_DIR).filter((b) => !b.startsWith("."));
const checker = (board: string) => join(dir, `blob_check-${board}`);

/** cc with ASan/UBSan when the host has them (a report then fails the run), else plain. */
function build(board: string): void {
  const rt = join(ROOT, "runtime-c");
  const src = [join(rt, "tests", "blob_check.c"), join(rt, "core", "validate.c"), join(BOARDS_DIR, board, "board.c")];
  const base = ["-std=c11", "-O1", "-g", "-Wall", "-Wextra", "-Werror", "-I", join(rt, "include"), ...src, "-o", checker(board)];
  const san = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all"];
  if (run("cc", [...san, ...base], { allowFail: true }).status !== 0) run("cc", base);
}
before(() => { for (const b of boards) build(b); });

/** Stand-in image files: whatever a config names resolves to a small file (a Linux Image header where it wants a kernel). */
const images = join(dir, "images");
const resolve = (name: string): string => {
  const p = join(images, name.replace(/\//g, "_"));
  mkdirSync(images, { recursive: true });
  writeFileSync(p, /Image$/.test(name) ? fakeKernel(1 << 20, 2n << 20n) : Buffer.alloc(4096, 0xa5));
  return p;
};

function check(board: string, blob: Uint8Array): { code: number; out: string; err: string } {
  const f = join(dir, `blob-${Math.random().toString(36).slice(2)}.bin`);
  writeFileSync(f, blob);
  const r = spawnSync(checker(board), [f], { encoding: "utf8" });
  rmSync(f);
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** What the runtime should print for a blob, from the tools' own reading of it. */
function expected(blob: Uint8Array): string {
  const lines: string[] = [];
  for (const vm of decodeBlob(blob).vms) {
    lines.push(`vm ${vm.name} type ${vm.type} vcpus ${vm.vcpuCount} cpus 0x${vm.pcpuMask.toString(16)} slice ${vm.sliceUs} flags ${vm.flags}`);
    for (const r of vm.regions) lines.push(`region ${hex(r.ipa)} ${hex(r.pa)} ${hex(r.size)} ${r.flags}`);
    for (const d of vm.devices.filter((x) => x.kind === 5 || x.kind === 6)) {
      lines.push(`frame ${hex(d.ipa)} ${hex(d.pa)} ${hex(d.size)} ${d.kind} ${d.kind === 6 ? d.irq : 0}`);
    }
  }
  return lines.join("\n") + "\n";
}

const configs = readdirSync(VMCONFIGS).filter((f) => f.endsWith(".json") && f !== "schema.json").sort();

test("the runtime's parser accepts the blob of every config in vmconfigs/ and reads what the tools wrote", () => {
  assert.ok(configs.length >= 10, `configs: ${configs.join(", ")}`);
  for (const f of configs) {
    const set = loadVmConfig(join(VMCONFIGS, f), { resolveImage: resolve });
    const blob = encodeBlob(set);
    const r = check(set.board, blob);
    assert.equal(r.code, 0, `vmconfigs/${f} (board ${set.board}): the runtime refused the tools' blob: ${r.err}`);
    assert.equal(r.out, expected(blob), `vmconfigs/${f}: the runtime reads other ownership facts than the tools wrote`);
  }
});

test("blobs damaged at random are refused with a reason or read within bounds, never a crash (seeded)", () => {
  const rnd = prng(8);
  const sets = ["mixed", "mvm-net", "linux-gicv2", "overcommit"].map((n) =>
    loadVmConfig(join(VMCONFIGS, `${n}.json`), { resolveImage: resolve }));
  let refused = 0, accepted = 0;
  for (let i = 0; i < 300; i++) {
    const set = sets[i % sets.length]!;
    const blob = Buffer.from(encodeBlob(set));
    const flips = 1 + Math.floor(rnd() * 4);
    for (let k = 0; k < flips; k++) {
      // Mostly the header and the ownership fields of the first records, where a flip matters.
      const at = Math.floor(rnd() * Math.min(blob.length, 16 + 640 * 2));
      blob[at] = Math.floor(rnd() * 256);
    }
    const cut = rnd() < 0.1 ? Math.floor(rnd() * blob.length) : blob.length;
    const r = check(set.board, blob.subarray(0, cut));
    assert.ok(r.code === 0 || r.code === 2, `case ${i}: exit ${r.code}\n${r.err}`);
    if (r.code === 2) { refused++; assert.match(r.err, /^refused: config blob/, `case ${i}`); } else accepted++;
  }
  assert.ok(refused > 50 && accepted > 0, `refused ${refused}, accepted ${accepted}: the damage should hit both ways`);
});

test("the runtime refuses ownership the tools would never write: shared memory, the hypervisor's memory, a missing CPU", () => {
  const set = loadVmConfig(join(VMCONFIGS, "mixed.json"), { resolveImage: resolve });
  const good = Buffer.from(encodeBlob(set));
  const rec = (i: number) => 16 + 640 * i;
  const cases: [string, (b: Buffer) => void, RegExp][] = [
    ["VM 1's first region on VM 0's memory", (b) => b.writeBigUInt64LE(b.readBigUInt64LE(rec(0) + 64 + 8), rec(1) + 64 + 8),
      /share physical memory/],
    ["a region in the hypervisor's memory", (b) => b.writeBigUInt64LE(0x40000000n, rec(0) + 64 + 8), /hypervisor's memory/],
    ["a CPU the board lacks", (b) => b.writeUInt32LE(1 << 4, rec(2) + 24), /CPU the board lacks/],
    ["a region not page aligned", (b) => b.writeBigUInt64LE(b.readBigUInt64LE(rec(1) + 64 + 16) + 8n, rec(1) + 64 + 16), /4 KiB aligned/],
    ["a record count past the blob", (b) => b.writeUInt32LE(5, 8), /total_size/],
  ];
  for (const [what, damage, reason] of cases) {
    const b = Buffer.from(good);
    damage(b);
    const r = check("qemu-virt", b);
    assert.equal(r.code, 2, `${what}: accepted\n${r.out}`);
    assert.match(r.err, reason, what);
  }
  assert.equal(check("qemu-virt", readFileSync(join(ROOT, "package.json"))).code, 2, "a file that is no blob");
});
