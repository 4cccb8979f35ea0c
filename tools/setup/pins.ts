// The pinned dependency list (pins.json), typed.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../lib/paths.ts";

export interface DebianPin { package: string; version: string; sha256: string; extract: string; as: string; what: string }
/**
 * A PyPI sdist whose C sources the build compiles: unpacked into <cache>/<unpackTo>,
 * the sources in its folder `sources`, which must hold every file of `expect`.
 * Fetched with pip download, or from `url` where pip cannot prepare the sdist.
 */
export interface PypiPin {
  name: string; version: string; sha256: string; url?: string;
  unpackTo: string; sources: string; expect: string[]; what: string; note?: string;
}
export interface Pins {
  apt: string[];
  pypi: PypiPin[];
  debianArm64: DebianPin[];
}

export const pins: Pins = JSON.parse(readFileSync(join(ROOT, "tools", "setup", "pins.json"), "utf8"));
