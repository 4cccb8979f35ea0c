// wasm2c, the translator of the core module's native part (docs/native-tier.md): Debian
// bookworm's wabt package at its pinned version (tools/setup/pins.json, debianHost),
// unpacked into the cache. Built for one architecture: on a machine of another, the
// build says so and names the pin instead of translating.
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CACHE } from "../lib/paths.ts";
import { run } from "../lib/proc.ts";
import { pins, type DebianHostPin } from "./pins.ts";
import { fetchDeb } from "./debian_deb.ts";

export interface Wasm2c {
  /** The wasm2c program. */
  bin: string;
  /** The folder holding its wasm-rt.h. */
  include: string;
  /** "wasm2c <Debian version>", as the native part's header names its translator. */
  translator: string;
}

export const WASM2C_PACKAGE = "wabt";

/** This machine's Debian architecture (amd64, arm64, ...). */
export function hostArch(): string {
  const r = run("dpkg", ["--print-architecture"], { allowFail: true });
  if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  return ({ x64: "amd64", arm64: "arm64" } as Record<string, string>)[process.arch] ?? process.arch;
}

/** The pin of wasm2c for `arch`, or an error naming the pins there are. */
export function wasm2cPin(arch: string, list: DebianHostPin[] = pins.debianHost): DebianHostPin {
  const all = list.filter((p) => p.package === WASM2C_PACKAGE);
  const pin = all.find((p) => p.arch === arch);
  if (!pin) {
    throw new Error(`wasm2c is pinned only as ${all.map((p) => `${p.package} ${p.version} for ${p.arch}`).join(", ") || "nothing"} ` +
      `(tools/setup/pins.json, debianHost), and this machine is ${arch}: add a pin of Debian's ${WASM2C_PACKAGE} ` +
      `for ${arch} (version and sha256 of its .deb) to build native parts here`);
  }
  return pin;
}

let cached: Wasm2c | undefined;

/** wasm2c and wasm-rt.h in the cache, fetched and unpacked when missing. */
export function ensureWasm2c(): Wasm2c {
  if (cached) return cached;
  const pin = wasm2cPin(hostArch());
  const root = join(CACHE, "host", pin.unpackTo);
  const stamp = join(root, ".unpacked-" + pin.sha256);
  const missing = () => pin.extract.filter((f) => !existsSync(join(root, f)));
  if (!existsSync(stamp) || missing().length) {
    const deb = fetchDeb(pin);
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root, { recursive: true });
    run("dpkg-deb", ["-x", deb, root]);
    if (missing().length) throw new Error(`${pin.package} ${pin.version} has no ${missing().join(", ")}`);
    writeFileSync(stamp, "");
  }
  cached = {
    bin: join(root, "usr", "bin", "wasm2c"),
    include: join(root, "usr", "include"),
    translator: `wasm2c ${pin.version}`,
  };
  return cached;
}
