// The host's update command (tools/update) against a local HTTP server standing in for
// the management VM's httpd: what it sends (POST /cgi-bin/wvctl with the file's bytes),
// what it prints and the exit code it returns for each kind of answer, and its errors
// when the file, the port or the server is wrong. Last, `wasmvisor update` itself.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { ROOT } from "../lib/paths.ts";
import { postModule, queryMvm, WVCTL_PATH } from "./client.ts";
import { MAX_MODULE, readModule, target, updateCommand } from "./index.ts";
import { discoverMvm } from "./discover.ts";

const dir = mkdtempSync(join(tmpdir(), "wv-update-test-"));

interface Seen { method: string; url: string; headers: IncomingMessage["headers"]; body: Buffer }
type Reply = (res: ServerResponse, seen: Seen) => void;

let server: Server;
let port = 0;
let reply: Reply = (res) => res.end();
const seen: Seen[] = [];

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const s = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) };
      seen.push(s);
      reply(res, s);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
after(() => { server.closeAllConnections(); server.close(); rmSync(dir, { recursive: true, force: true }); });

/** As the MVM's CGI script answers. */
function wvctlReply(status: number, exit: number | null, text: string): Reply {
  return (res) => {
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...(exit === null ? {} : { "x-wvctl-exit": String(exit) }) });
    res.end(text);
  };
}

function moduleFile(name: string, bytes: Buffer): string {
  const f = join(dir, name);
  writeFileSync(f, bytes);
  return f;
}

const wvm = (n: number) => Buffer.concat([Buffer.from("WVMOD\x001\n", "latin1"), randomBytes(n)]);

function streams() {
  const out = new PassThrough(), err = new PassThrough();
  const o: Buffer[] = [], e: Buffer[] = [];
  out.on("data", (d: Buffer) => o.push(d));
  err.on("data", (d: Buffer) => e.push(d));
  return { out, err, text: () => ({ out: Buffer.concat(o).toString(), err: Buffer.concat(e).toString() }) };
}

describe("the HTTP client", () => {
  test("postModule: POST /cgi-bin/wvctl, the bytes exactly, octet-stream with their length", async () => {
    const body = wvm(randomInt(1000, 300_000));
    seen.length = 0;
    reply = wvctlReply(200, 0, "ok\n");
    const a = await postModule({ host: "127.0.0.1", port, timeoutMs: 5000 }, body);
    assert.deepEqual(a, { status: 200, exit: 0, text: "ok\n" });
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.method, "POST");
    assert.equal(seen[0]!.url, WVCTL_PATH);
    assert.equal(seen[0]!.headers["content-type"], "application/octet-stream");
    assert.equal(seen[0]!.headers["content-length"], String(body.length));
    assert.ok(seen[0]!.body.equals(body));
  });

  test("queryMvm: GET with the arguments joined by '+'; refuses words the CGI script would refuse", async () => {
    seen.length = 0;
    reply = wvctlReply(200, 0, "[]\n");
    const a = await queryMvm({ host: "127.0.0.1", port, timeoutMs: 5000 }, ["--json", "info", "gvm"]);
    assert.equal(a.status, 200);
    assert.equal(seen[0]!.method, "GET");
    assert.equal(seen[0]!.url, `${WVCTL_PATH}?--json+info+gvm`);
    await assert.rejects(queryMvm({ host: "127.0.0.1", port, timeoutMs: 5000 }, ["info", "a b"]), /words of A-Z/);
    await assert.rejects(queryMvm({ host: "127.0.0.1", port, timeoutMs: 5000 }, []), /words of A-Z/);
    assert.equal(seen.length, 1);
  });

  test("nothing listening: an error naming the address and how to find the port", async () => {
    const free = createServer();
    await new Promise<void>((r) => free.listen(0, "127.0.0.1", r));
    const p = (free.address() as AddressInfo).port;
    await new Promise<void>((r) => free.close(() => r()));
    await assert.rejects(postModule({ host: "127.0.0.1", port: p, timeoutMs: 5000 }, wvm(10)),
      new RegExp(`^Error: http://127\\.0\\.0\\.1:${p}/cgi-bin/wvctl: nothing listens there`));
  });

  test("no answer: gives up after the timeout", async () => {
    reply = () => { /* never answers */ };
    const t0 = Date.now();
    await assert.rejects(postModule({ host: "127.0.0.1", port, timeoutMs: 300 }, wvm(10)), /no answer within 0\.3 s/);
    assert.ok(Date.now() - t0 < 3000);
    server.closeAllConnections();
  });
});

