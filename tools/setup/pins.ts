// The pinned dependency list (pins.json), typed.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../lib/paths.ts";

export interface DebianPin { package: string; version: string; sha256: string; extract: string; as: string; what: string }
/**
 * A PyPI sdist whose C sources the build compiles: unpacked into <cache>/<unpackTo>,
 * the sources in its folder `sources`, which must hold every file of `expect`.
 * Fetched with pip download, or, where pip cannot prepare the sdist, as the `file` of
 * that name listed on the package's page of pip's index (pypi_index.ts).
 */
export interface PypiPin {
  name: string; version: string; sha256: string; file?: string;
  unpackTo: string; sources: string; expect: string[]; what: string; note?: string;
}
/**
 * A Debian package for the build machine itself (wasm2c): fetched for `arch`, which must
 * be the machine's own (dpkg --print-architecture), unpacked into <cache>/<unpackTo>,
 * which must then hold every path of `extract`.
 */
export interface DebianHostPin {
  package: string; version: string; arch: string; sha256: string; extract: string[]; unpackTo: string; what: string;
}
export interface Pins {
  apt: string[];
  pypi: PypiPin[];
  debianArm64: DebianPin[];
  debianHost: DebianHostPin[];
}

export const pins: Pins = JSON.parse(readFileSync(join(ROOT, "tools", "setup", "pins.json"), "utf8"));
