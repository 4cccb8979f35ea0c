// Guest software from Debian's arm64 archive (the kernel, busybox), fetched with
// apt-get download at the pinned version, hash-checked, unpacked into the cache.
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { CACHE } from "../lib/paths.ts";
import { run } from "../lib/proc.ts";
import { pins, type DebianPin } from "./pins.ts";
import { debName, fetchDeb, type DebSpec } from "./debian_deb.ts";

const spec = (p: DebianPin): DebSpec => ({ ...p, arch: "arm64" });

/** Unpacked guest files, e.g. { "linux/Image": "/…/.cache/guest/linux/Image" }. */
export function ensureDebianGuestFiles(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pins.debianArm64) {
    const dest = join(CACHE, "guest", p.as);
    const root = join(CACHE, "guest", "pkg", p.package);
    const stamp = join(root, ".unpacked-" + p.sha256);
    if (!existsSync(stamp) || !existsSync(dest)) {
      const deb = fetchDeb(spec(p));
      rmSync(root, { recursive: true, force: true });
      mkdirSync(root, { recursive: true });
      // The whole package is kept: the kernel's modules (virtio) are needed by guests.
      run("sh", ["-c", `dpkg-deb --fsys-tarfile "$0" | tar -x -C "$1"`, deb, root]);
      const file = join(root, p.extract);
      if (!existsSync(file)) throw new Error(`${debName(spec(p))} has no ${p.extract}`);
      mkdirSync(dirname(dest), { recursive: true });
      rmSync(dest, { force: true });
      run("ln", ["-s", file, dest]);
      writeFileSync(stamp, "");
    }
    out[p.as] = dest;
  }
  return out;
}