describe("updateCommand", () => {
  test("200: the hypervisor's result on stdout, exit 0", async () => {
    const result = `from=0.1.0 to=0.2.0 vms=3 pause_max_ns=${randomInt(1, 1e6)}\n`;
    reply = wvctlReply(200, 0, result);
    const s = streams();
    const code = await updateCommand([moduleFile("a.wvm", wvm(5000))], { port: String(port) }, s.out, s.err);
    assert.equal(code, 0);
    assert.deepEqual(s.text(), { out: result, err: "" });
  });

  for (const [status, exit] of [[409, 1], [502, 3], [400, 2]] as const) {
    test(`HTTP ${status} with X-Wvctl-Exit ${exit}: the text on stderr, exit ${exit}`, async () => {
      const why = `wvctl: refused ${randomInt(0, 1e6)}`;
      reply = wvctlReply(status, exit, why);
      const s = streams();
      const code = await updateCommand([moduleFile("b.wvm", wvm(50))], { port: String(port) }, s.out, s.err);
      assert.equal(code, exit);
      assert.deepEqual(s.text(), { out: "", err: `${why}\n` });
    });
  }

  test("an answer that is not from wvctl (404, no X-Wvctl-Exit): exit 1, said so", async () => {
    reply = wvctlReply(404, null, "");
    const s = streams();
    const code = await updateCommand([moduleFile("c.wvm", wvm(50))], { port: String(port) }, s.out, s.err);
    assert.equal(code, 1);
    assert.match(s.text().err, /HTTP 404 .*not the MVM's wvctl/);
  });

  test("a bare .wasm is sent too (development images take it)", async () => {
    reply = wvctlReply(200, 0, "from=0.1.0 to=0.1.1\n");
    seen.length = 0;
    const wasm = Buffer.concat([Buffer.from("\0asm\x01\0\0\0", "latin1"), randomBytes(100)]);
    const s = streams();
    assert.equal(await updateCommand([moduleFile("d.wasm", wasm)], { port: String(port) }, s.out, s.err), 0);
    assert.ok(seen[0]!.body.equals(wasm));
  });

  test("files that cannot be modules are refused before anything is sent", () => {
    assert.throws(() => readModule(join(dir, "missing.wvm")), /cannot read .*missing\.wvm: ENOENT/);
    assert.throws(() => readModule(moduleFile("empty.wvm", Buffer.alloc(0))), /0 bytes; a module file has 1 to 4194304/);
    assert.throws(() => readModule(moduleFile("big.wvm", Buffer.concat([wvm(0), Buffer.alloc(MAX_MODULE)]))), /4194312 bytes/);
    assert.throws(() => readModule(moduleFile("text.wvm", Buffer.from("hello"))), /neither a signed module .* nor a Wasm module/);
  });

  test("--port must be a port; --host and --timeout are taken; without --port the running QEMU's forward", () => {
    const none = () => { throw new Error("not asked"); };
    assert.throws(() => target({ port: "70000" }, none), /--port needs a TCP port number/);
    assert.deepEqual(target({ port: "8080", host: "10.0.0.1", timeout: "5" }, none), { host: "10.0.0.1", port: 8080, timeoutMs: 5000 });
    assert.deepEqual(target({ port: "8080" }, none), { host: "127.0.0.1", port: 8080, timeoutMs: 60_000 });
    const p = randomInt(1024, 65536);
    assert.deepEqual(target({}, () => ({ host: "127.0.0.1", port: p, pid: 1 })), { host: "127.0.0.1", port: p, timeoutMs: 60_000 });
    assert.throws(() => target({}, () => discoverMvm([])), /no running QEMU forwards a port to the MVM's port 5000/);
  });
});

test("`wasmvisor update FILE --port N`: the command line, its output and exit code", async () => {
  const result = `from=0.1.0 to=0.2.0 vms=${randomInt(1, 9)}\n`;
  reply = wvctlReply(200, 0, result);
  seen.length = 0;
  const body = wvm(2048);
  const file = moduleFile("cli.wvm", body);
  const cli = (args: string[]) => new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    const p = spawn(process.execPath, ["--import", "tsx", join(ROOT, "tools", "cli.ts"), ...args], { cwd: ROOT });
    let out = "", err = "";
    p.stdout.on("data", (d) => { out += d; });
    p.stderr.on("data", (d) => { err += d; });
    p.on("close", (code) => resolve({ code, out, err }));
  });
  const ok = await cli(["update", file, "--port", String(port)]);
  assert.equal(ok.code, 0, ok.err);
  assert.equal(ok.out, result);
  assert.ok(seen[0]!.body.equals(body));
  reply = wvctlReply(409, 1, "wvctl: the state cannot be restored\n");
  const refused = await cli(["update", file, "--port", String(port)]);
  assert.equal(refused.code, 1);
  assert.equal(refused.err, "wvctl: the state cannot be restored\n");
  const badPort = await cli(["update", file, "--port", "70000"]);
  assert.equal(badPort.code, 1);
  assert.match(badPort.err, /^wasmvisor: --port needs a TCP port number 1\.\.65535, got "70000"/);
  const help = await cli(["update", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.out, /^usage: wasmvisor update FILE \[--port N\]/);
});
