// Live update with the default demo running (docs/live-update.md): the management VM
// updates the core to its second build through wvctl and rolls back; the host does the
// same through `wasmvisor update`; the VMs go from the native engine to wasm3 (the same
// module signed without its native part) and back; bad modules (among them ones the module check refuses
// before wasm3 sees them) and a request from the guest VM are each refused with their
// reason while every VM goes on; 50 updates in a row (and 10 more)
// leave the hypervisor's free memory where it was. One boot of vmconfigs/mixed.json.
import { test } from "node:test";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import assert from "node:assert/strict";
import { readFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildImage } from "../../tools/build/image.ts";
import { asc } from "../../tools/build/core.ts";
import { BUILD, ROOT } from "../../tools/lib/paths.ts";
import { NATIVE_HEADER_SIZE } from "../../tools/build/native_header.ts";
import { signModule } from "../../tools/sign/format.ts";
import { signingKey } from "../../tools/sign/keys.ts";
import { postModule } from "../../tools/update/client.ts";
import { startSession, type Session } from "./session.ts";
import { tail, noLine } from "./boot.ts";
import { ENTER } from "./console.ts";

const execFileP = promisify(execFile);
const RUN_MS = 900_000;
const STEP_MS = 120_000;
const V2 = "/usr/share/wasmvisor/core-v2.wvm";
const V1 = "/usr/share/wasmvisor/core.wvm";
/**
 * Free-heap drift allowed between two readings many updates apart. Readings move by some
 * KiB either way between updates (buffers and instance memory of the moment: in one run
 * the heap had 192 KiB more free after 50 updates, in another 17 KiB less after 10
 * more); what one update allocates is far more (the module ~60 KiB, an instance hundreds
 * of KiB), so a leak of any of it, or of 1.3 KiB per update over 50, exceeds this.
 */
const SLACK = 64 * 1024;

/** A test module (tests/update-modules) compiled and signed with the build's key. */
function testModule(name: string): Buffer {
  const out = join(BUILD, "update-modules");
  mkdirSync(out, { recursive: true });
  const wasm = join(out, `${name}.wasm`);
  asc([`tests/update-modules/${name}.ts`, "-O3", "--noAssert", "--runtime", "stub", "--use", "abort=", "--outFile", wasm]);
  return signModule(readFileSync(wasm), signingKey().key);
}

/**
 * Run a shell command in the management VM (it has the console input) and wait for the
 * `rc<tag>=<n>` line after it. The command is typed whole (the console input holds a
 * typed line, docs/abi.md 5) only once the previous one answered, so nothing else is
 * typed meanwhile. The line of the answer is spelt differently in what is typed (the
 * shell's echo of the command holds `"rc""<tag>`, the answer `rc<tag>`), so the echo can
 * never be taken for it. The management VM's console has no other writer while a
 * command runs: its kernel keeps messages below errors off the console once the shell
 * runs (tools/build/guest-init.sh), and every line a process writes comes whole.
 */
async function shell(s: Session, vm: string, cmd: string, ms = STEP_MS): Promise<{ rc: number; out: string[] }> {
  const from = s.lines.length;
  const tag = `${Math.floor(Math.random() * 1e9)}`;
  s.type(`${cmd}; echo "rc""${tag}=$?"${ENTER}`);
  const answer = new RegExp(`^\\[${vm}\\] rc${tag}=(\\d+)$`);
  const at = await s.waitFor(`"rc${tag}=<n>" after: ${cmd}`, (l) => answer.test(l), ms, from);
  const out = s.lines.slice(from, at).filter((l) => l.startsWith(`[${vm}] `)).map((l) => l.slice(vm.length + 3));
  return { rc: Number(answer.exec(s.lines[at]!)![1]), out };
}

/**
 * The guest VM's counter: every `count N` line, whole. Nobody types into the guest VM
 * (its one request to the hypervisor is made by its own init), so its console has one
 * writer of count lines and nothing can be glued to them.
 */
const counts = (lines: string[]) => lines.flatMap((l) => {
  const m = /^\[gvm\] count (\d+)(?: file md5 [0-9a-f]+)?$/.exec(l);
  return m ? [Number(m[1])] : [];
});

