// wvctl (mvm/wvctl), built for this machine from the same sources, against a fake
// hypervisor on its channel (WVCTL_FD=3, fake_hypervisor.ts): the request frames it
// sends, byte by byte; how it shows answers (table, fields, JSON, text); refusals,
// broken or missing answers and usage errors, each with its exit code.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes, randomInt } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileWvctl } from "../build/wvctl.ts";
import { answer, answering, CMD, frame, HDR_LEN, REQ_MAGIC, RSP_MAGIC, runWvctl, type Request } from "./fake_hypervisor.ts";

const dir = mkdtempSync(join(tmpdir(), "wv-wvctl-test-"));
let bin = "";
before(() => { bin = compileWvctl("gcc", join(dir, "wvctl")); });
after(() => rmSync(dir, { recursive: true, force: true }));

/** The frame wvctl must send for `command` and `payload`, with the request id it chose. */
function expectedRequest(req: Request, command: number, payload: Buffer): Buffer {
  return frame(REQ_MAGIC, command, 0, req.id, payload);
}

function checkRequest(reqs: Request[], command: number, payload: Buffer | string = Buffer.alloc(0)): void {
  assert.equal(reqs.length, 1, "one request frame");
  const p = typeof payload === "string" ? Buffer.from(payload) : payload;
  assert.equal(reqs[0]!.raw.subarray(0, 4).toString("latin1"), "WVRQ", "the request magic, little-endian");
  assert.ok(reqs[0]!.raw.equals(expectedRequest(reqs[0]!, command, p)),
    `request frame bytes: got ${reqs[0]!.raw.subarray(0, 64).toString("hex")}`);
}

/** A VM line as the hypervisor writes it, with counts drawn at random. */
function vmLine(name: string, type: string, state: string, vcpus: number, memory: number) {
  const exits = { data_abort: randomInt(1, 1e6), hvc: randomInt(0, 1e3), sysreg: randomInt(0, 1e4), wfx: randomInt(0, 1e5),
    irq: randomInt(0, 1e6), other: randomInt(0, 10) };
  const line = `name=${name} type=${type} state=${state} vcpus=${vcpus} memory=${memory} ` +
    Object.entries(exits).map(([k, v]) => `exits.${k}=${v}`).join(" ");
  return { line, exits, total: Object.values(exits).reduce((a, b) => a + b, 0) };
}

/** Start and end offsets of the words of a line. */
function words(line: string): { w: string; start: number; end: number }[] {
  return [...line.matchAll(/\S+/g)].map((m) => ({ w: m[0], start: m.index!, end: m.index! + m[0].length }));
}

