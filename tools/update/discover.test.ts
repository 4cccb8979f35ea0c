// Finding the port of the running demo's MVM when `wasmvisor update` has no --port:
// hostfwd rules to guest port 5000 in qemu-system-* command lines, read from /proc.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomInt } from "node:crypto";
import { discoverMvm, forwardsTo, qemuCommandLines } from "./discover.ts";

const netdev = (rules: string) => ["qemu-system-aarch64", "-M", "virt", "-netdev", `user,id=n0,${rules}`, "-device", "virtio-net-device,netdev=n0"];

test("forwardsTo: TCP forwards to port 5000 only, from any of several rules", () => {
  const lines = [
    { pid: 10, argv: netdev("hostfwd=tcp:127.0.0.1:41234-:5000") },
    { pid: 11, argv: netdev("hostfwd=udp:127.0.0.1:7000-:5000,hostfwd=tcp:127.0.0.1:7001-:22,hostfwd=:127.0.0.1:7002-10.0.2.15:5000") },
    { pid: 12, argv: ["qemu-system-aarch64", "-M", "virt"] },
  ];
  assert.deepEqual(forwardsTo(lines), [{ host: "127.0.0.1", port: 41234, pid: 10 }, { host: "127.0.0.1", port: 7002, pid: 11 }]);
  assert.deepEqual(forwardsTo(lines, 22), [{ host: "127.0.0.1", port: 7001, pid: 11 }]);
});

test("discoverMvm: the one forward; none or several is an error that says what to do", () => {
  const one = [{ pid: 10, argv: netdev("hostfwd=tcp:127.0.0.1:41234-:5000") }];
  assert.deepEqual(discoverMvm(one), { host: "127.0.0.1", port: 41234, pid: 10 });
  assert.throws(() => discoverMvm([]), /no running QEMU forwards a port to the MVM's port 5000 .*give --port N/);
  const two = [...one, { pid: 20, argv: netdev("hostfwd=tcp:127.0.0.1:5555-:5000") }];
  assert.throws(() => discoverMvm(two), /^Error: 2 running QEMUs forward .*127\.0\.0\.1:41234 pid 10, 127\.0\.0\.1:5555 pid 20\): say which with --port N$/);
});

test("qemuCommandLines: a running process named qemu-system-aarch64 is found with its arguments, others are not", async () => {
  const port = randomInt(20000, 60000);
  const args = ["-e", "setTimeout(() => {}, 30000)", "--", "-netdev", `user,id=n0,hostfwd=tcp:127.0.0.1:${port}-:5000`];
  const fake = spawn(process.execPath, args, { argv0: "qemu-system-aarch64", stdio: "ignore" });
  const other = spawn(process.execPath, args, { stdio: "ignore" });
  try {
    await new Promise((r) => setTimeout(r, 200));
    const lines = qemuCommandLines();
    const mine = lines.find((l) => l.pid === fake.pid);
    assert.ok(mine, "the process named qemu-system-aarch64 is listed");
    assert.deepEqual(mine.argv, ["qemu-system-aarch64", ...args]);
    assert.ok(!lines.some((l) => l.pid === other.pid), "a process with another name is not");
    assert.ok(forwardsTo(lines).some((f) => f.pid === fake.pid && f.port === port));
  } finally {
    fake.kill();
    other.kill();
  }
});
