// The CGI script the management VM's busybox httpd runs (mvm/wvctl/wvctl.cgi), here
// under this machine's sh with the CGI environment set as httpd sets it (RFC 3875):
// the HTTP status and the X-Wvctl-Exit header from wvctl's exit code, GET queries as
// wvctl's arguments, POST bodies saved whole and handed to `wvctl update`, bad
// requests refused before wvctl runs. Last, the script with the real wvctl (built
// for this machine) and the fake hypervisor behind it.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import { compileWvctl, WVCTL_CGI } from "../build/wvctl.ts";
import { answer, CMD, HDR_LEN } from "./fake_hypervisor.ts";

const dir = mkdtempSync(join(tmpdir(), "wv-wvctl-cgi-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in wvctl: records its arguments (and an update's file), prints a line, exits with $FAKE_EXIT. */
const FAKE_WVCTL = join(dir, "fake-wvctl");
const ARGS_LOG = join(dir, "args"), COPY = join(dir, "copy");
writeFileSync(FAKE_WVCTL, `#!/bin/sh
printf '%s\\n' "$*" > "${ARGS_LOG}"
if [ "$1" = update ]; then cat "$2" > "${COPY}"; fi
echo "ran $*"
[ "\${FAKE_EXIT:-0}" = 0 ] || echo "wvctl: refused for the test" >&2
exit \${FAKE_EXIT:-0}
`);
chmodSync(FAKE_WVCTL, 0o755);

interface CgiReply { status: number; headers: Record<string, string>; body: string; raw: string }

function parseReply(raw: string): CgiReply {
  const cut = raw.indexOf("\r\n\r\n");
  assert.ok(cut > 0, `a CGI header block: ${JSON.stringify(raw)}`);
  const lines = raw.slice(0, cut).split("\r\n");
  assert.match(lines[0]!, /^Status: \d{3} /, "Status first: busybox httpd makes it the status line");
  const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 2)]));
  return { status: Number(lines[0]!.slice(8, 11)), headers, body: raw.slice(cut + 4), raw };
}

function cgi(env: Record<string, string>, body: Buffer = Buffer.alloc(0)): CgiReply {
  rmSync(ARGS_LOG, { force: true });
  rmSync(COPY, { force: true });
  const r = spawnSync("sh", [WVCTL_CGI], { input: body, env: { PATH: process.env.PATH, WVCTL: FAKE_WVCTL, ...env } });
  assert.equal(r.status, 0, r.stderr.toString());
  return parseReply(r.stdout.toString("utf8"));
}

const ran = () => existsSync(ARGS_LOG) ? readFileSync(ARGS_LOG, "utf8").trimEnd() : null;

describe("GET /cgi-bin/wvctl?ARGS", () => {
  test("the query's words, split at '+', are wvctl's arguments; its output is the body", () => {
    const name = `vm${randomInt(0, 1000)}`;
    const r = cgi({ REQUEST_METHOD: "GET", QUERY_STRING: `info+${name}` });
    assert.equal(r.status, 200);
    assert.equal(ran(), `info ${name}`);
    assert.equal(r.body, `ran info ${name}\n`);
    assert.equal(r.headers["x-wvctl-exit"], "0");
    assert.equal(r.headers["content-type"], "text/plain; charset=utf-8");
  });

  test("--json: application/json", () => {
    const r = cgi({ REQUEST_METHOD: "GET", QUERY_STRING: "--json+list" });
    assert.equal(r.status, 200);
    assert.equal(ran(), "--json list");
    assert.equal(r.headers["content-type"], "application/json");
  });

  for (const [exit, status] of [[1, 409], [2, 400], [3, 502], [7, 500]] as const) {
    test(`wvctl exits ${exit}: HTTP ${status}, X-Wvctl-Exit ${exit}, its message in the body`, () => {
      const r = cgi({ REQUEST_METHOD: "GET", QUERY_STRING: "list", FAKE_EXIT: String(exit) });
      assert.equal(r.status, status);
      assert.equal(r.headers["x-wvctl-exit"], String(exit));
      assert.match(r.body, /wvctl: refused for the test/);
    });
  }

  for (const q of ["", "list;reboot", "info+$(id)", "log%20x", "info+a/b", "update+/tmp/x", "--json+update+x"]) {
    test(`refused without running wvctl: ?${q}`, () => {
      const r = cgi({ REQUEST_METHOD: "GET", QUERY_STRING: q });
      assert.equal(r.status, 400);
      assert.equal(r.headers["x-wvctl-exit"], "2");
      assert.equal(ran(), null, "wvctl did not run");
    });
  }
});