describe("list", () => {
  const vms = [vmLine("mvm", "mvm", "running", 2, 256 << 20), vmLine("gvm", "gvm", "running", 1, 192 << 20),
    vmLine("rt", "rtvm", "stopped", 1, 16 << 20)];
  const text = vms.map((v) => v.line).join("\n") + "\n";

  test("sends command 1 with no payload and prints an aligned table, exits summed, memory in units", async () => {
    const r = await runWvctl(bin, ["list"], answering(0, text));
    assert.equal(r.code, 0, r.stderr);
    checkRequest(r.requests, CMD.list);
    const lines = r.stdout.trimEnd().split("\n");
    assert.deepEqual(lines[0]!.split(/\s+/), ["NAME", "TYPE", "STATE", "VCPUS", "MEMORY", "EXITS", "DATA_ABORT", "HVC", "SYSREG",
      "WFX", "IRQ", "OTHER"]);
    assert.equal(lines.length, 4);
    const units = ["256M", "192M", "16M"];
    vms.forEach((v, i) => {
      const e = v.exits;
      assert.deepEqual(lines[i + 1]!.split(/\s+/), [v.line.match(/name=(\S+)/)![1], v.line.match(/type=(\S+)/)![1],
        v.line.match(/state=(\S+)/)![1], v.line.match(/vcpus=(\S+)/)![1], units[i], String(v.total), String(e.data_abort),
        String(e.hvc), String(e.sysreg), String(e.wfx), String(e.irq), String(e.other)]);
    });
    // Text columns start together, number columns end together.
    const head = words(lines[0]!);
    for (const l of lines.slice(1)) {
      const w = words(l);
      head.forEach((h, c) => {
        if (c < 3) assert.equal(w[c]!.start, h.start, `column ${h.w} starts together:\n${r.stdout}`);
        else assert.equal(w[c]!.end, h.end, `column ${h.w} ends together:\n${r.stdout}`);
      });
    }
  });

  test("--json: an array of objects, digits as numbers, other values as strings", async () => {
    const r = await runWvctl(bin, ["--json", "list"], answering(0, text));
    assert.equal(r.code, 0, r.stderr);
    checkRequest(r.requests, CMD.list);
    const parsed = JSON.parse(r.stdout);
    const expected = vms.map((v) => Object.fromEntries(v.line.split(" ").map((kv) => {
      const [k, val] = kv.split("=") as [string, string];
      return [k, /^\d+$/.test(val) ? Number(val) : val];
    })));
    assert.deepEqual(parsed, expected);
  });

  test("--json after the command, one VM: still an array", async () => {
    const r = await runWvctl(bin, ["list", "--json"], answering(0, vms[0]!.line));
    assert.equal(r.code, 0, r.stderr);
    const parsed = JSON.parse(r.stdout);
    assert.ok(Array.isArray(parsed) && parsed.length === 1 && parsed[0].name === "mvm", r.stdout);
  });

  test("a request id of its own each time, echoed ids only", async () => {
    const a = await runWvctl(bin, ["list"], answering(0, text));
    const b = await runWvctl(bin, ["list"], answering(0, text));
    assert.equal(a.code, 0);
    assert.equal(b.code, 0);
    assert.notEqual(a.requests[0]!.id, b.requests[0]!.id);
  });
});

