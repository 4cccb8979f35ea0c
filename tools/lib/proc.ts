// Running external programs: quiet unless they fail, then their output is shown
// with the command that produced it.
import { spawnSync, type SpawnSyncOptions } from "node:child_process";
import { ROOT } from "./paths.ts";

export class CommandError extends Error {}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Show the command's output as it runs instead of only on failure. */
  verbose?: boolean;
  /** Return the failure instead of throwing. */
  allowFail?: boolean;
  input?: string;
}

export interface RunResult { status: number; stdout: string; stderr: string }

export function run(cmd: string, args: string[], opts: RunOptions = {}): RunResult {
  const o: SpawnSyncOptions = {
    cwd: opts.cwd ?? ROOT,
    env: opts.env ?? process.env,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    stdio: opts.verbose ? ["pipe", "inherit", "inherit"] : ["pipe", "pipe", "pipe"],
    input: opts.input,
  };
  const r = spawnSync(cmd, args, o);
  const res: RunResult = {
    status: r.status ?? (r.error ? 127 : 1),
    stdout: (r.stdout as string | null) ?? "",
    stderr: (r.stderr as string | null) ?? (r.error ? String(r.error.message) : ""),
  };
  if (res.status !== 0 && !opts.allowFail) {
    const shown = [cmd, ...args].join(" ");
    const out = (res.stdout + res.stderr).trim().split("\n").slice(-40).join("\n");
    throw new CommandError(`command failed (exit ${res.status}): ${shown}\n${out}`);
  }
  return res;
}

/** Is `cmd` on the PATH? */
export function have(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

export function step(msg: string): void {
  process.stderr.write(`[wasmvisor] ${msg}\n`);
}
