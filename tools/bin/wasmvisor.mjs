#!/usr/bin/env node
// `npx wasmvisor …` and the npm scripts land here. Plain JavaScript on purpose: on a
// fresh machine the TypeScript runner is not installed yet, so this installs the
// registry packages (npm ci) when they are missing, then runs tools/cli.ts.
import { spawn, spawnSync } from "node:child_process";
import { constants } from "node:os";
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const stamp = join(root, "node_modules", ".package-lock.json");
const fresh = existsSync(join(root, "node_modules", "tsx")) && existsSync(stamp)
  && statSync(stamp).mtimeMs >= statSync(join(root, "package-lock.json")).mtimeMs;
if (!fresh) {
  process.stderr.write("[wasmvisor] npm ci\n");
  const r = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
// A signal for this process goes to the command too (it stops the QEMU it runs), and
// this process ends the way the command did.
const child = spawn(process.execPath, ["--import", "tsx", join(root, "tools", "cli.ts"), ...process.argv.slice(2)],
  { cwd: process.cwd(), stdio: "inherit" });
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => child.kill(sig));
child.on("error", (e) => { process.stderr.write(`wasmvisor: ${e.message}\n`); process.exit(1); });
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1)));
