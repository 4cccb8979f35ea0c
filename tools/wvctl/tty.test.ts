// wvctl on a tty, as on /dev/hvc0: it must make the tty raw, or the line discipline
// would echo the answer back, turn LF into CR LF, wait for whole lines and act on
// control characters. A pseudo-terminal, left in its default (cooked, echoing) mode,
// stands in for the port (python3's pty module: node has none); a fake hypervisor on
// its master side checks every byte of a binary request and answers with bytes the
// line discipline would change.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileWvctl } from "../build/wvctl.ts";
import { run } from "../lib/proc.ts";

const dir = mkdtempSync(join(tmpdir(), "wv-wvctl-tty-"));
let bin = "";
before(() => { bin = compileWvctl("gcc", join(dir, "wvctl")); });
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs wvctl ARGS with WVCTL_FD on a new pty's slave; answers its request with ANSWER (hex). Prints JSON. */
const FAKE = String.raw`
import json, os, select, struct, subprocess, sys, time
wvctl, answer_hex, *args = sys.argv[1:]
master, slave = os.openpty()
env = {"WVCTL_FD": str(slave), "WVCTL_TIMEOUT_MS": "5000", "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
p = subprocess.Popen([wvctl, *args], pass_fds=[slave], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
os.close(slave)
deadline = time.time() + 5
def read(n):
    b = b""
    while len(b) < n and time.time() < deadline:
        r, _, _ = select.select([master], [], [], 0.1)
        if r:
            try: b += os.read(master, n - len(b))
            except OSError: break
    return b
head = read(16)
req = head
if len(head) == 16:
    req += read(struct.unpack("<I", head[8:12])[0])
    rid = struct.unpack("<I", head[12:16])[0]
    text = bytes.fromhex(answer_hex)
    os.write(master, struct.pack("<IHHII", 0x53525657, struct.unpack("<H", head[4:6])[0], 0, len(text), rid) + text)
out, err = p.communicate(timeout=10)
# What else came out of the port: an echo of the answer, for one.
time.sleep(0.1)
extra = b""
while select.select([master], [], [], 0)[0]:
    try:
        chunk = os.read(master, 4096)
    except OSError:
        break
    if not chunk: break
    extra += chunk
print(json.dumps({"code": p.returncode, "request": req.hex(), "stdout": out.hex(), "stderr": err.decode(errors="replace"),
                  "extra": extra.hex()}))
`;

interface PtyRun { code: number; request: Buffer; stdout: Buffer; stderr: string; extra: Buffer }

function onPty(answerText: Buffer, args: string[]): PtyRun {
  const r = run("python3", ["-c", FAKE, bin, answerText.toString("hex"), ...args], { allowFail: true });
  assert.equal(r.status, 0, `the pty helper failed: ${r.stderr}`);
  const o = JSON.parse(r.stdout);
  return { code: o.code, request: Buffer.from(o.request, "hex"), stdout: Buffer.from(o.stdout, "hex"), stderr: o.stderr,
    extra: Buffer.from(o.extra, "hex") };
}

test("update over a tty: every byte value of the file arrives as it is, in one frame", () => {
  // All 256 byte values (CR, LF, ^C, ^D, ^S, ^Q, DEL, 0xff ...) several times, then random ones.
  const module = Buffer.concat([...Array.from({ length: 8 }, () => Buffer.from(Array.from({ length: 256 }, (_, i) => i))),
    randomBytes(20000)]);
  const file = join(dir, "all-bytes.wvm");
  writeFileSync(file, module);
  const r = onPty(Buffer.from("from=0.1.0 to=0.2.0 vms=1 pause_max_ns=5 total_ns=9\nvm=mvm pause_ns=5\n"), ["update", file]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.request.length, 16 + module.length, "request length: no byte added or dropped");
  assert.equal(r.request.readUInt32LE(0), 0x51525657);
  assert.equal(r.request.readUInt16LE(4), 7);
  assert.equal(r.request.readUInt32LE(8), module.length);
  assert.ok(r.request.subarray(16).equals(module), "the payload is the file, byte for byte");
  assert.match(r.stdout.toString(), /^to +0\.2\.0$/m);
  assert.equal(r.extra.length, 0, `nothing echoed back to the hypervisor: ${r.extra.subarray(0, 32).toString("hex")}`);
});

test("an answer with control characters, and a length whose bytes are LF and CR, comes through unchanged", () => {
  const special = Buffer.from("line one\r\nline two\n^C\x03 ^D\x04 ^Z\x1a ^S\x13 ^Q\x11 DEL\x7f \u00e9t\u00e9 \x00nul\n", "latin1");
  // Length 0x0a0d: the header carries CR (0x0d) then LF (0x0a).
  const text = Buffer.concat([special, Buffer.alloc(0x0a0d - special.length - 1, "x"), Buffer.from("\n")]);
  assert.equal(text.length, 0x0a0d);
  const r = onPty(text, ["log"]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.request.length, 16);
  assert.ok(r.stdout.equals(text), `printed as it came: ${r.stdout.subarray(0, 80).toString("hex")}`);
  assert.equal(r.extra.length, 0, `nothing echoed back: ${r.extra.subarray(0, 32).toString("hex")}`);
});