describe("POST /cgi-bin/wvctl: update", () => {
  test("the body, whole, is the file `wvctl update` gets; the file is gone afterwards", () => {
    const module = randomBytes(randomInt(50_000, 200_000));
    const r = cgi({ REQUEST_METHOD: "POST", CONTENT_LENGTH: String(module.length) }, module);
    assert.equal(r.status, 200, r.raw);
    const args = ran()!.split(" ");
    assert.equal(args[0], "update");
    assert.match(args[1]!, /^\/tmp\/wvctl-update\.\d+$/);
    assert.ok(readFileSync(COPY).equals(module), "the file wvctl got is the body");
    assert.ok(!existsSync(args[1]!), "the saved file is removed");
  });

  test("the hypervisor refuses: 409 with wvctl's message", () => {
    const r = cgi({ REQUEST_METHOD: "POST", CONTENT_LENGTH: "4", FAKE_EXIT: "1" }, Buffer.from("\0asm"));
    assert.equal(r.status, 409);
    assert.equal(r.headers["x-wvctl-exit"], "1");
  });

  const bad: [string, Record<string, string>, Buffer, number, RegExp][] = [
    ["a body shorter than its Content-Length", { CONTENT_LENGTH: "100" }, Buffer.alloc(40, 1), 400, /ended after 40 of its 100 bytes/],
    ["no Content-Length", {}, Buffer.alloc(10), 411, /Content-Length/],
    ["a Content-Length that is not a number", { CONTENT_LENGTH: "12; rm" }, Buffer.alloc(10), 411, /Content-Length/],
    ["an empty body", { CONTENT_LENGTH: "0" }, Buffer.alloc(0), 400, /empty/],
    ["more than 4 MiB", { CONTENT_LENGTH: String((4 << 20) + 1) }, Buffer.alloc(0), 413, /at most 4194304 bytes/],
    ["a Content-Length of 30 digits", { CONTENT_LENGTH: "9".repeat(30) }, Buffer.alloc(0), 413, /at most/],
  ];
  for (const [what, env, body, status, msg] of bad) {
    test(`${what}: ${status}, wvctl not run`, () => {
      const r = cgi({ REQUEST_METHOD: "POST", ...env }, body);
      assert.equal(r.status, status, r.raw);
      assert.match(r.body, msg);
      assert.equal(ran(), null);
    });
  }

  test("other methods: 405", () => {
    const r = cgi({ REQUEST_METHOD: "PUT", CONTENT_LENGTH: "3" }, Buffer.from("abc"));
    assert.equal(r.status, 405);
    assert.equal(ran(), null);
  });
});

describe("with the real wvctl and the fake hypervisor", () => {
  let bin = "";
  before(() => { bin = compileWvctl("gcc", join(dir, "wvctl")); });

  /** The script with wvctl on fd 3 (WVCTL_FD=3, inherited through sh); `status`/`text` the hypervisor's answer. */
  function chained(env: Record<string, string>, body: Buffer, status: number, text: string):
    Promise<{ reply: CgiReply; payloads: Buffer[]; commands: number[] }> {
    return new Promise((resolve, reject) => {
      const child = spawn("sh", [WVCTL_CGI], { stdio: ["pipe", "pipe", "pipe", "pipe"],
        env: { PATH: process.env.PATH, WVCTL: bin, WVCTL_FD: "3", ...env } });
      const ch = child.stdio[3] as Duplex;
      const out: Buffer[] = [], payloads: Buffer[] = [], commands: number[] = [];
      let buf = Buffer.alloc(0);
      ch.on("error", () => {});
      ch.on("data", (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length >= HDR_LEN && buf.length >= HDR_LEN + buf.readUInt32LE(8)) {
          const req = { raw: buf, magic: buf.readUInt32LE(0), command: buf.readUInt16LE(4), flags: 0, len: buf.readUInt32LE(8),
            id: buf.readUInt32LE(12), payload: buf.subarray(HDR_LEN) };
          payloads.push(req.payload);
          commands.push(req.command);
          ch.write(answer(req, status, text));
        }
      });
      child.stdout!.on("data", (d: Buffer) => out.push(d));
      child.on("error", reject);
      child.on("close", () => { ch.destroy(); resolve({ reply: parseReply(Buffer.concat(out).toString()), payloads, commands }); });
      child.stdin!.end(body);
    });
  }

  test("POST: the body reaches the hypervisor as the update's payload; its result is the reply", async () => {
    const module = randomBytes(randomInt(10_000, 100_000));
    const ns = randomInt(1, 1e6);
    const r = await chained({ REQUEST_METHOD: "POST", CONTENT_LENGTH: String(module.length) }, module, 0,
      `from=0.1.0 to=0.2.0 vms=1 pause_max_ns=${ns} total_ns=${ns}\nvm=mvm pause_ns=${ns}\n`);
    assert.equal(r.reply.status, 200, r.reply.raw);
    assert.deepEqual(r.commands, [CMD.update]);
    assert.ok(r.payloads[0]!.equals(module));
    assert.match(r.reply.body, new RegExp(`^pause_max_ns +${ns}$`, "m"));
  });

  test("POST refused by the hypervisor: 409, \"wvctl: <its text>\"", async () => {
    const r = await chained({ REQUEST_METHOD: "POST", CONTENT_LENGTH: "8" }, Buffer.from("WVMOD\x001\n", "latin1"), 5,
      "not signed by this image's key");
    assert.equal(r.reply.status, 409);
    assert.equal(r.reply.body, "wvctl: not signed by this image's key\n");
  });

  test("GET ?--json+list: the hypervisor's list as JSON", async () => {
    const n = randomInt(0, 1e6);
    const r = await chained({ REQUEST_METHOD: "GET", QUERY_STRING: "--json+list" }, Buffer.alloc(0), 0, `name=mvm exits.irq=${n}\n`);
    assert.equal(r.reply.status, 200);
    assert.deepEqual(r.commands, [CMD.list]);
    assert.deepEqual(JSON.parse(r.reply.body), [{ name: "mvm", "exits.irq": n }]);
  });
});
