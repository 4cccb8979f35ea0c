// Host packages from Debian's archive. Checked with dpkg-query first, so a machine
// that has them all spends no time here; otherwise one apt-get update and install.
import { run, step } from "../lib/proc.ts";
import { pins } from "./pins.ts";

function installed(pkg: string): boolean {
  const r = run("dpkg-query", ["-W", "-f=${Status}", pkg], { allowFail: true });
  return r.status === 0 && r.stdout.includes("install ok installed");
}

function hasArm64Arch(): boolean {
  const r = run("dpkg", ["--print-foreign-architectures"], { allowFail: true });
  return r.stdout.split("\n").includes("arm64");
}

let updated = false;
export function aptUpdate(): void {
  if (updated) return;
  step("apt-get update");
  run("apt-get", ["update", "-q"]);
  updated = true;
}

/** Install the host packages that are missing; enable arm64 for guest downloads. */
export function ensureAptPackages(): void {
  const missing = pins.apt.filter((p) => !installed(p));
  const needPip = run("python3", ["-m", "pip", "--version"], { allowFail: true }).status !== 0;
  if (needPip) missing.push("python3-pip");
  if (!hasArm64Arch()) {
    step("dpkg --add-architecture arm64 (guest kernel and busybox come from Debian's arm64 archive)");
    run("dpkg", ["--add-architecture", "arm64"]);
    updated = false;
    aptUpdate();
  }
  if (missing.length === 0) return;
  if (process.getuid && process.getuid() !== 0) {
    throw new Error(`missing Debian packages: ${missing.join(" ")} (run as root, or install them with apt-get)`);
  }
  aptUpdate();
  step(`apt-get install ${missing.join(" ")}`);
  run("apt-get", ["install", "-y", "-q", "--no-install-recommends", ...missing], {
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
}
