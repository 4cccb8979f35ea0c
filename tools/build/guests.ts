// The project's bare-metal test guests (tests/guests), cross-compiled.
import { join } from "node:path";
import { BUILD, ROOT } from "../lib/paths.ts";
import { step } from "../lib/proc.ts";
import { cmakeBuild } from "./cmake.ts";

export const GUEST_DIR = join(BUILD, "guests");

export function buildGuests(): string {
  step("test guests -> build/guests");
  cmakeBuild(join(ROOT, "tests", "guests"), GUEST_DIR, {}, true);
  return GUEST_DIR;
}