test("live update: v1 -> v2 -> v1 through wvctl and from the host; refusals; 50 updates without memory growth", async () => {
  const image = buildImage("mixed");
  const bad = { wrongAbi: testModule("wrong_abi"), trapRestore: testModule("trap_restore") };
  const v2 = readFileSync(join(BUILD, "core-v2.wvm"));
  const s = await startSession(image, RUN_MS);
  try {
    await s.waitFor('"[mvm] READY mvm-net"', (l) => l === "[mvm] READY mvm-net", STEP_MS);
    const fileAt = await s.waitFor('"[gvm] counter: file /tmp/keep.bin md5 ..."', (l) => l.startsWith("[gvm] counter: file "), STEP_MS);
    const md5 = s.lines[fileAt]!.split(" md5 ")[1]!;
    await s.waitFor('"[gvm] count 3"', (l) => l === "[gvm] count 3", STEP_MS, fileAt);
    await s.waitFor('"[rt] READY rt"', (l) => l === "[rt] READY rt", STEP_MS);
    // The shell starts right after READY mvm-net; what is typed before it reads waits in
    // the tty's input queue.
    const first = await shell(s, "mvm", "wvctl version");
    assert.equal(first.rc, 0, first.out.join("\n"));
    assert.ok(first.out.some((l) => /^variant\s+1$/.test(l)), first.out.join("\n"));

    // v1 -> v2 through wvctl.
    const before = s.lines.length;
    const up = await shell(s, "mvm", `wvctl update ${V2}`);
    assert.equal(up.rc, 0, up.out.join("\n") + tail(s.lines));
    assert.ok(up.out.some((l) => /^to\s+0\.2\.0$/.test(l)), up.out.join("\n"));
    const done = s.lines.findIndex((l, i) => i >= before && /^\[wasmvisor\] update: core 0\.1\.0 -> 0\.2\.0 \(variant 2\), 3 VMs/.test(l));
    assert.ok(done >= 0, tail(s.lines, 40));
    for (const vm of ["mvm", "gvm", "rt"]) {
      assert.ok(s.lines.some((l, i) => i > done - 4 && new RegExp(`^\\[wasmvisor\\] update: vm ${vm} paused \\d+ ns$`).test(l)), `pause of ${vm}`);
    }
    // The new instances were compiled whole before the hand-over, on the updating CPU.
    const compiled = s.lines.findIndex((l, i) => i > done && /^\[wasmvisor\] update: \d+ functions of the new instances left to compile/.test(l));
    assert.equal(s.lines[compiled], "[wasmvisor] update: 0 functions of the new instances left to compile after the hand-over", tail(s.lines, 40));
    const v = await shell(s, "mvm", "wvctl version");
    assert.ok(v.out.some((l) => /^variant\s+2$/.test(l)) && v.out.some((l) => /^version\s+0\.2\.0$/.test(l)), v.out.join("\n"));
    // Every VM goes on: the counter past the update with the file intact, new RT rounds.
    const c0 = Math.max(...counts(s.lines.slice(0, done)));
    await s.waitFor(`"[gvm] count ${c0 + 12}"`, (l) => l.startsWith(`[gvm] count ${c0 + 12}`), STEP_MS, done);
    await s.waitFor('an RT round after the update', (l) => l.startsWith("[rt] rt latency ns:"), STEP_MS, done);

    // Back to v1.
    const back = await shell(s, "mvm", "wvctl rollback");
    assert.equal(back.rc, 0, back.out.join("\n"));
    assert.ok(back.out.some((l) => /^to\s+0\.1\.0$/.test(l)), back.out.join("\n"));
    const v1 = await shell(s, "mvm", "wvctl version");
    assert.ok(v1.out.some((l) => /^variant\s+1$/.test(l)), v1.out.join("\n"));

    // From the host, through the management VM's network.
    assert.ok(s.port, "the config forwards a port to the management VM");
    // Asynchronously: the console must go on being read while the command waits.
    const cli = await execFileP(process.execPath, [join(ROOT, "tools", "bin", "wasmvisor.mjs"), "update", join(BUILD, "core-v2.wvm"),
      "--port", String(s.port)], { cwd: ROOT, timeout: STEP_MS });
    assert.match(cli.stdout, /0\.2\.0/, cli.stdout + cli.stderr);
    const hv = await shell(s, "mvm", "wvctl version");
    assert.ok(hv.out.some((l) => /^variant\s+2$/.test(l)), hv.out.join("\n"));

    // Either kind of module: the second build's .wvm carries its native part (the VMs ran
    // it natively); the same module signed without one runs in wasm3. Over to it and back.
    const engineLine = (e: string) => `[wasmvisor] update: the new instances run on the ${e} engine`;
    assert.ok(s.lines.some((l) => l === engineLine("native")), "the second build's native part ran" + tail(s.lines, 40));
    const wasmOnly = signModule(readFileSync(join(BUILD, "core-v2.wasm")), signingKey().key);
    const toWasm3 = s.lines.length;
    const w3 = await postModule({ host: "127.0.0.1", port: s.port!, timeoutMs: 60_000 }, wasmOnly);
    assert.equal(w3.exit, 0, `a module without a native part refused?\n${w3.text}`);
    await s.waitFor(`"${engineLine("wasm3")}"`, (l) => l === engineLine("wasm3"), STEP_MS, toWasm3);
    const toNative = s.lines.length;
    const backToNative = await shell(s, "mvm", "wvctl rollback");
    assert.equal(backToNative.rc, 0, backToNative.out.join("\n"));
    await s.waitFor(`"${engineLine("native")}"`, (l) => l === engineLine("native"), STEP_MS, toNative);

    // Refused without harm, each with its reason; v2 keeps running.
    const target = { host: "127.0.0.1", port: s.port!, timeoutMs: 60_000 };
    const random = Buffer.alloc(8192);
    for (let i = 0, x = 7; i < random.length; i++) { x = (x * 1103515245 + 12345) >>> 0; random[i] = x >>> 24; }
    random[0] = 0x42;
    const badSig = Buffer.from(v2);
    badSig[badSig.length - 1]! ^= 1;
    const empty = signModule(Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), signingKey().key);
    // One function whose body is a SIMD instruction (0xfd at byte 0x17): outside what the
    // module check decodes (runtime-c/include/wv_module_check.h).
    const simd = signModule(Buffer.from("0061736d01000000" + "010401600000" + "03020100" + "0a050103" + "00fd0b", "hex"),
      signingKey().key);
    // Native parts that are signed but wrong: core.wasm's translation carried with
    // core-v2.wasm, and core-v2's own with its first relocation moved into its code.
    const v2Wasm = readFileSync(join(BUILD, "core-v2.wasm"));
    const foreignNative = signModule(v2Wasm, signingKey().key, readFileSync(join(BUILD, "core.native")));
    const codeReloc = Buffer.from(readFileSync(join(BUILD, "core-v2.native")));
    codeReloc.writeUInt32LE(0x100, NATIVE_HEADER_SIZE);           /* relocation 0's place: inside text */
    const relocInCode = signModule(v2Wasm, signingKey().key, codeReloc);
    const cases: [string, Buffer, RegExp][] = [
      ["a native part translated from another module", foreignNative,
        /native part refused: wasm_sha256 is not the SHA-256 of the .wasm it is loaded with/],
      ["a native part with a relocation in its code", relocInCode,
        /native part refused: relocation 0 at 0x100 is outside rodata and data/],
      ["a truncated module", v2.subarray(0, v2.length >> 1), /truncated/],
      ["random bytes", random, /bad magic/],
      ["a Wasm module without the ABI exports", empty, /lacks an ABI export/],
      ["a wrong ABI version", bad.wrongAbi, /another ABI version/],
      ["a bad signature", badSig, /bad signature/],
      ["a module that traps in restore", bad.trapRestore, /trapped restoring the state/],
      ["a module that acts on the VM while staged", testModule("staged_effects"), /called import sysreg_write while staged/],
      ["a module nesting one loop more than the check allows", testModule("deep_loops"),
        /core module refused: function \d+ nests loops 17 deep at offset 0x[0-9a-f]+, over the limit of 16/],
      ["a module with an opcode the check does not know", simd, /core module refused: unknown opcode 0xfd in function 0 at offset 0x17/],
    ];
    for (const [what, bytes, reason] of cases) {
      const from = s.lines.length;
      const a = await postModule(target, bytes);
      assert.notEqual(a.exit, 0, `${what}: accepted?\n${a.text}`);
      assert.match(a.text, reason, `${what}: ${a.text}`);
      await s.waitFor(`"[wasmvisor] update refused: ..." for ${what}`, (l) => /^\[wasmvisor\] update refused: /.test(l) && reason.test(l), STEP_MS, from);
    }
    const still = await shell(s, "mvm", "wvctl version");
    assert.ok(still.out.some((l) => /^variant\s+2$/.test(l)), still.out.join("\n"));

    // A request from the guest VM (its boot-time probe, wv.mgmt_probe=1): refused.
    const probe = await s.waitFor('"[gvm] mgmt-probe: ..."', (l) => l.startsWith("[gvm] mgmt-probe: "), STEP_MS);
    assert.match(s.lines[probe]!, /^\[gvm\] mgmt-probe: wvctl version rc=1: wvctl: refused: only the management VM may command the hypervisor/);

    // The other management commands, on the RT VM (it restarts in an instant).
    const info = await shell(s, "mvm", "wvctl info rt");
    assert.ok(info.out.some((l) => /^name\s+rt$/.test(l)) && info.out.some((l) => /^state\s+running$/.test(l)) &&
      info.out.some((l) => /^type\s+rtvm$/.test(l)), info.out.join("\n"));
    const stop = await shell(s, "mvm", "wvctl stop rt");
    assert.equal(stop.rc, 0, stop.out.join("\n"));
    assert.ok(s.lines.some((l) => l === "[wasmvisor] vm rt: all vCPUs parked (stopped by the management VM)"), tail(s.lines));
    const again = await shell(s, "mvm", "wvctl stop rt");
    assert.equal(again.rc, 1, "stopping a stopped VM is refused");
    const self = await shell(s, "mvm", "wvctl stop mvm");
    assert.equal(self.rc, 1, "the management VM does not stop itself");
    const startFrom = s.lines.length;
    const start = await shell(s, "mvm", "wvctl start rt");
    assert.equal(start.rc, 0, start.out.join("\n"));
    await s.waitFor('"[rt] READY rt" after wvctl start rt', (l) => l === "[rt] READY rt", STEP_MS, startFrom);
    const resetFrom = s.lines.length;
    const reset = await shell(s, "mvm", "wvctl reset rt");
    assert.equal(reset.rc, 0, reset.out.join("\n"));
    await s.waitFor('"[rt] READY rt" after wvctl reset rt', (l) => l === "[rt] READY rt", STEP_MS, resetFrom);
    const none = await shell(s, "mvm", "wvctl info nosuchvm");
    assert.equal(none.rc, 1);
    const log = await shell(s, "mvm", "wvctl log | tail -n 40");
    assert.ok(log.out.some((l) => /^\[wasmvisor\] vm rt: restarted from its images|^\[wasmvisor\] update: core /.test(l)), log.out.join("\n"));

    // 50 updates in a row, alternating the two builds: the free heap ends where it began.
    // The most free of three readings: an answer or request buffer of the moment can be
    // alive at one of them; what an update leaks stays in all three.
    const heap = async () => {
      let best = 0;
      for (let k = 0; k < 3; k++) {
        const r = await shell(s, "mvm", "wvctl version");
        const h = r.out.map((l) => /^heap_free\s+(\d+)$/.exec(l)).find((m) => m);
        assert.ok(h, r.out.join("\n"));
        best = Math.max(best, Number(h[1]));
      }
      return best;
    };
    assert.equal((await shell(s, "mvm", `wvctl update ${V1} > /dev/null`)).rc, 0);
    const free0 = await heap();
    const loop = await shell(s, "mvm",
      `n=0; for i in $(seq 25); do wvctl update ${V2} > /dev/null && wvctl update ${V1} > /dev/null && n=$((n + 2)); done; echo updates=$n`, 600_000);
    assert.ok(loop.out.includes("updates=50"), loop.out.join("\n"));
    const free1 = await heap();
    // A leak of what an update allocates would show by far more: the module's bytes
    // (~60 KiB), an instance (its runtime, code pages and memory: hundreds of KiB).
    assert.ok(free1 >= free0 - SLACK, `free heap before ${free0}, after 50 updates ${free1}: ${free0 - free1} bytes less`);
    const more = await shell(s, "mvm",
      `n=0; for i in $(seq 5); do wvctl update ${V2} > /dev/null && wvctl update ${V1} > /dev/null && n=$((n + 2)); done; echo updates=$n`, 300_000);
    assert.ok(more.out.includes("updates=10"), more.out.join("\n"));
    const free2 = await heap();
    assert.ok(free2 >= free1 - SLACK, `free heap after 50 updates ${free1}, after 10 more ${free2}`);

    // The counter never went back nor skipped, and the file kept its checksum.
    const all = counts(s.lines);
    for (let i = 1; i < all.length; i++) assert.equal(all[i], all[i - 1]! + 1, `count ${all[i - 1]} then ${all[i]}`);
    const sums = s.lines.filter((l) => /^\[gvm\] count \d+ file md5 [0-9a-f]+$/.test(l)).map((l) => l.split(" md5 ")[1]);
    assert.ok(sums.length >= 2, "file checksums were printed");
    for (const m of sums) assert.equal(m, md5, "the file in the guest VM's RAM filesystem changed");
    noLine(s.lines, / stopped: |PANIC/, "nothing stopped or panicked");
  } finally {
    const r = await s.stop();
    writeFileSync(join(BUILD, "live_update.console.txt"), r.lines.join("\n") + "\n");
  }
});
