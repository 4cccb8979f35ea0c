// The host's side of wvctl over HTTP: requests to the CGI script the management VM's
// busybox httpd runs (mvm/wvctl/wvctl.cgi), reached through the port the runner
// forwards to the MVM's TCP port 5000 (`wasmvisor run --port N`).
import { request } from "node:http";

/** The path of the CGI script in the MVM's httpd. */
export const WVCTL_PATH = "/cgi-bin/wvctl";

export interface MvmTarget { host: string; port: number; timeoutMs: number }

/** What came back: the HTTP status, wvctl's exit code (header X-Wvctl-Exit; null without one) and the text. */
export interface MvmAnswer { status: number; exit: number | null; text: string }

/** One HTTP exchange; rejects with a sentence naming the address when nothing (or no whole answer) comes back. */
function exchange(t: MvmTarget, method: "GET" | "POST", path: string, body?: Uint8Array): Promise<MvmAnswer> {
  const where = `http://${t.host}:${t.port}${path.split("?")[0]}`;
  return new Promise((resolve, reject) => {
    const req = request({
      host: t.host, port: t.port, method, path,
      headers: body ? { "content-type": "application/octet-stream", "content-length": body.length } : {},
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", (e) => reject(new Error(`${where}: the answer broke off: ${e.message}`)));
      res.on("end", () => {
        const exitHeader = res.headers["x-wvctl-exit"];
        const exit = typeof exitHeader === "string" && /^\d+$/.test(exitHeader) ? Number(exitHeader) : null;
        resolve({ status: res.statusCode ?? 0, exit, text: Buffer.concat(chunks).toString("utf8") });
      });
    });
    req.setTimeout(t.timeoutMs, () => req.destroy(new Error(`no answer within ${t.timeoutMs / 1000} s`)));
    req.on("error", (e: NodeJS.ErrnoException) => {
      const why = e.code === "ECONNREFUSED"
        ? "nothing listens there (is the demo running? `wasmvisor run` prints the port it forwards to the MVM)"
        : e.code === "ECONNRESET" ? "the connection was reset (the MVM's httpd is not up yet?)" : e.message;
      reject(new Error(`${where}: ${why}`));
    });
    req.end(body);
  });
}

/** POST a module file: the MVM runs `wvctl update` with it. */
export function postModule(t: MvmTarget, module: Uint8Array): Promise<MvmAnswer> {
  return exchange(t, "POST", WVCTL_PATH, module);
}

/** GET ?<args joined by '+'>: the MVM runs `wvctl ARGS...` (any command but update). */
export function queryMvm(t: MvmTarget, args: readonly string[]): Promise<MvmAnswer> {
  const bad = args.find((a) => !/^[A-Za-z0-9_.-]+$/.test(a));
  if (args.length === 0 || bad !== undefined) {
    return Promise.reject(new Error(`wvctl arguments are words of A-Z a-z 0-9 _ . - (got ${JSON.stringify(bad ?? "")})`));
  }
  return exchange(t, "GET", `${WVCTL_PATH}?${args.join("+")}`);
}