describe("info, version, stop/start/reset, log", () => {
  test("info VM: the name as payload; fields, memory in units and bytes; --json one object with JSON escapes", async () => {
    const v = vmLine("gvm", "gvm", "running", 1, 192 << 20);
    const line = `${v.line} vcpu_on=0x1 note=a"b\\c leading=007`;
    const r = await runWvctl(bin, ["info", "gvm"], answering(0, line + "\n"));
    assert.equal(r.code, 0, r.stderr);
    checkRequest(r.requests, CMD.info, "gvm");
    assert.match(r.stdout, /^name +gvm$/m);
    assert.match(r.stdout, /^memory +192M \(201326592 bytes\)$/m);
    assert.match(r.stdout, new RegExp(`^exits\\.irq +${v.exits.irq}$`, "m"));
    const j = await runWvctl(bin, ["--json", "info", "gvm"], answering(0, line + "\n"));
    assert.equal(j.code, 0, j.stderr);
    const o = JSON.parse(j.stdout);
    assert.equal(o.name, "gvm");
    assert.equal(o.memory, 192 << 20);
    assert.equal(o["exits.irq"], v.exits.irq);
    assert.equal(o.vcpu_on, "0x1");
    assert.equal(o.note, 'a"b\\c');
    assert.equal(o.leading, "007", "digits with a leading zero stay a string (not valid JSON as a number)");
  });

  test("version: command 6; --json object", async () => {
    const sha = randomBytes(32).toString("hex");
    const ns = randomInt(1, 2 ** 40);
    const text = `variant=2 version=0.2.0 abi=2 state=66052 sha512=${sha} loaded_at_ns=${ns} signed=1\n`;
    const r = await runWvctl(bin, ["version", "--json"], answering(0, text));
    assert.equal(r.code, 0, r.stderr);
    checkRequest(r.requests, CMD.version);
    assert.deepEqual(JSON.parse(r.stdout), { variant: 2, version: "0.2.0", abi: 2, state: 66052, sha512: sha, loaded_at_ns: ns, signed: 1 });
  });

  for (const [cmd, code] of [["stop", CMD.stop], ["start", CMD.start], ["reset", CMD.reset]] as const) {
    test(`${cmd} VM: command ${code}, the name as payload; an empty answer says done`, async () => {
      const name = `vm_${randomInt(0, 1000)}`;
      const r = await runWvctl(bin, [cmd, name], answering(0, ""));
      assert.equal(r.code, 0, r.stderr);
      checkRequest(r.requests, code, name);
      assert.equal(r.stdout, `${cmd} ${name}: done\n`);
    });
  }

  test("log: printed as it came; --json {\"log\": [lines]}", async () => {
    const lines = [`[wasmvisor] vm gvm created ${randomInt(0, 1e6)}`, "", "tab\there \"quoted\" \\ back"];
    const text = lines.join("\n") + "\n";
    const r = await runWvctl(bin, ["log"], answering(0, text));
    assert.equal(r.code, 0, r.stderr);
    checkRequest(r.requests, CMD.log);
    assert.equal(r.stdout, text);
    const j = await runWvctl(bin, ["log", "--json"], answering(0, text));
    assert.deepEqual(JSON.parse(j.stdout), { log: lines });
  });

  test("rollback: command 8; result fields then the VMs' table", async () => {
    const p = [randomInt(1, 1e6), randomInt(1, 1e6)];
    const text = `from=0.2.0 to=0.1.0 vms=2 pause_max_ns=${Math.max(...p)} total_ns=${p[0]! + p[1]!}\nvm=mvm pause_ns=${p[0]}\n` +
      `vm=gvm pause_ns=${p[1]}\n`;
    const r = await runWvctl(bin, ["rollback"], answering(0, text));
    assert.equal(r.code, 0, r.stderr);
    checkRequest(r.requests, CMD.rollback);
    assert.match(r.stdout, /^from +0\.2\.0$/m);
    assert.match(r.stdout, new RegExp(`^total_ns +${p[0]! + p[1]!}$`, "m"));
    assert.match(r.stdout, /^VM +PAUSE_NS$/m);
    assert.match(r.stdout, new RegExp(`^gvm +${p[1]}$`, "m"));
  });
});

describe("update FILE", () => {
  test("sends the file's bytes exactly as the payload of command 7; prints the result", async () => {
    const module = randomBytes(300 * 1024 + randomInt(0, 4096));
    const file = join(dir, "core.wvm");
    writeFileSync(file, module);
    const pause = randomInt(1000, 1e6);
    const text = `from=0.1.0 to=0.2.0 vms=1 pause_max_ns=${pause} total_ns=${pause * 3}\nvm=mvm pause_ns=${pause}\n`;
    const r = await runWvctl(bin, ["update", file], answering(0, text));
    assert.equal(r.code, 0, r.stderr);
    checkRequest(r.requests, CMD.update, module);
    assert.match(r.stdout, /^to +0\.2\.0$/m);
    const j = await runWvctl(bin, ["--json", "update", file], answering(0, text));
    assert.deepEqual(JSON.parse(j.stdout), [{ from: "0.1.0", to: "0.2.0", vms: 1, pause_max_ns: pause, total_ns: pause * 3 },
      { vm: "mvm", pause_ns: pause }]);
  });

  test("the hypervisor refuses (status 5): its sentence on stderr, exit 1, nothing on stdout", async () => {
    const file = join(dir, "bad.wvm");
    writeFileSync(file, randomBytes(100));
    const why = `signature check failed (key ${randomBytes(4).toString("hex")})`;
    const r = await runWvctl(bin, ["update", file], answering(5, why));
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `wvctl: ${why}\n`);
    assert.equal(r.stdout, "");
  });
});

