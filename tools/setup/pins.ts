// The pinned dependency list (pins.json), typed.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../lib/paths.ts";

export interface DebianPin { package: string; version: string; sha256: string; extract: string; as: string; what: string }
export interface Pins {
  apt: string[];
  pypi: { name: string; version: string; sha256: string; what: string };
  debianArm64: DebianPin[];
}

export const pins: Pins = JSON.parse(readFileSync(join(ROOT, "tools", "setup", "pins.json"), "utf8"));