describe("refusals", () => {
  test("status 3 with a sentence: \"wvctl: <text>\" on stderr, exit 1", async () => {
    const r = await runWvctl(bin, ["info", "nosuch"], answering(3, "no VM called nosuch\n"));
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "wvctl: no VM called nosuch\n");
    assert.equal(r.stdout, "");
  });

  test("a status without text: the status named, exit 1", async () => {
    const r = await runWvctl(bin, ["stop", "gvm"], answering(6, ""));
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "wvctl: stop: busy (an update is in progress) (status 6)\n");
  });
});

describe("broken channel: exit 3", () => {
  test("no answer: gives up after WVCTL_TIMEOUT_MS", async () => {
    const r = await runWvctl(bin, ["list"], () => { /* silence */ }, { WVCTL_TIMEOUT_MS: "300" });
    assert.equal(r.code, 3);
    checkRequest(r.requests, CMD.list);
    assert.equal(r.stderr, "wvctl: WVCTL_FD=3: no answer from the hypervisor (nothing more within 300 ms)\n");
    assert.ok(r.ms >= 300 && r.ms < 5000, `took ${r.ms} ms`);
  });

  test("a frame without the response magic", async () => {
    const r = await runWvctl(bin, ["list"], (req, ch) => ch.write(frame(REQ_MAGIC, req.command, 0, req.id, "name=x")));
    assert.equal(r.code, 3);
    assert.match(r.stderr, /^wvctl: WVCTL_FD=3: the answer does not start with the response magic 0x53525657 \("WVRS"\): it starts with 0x51525657\n$/);
  });

  test("garbage bytes", async () => {
    const r = await runWvctl(bin, ["version"], (_req, ch) => ch.write(Buffer.from("HTTP/1.0 200 OK\r\n\r\n")));
    assert.equal(r.code, 3);
    assert.match(r.stderr, /does not start with the response magic/);
  });

  test("a payload shorter than its header says, then the channel closes", async () => {
    const r = await runWvctl(bin, ["list"], (req, ch) => {
      const f = answer(req, 0, "name=mvm type=mvm state=running vcpus=2 memory=268435456");
      ch.end(f.subarray(0, HDR_LEN + 10));
    });
    assert.equal(r.code, 3);
    assert.equal(r.stderr, "wvctl: WVCTL_FD=3: the answer stopped after 10 of its 56 payload bytes (the channel was closed)\n");
    assert.equal(r.stdout, "");
  });

  test("a truncated header, then nothing until the timeout", async () => {
    const r = await runWvctl(bin, ["list"], (req, ch) => ch.write(answer(req, 0, "x").subarray(0, 7)), { WVCTL_TIMEOUT_MS: "200" });
    assert.equal(r.code, 3);
    assert.equal(r.stderr, "wvctl: WVCTL_FD=3: the answer stopped after 7 of its 16 header bytes (nothing more within 200 ms)\n");
  });

  test("a length over 4 MiB", async () => {
    const r = await runWvctl(bin, ["list"], (req, ch) => {
      const h = answer(req, 0, "");
      h.writeUInt32LE((4 << 20) + 1, 8);
      ch.write(h);
    });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /claims 4194305 payload bytes, more than the 4194304 a frame carries/);
  });

  test("the channel closes before any answer", async () => {
    const r = await runWvctl(bin, ["list"], (_req, ch) => ch.end());
    assert.equal(r.code, 3);
    assert.equal(r.stderr, "wvctl: WVCTL_FD=3: no answer from the hypervisor (the channel was closed)\n");
  });

  test("an answer to another request id is dropped; the one to this request is shown", async () => {
    const r = await runWvctl(bin, ["--json", "version"], (req, ch) => {
      ch.write(frame(RSP_MAGIC, req.command, 0, (req.id + 1) >>> 0, "module=1 stale=1"));
      ch.write(answer(req, 0, "module=2 fresh=1"));
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { module: 2, fresh: 1 });
  });

  test("only answers to other requests: a timeout that says so", async () => {
    const r = await runWvctl(bin, ["version"], (req, ch) => ch.write(frame(RSP_MAGIC, req.command, 0, (req.id ^ 1) >>> 0, "x=1")),
      { WVCTL_TIMEOUT_MS: "200" });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /no answer from the hypervisor \(only answers to earlier requests\) \(nothing more within 200 ms\)/);
  });

  test("WVCTL_FD that is not an open descriptor", async () => {
    const r = await runWvctl(bin, ["list"], () => {}, { WVCTL_FD: "57" });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /^wvctl: WVCTL_FD=57: Bad file descriptor\n$/);
  });
});

describe("usage: exit 2, nothing sent", () => {
  const cases: [string, string[], RegExp, Record<string, string>?][] = [
    ["no command", [], /^usage: wvctl \[--json\] COMMAND \[ARG\]/],
    ["an unknown command", ["lsit"], /^wvctl: unknown command "lsit" \(wvctl --help lists the commands\)\n$/],
    ["an unknown option", ["--jsno", "list"], /^wvctl: unknown option --jsno/],
    ["an argument too many", ["list", "all"], /^wvctl: list takes no argument/],
    ["a VM command without the VM", ["info"], /^wvctl: info needs one argument: the VM's name/],
    ["a VM name with characters names cannot have", ["stop", "Gvm;1"], /^wvctl: "Gvm;1" is not a VM name/],
    ["a VM name too long", ["start", "a23456789012345x"], /^wvctl: "a23456789012345x" is not a VM name/],
    ["update without FILE", ["update"], /^wvctl: update needs one argument: the module file/],
    ["update of a missing file", ["update", "/nonexistent/core.wvm"], /^wvctl: cannot read \/nonexistent\/core\.wvm: No such file or directory\n$/],
    ["update of a directory", ["update", "/"], /^wvctl: \/: not a regular file\n$/],
    ["three words", ["info", "a", "b"], /^wvctl: info needs one argument/],
    ["WVCTL_TIMEOUT_MS not a number", ["list"], /^wvctl: WVCTL_TIMEOUT_MS=soon is not a number of milliseconds/, { WVCTL_TIMEOUT_MS: "soon" }],
    ["WVCTL_TIMEOUT_MS zero", ["list"], /^wvctl: WVCTL_TIMEOUT_MS=0 is not a number of milliseconds/, { WVCTL_TIMEOUT_MS: "0" }],
  ];
  for (const [what, args, err, env] of cases) {
    test(what, async () => {
      const r = await runWvctl(bin, args, answering(0, "x=1"), env);
      assert.equal(r.code, 2, `exit code; stderr: ${r.stderr}`);
      assert.match(r.stderr, err);
      assert.equal(r.requests.length + r.leftover.length, 0, "nothing sent");
    });
  }

  test("update of an empty file and of one over 4 MiB", async () => {
    const empty = join(dir, "empty.wvm"), big = join(dir, "big.wvm");
    writeFileSync(empty, "");
    writeFileSync(big, Buffer.alloc((4 << 20) + 1));
    for (const [f, why] of [[empty, "empty, not a module file"], [big, "larger than the 4 MiB a request carries"]]) {
      const r = await runWvctl(bin, ["update", f!], answering(0, "x=1"));
      assert.equal(r.code, 2);
      assert.equal(r.stderr, `wvctl: ${f}: ${why}\n`);
      assert.equal(r.requests.length, 0);
    }
  });

  test("--help: every command on stdout, exit 0", async () => {
    const r = await runWvctl(bin, ["--help"], answering(0, ""));
    assert.equal(r.code, 0);
    for (const c of ["list", "info VM", "stop VM", "start VM", "reset VM", "version", "update FILE", "rollback", "log", "--json"]) {
      assert.match(r.stdout, new RegExp(`^  ${c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} `, "m"), c);
    }
    assert.equal(r.requests.length, 0);
  });
});
