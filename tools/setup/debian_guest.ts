// Guest software from Debian's arm64 archive (the kernel, busybox), fetched with
// apt-get download at the pinned version, hash-checked, unpacked into the cache.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { CACHE } from "../lib/paths.ts";
import { run, step } from "../lib/proc.ts";
import { pins, type DebianPin } from "./pins.ts";
import { acceptDownload, verified } from "./download.ts";
import { aptUpdate } from "./apt.ts";

function debName(p: DebianPin): string {
  const v = p.version.replace(/^\d+:/, "");
  return `${p.package}_${v}_arm64.deb`;
}

function fetchDeb(p: DebianPin): string {
  const downloads = join(CACHE, "downloads");
  mkdirSync(downloads, { recursive: true });
  const deb = join(downloads, debName(p));
  if (verified(deb, p.sha256)) return deb;
  step(`fetching ${p.package}:arm64=${p.version} from Debian (${p.what})`);
  const tmp = join(downloads, "apt-tmp");
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const args = ["download", `${p.package}:arm64=${p.version}`];
  let r = run("apt-get", args, { cwd: tmp, allowFail: true });
  if (r.status !== 0) {
    aptUpdate();
    r = run("apt-get", args, { cwd: tmp, allowFail: true });
  }
  if (r.status !== 0) {
    throw new Error(`apt-get download ${p.package}:arm64=${p.version} failed: ${r.stderr.trim()}\n` +
      `(the pinned version may have left Debian's archive: update tools/setup/pins.json)`);
  }
  const got = readdirSync(tmp).find((f) => f.endsWith(".deb"));
  if (!got) throw new Error(`apt-get download ${p.package} produced no .deb`);
  acceptDownload(join(tmp, got), deb, p.sha256, debName(p));
  rmSync(tmp, { recursive: true, force: true });
  return deb;
}

/** Unpacked guest files, e.g. { "linux/Image": "/…/.cache/guest/linux/Image" }. */
export function ensureDebianGuestFiles(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pins.debianArm64) {
    const dest = join(CACHE, "guest", p.as);
    const root = join(CACHE, "guest", "pkg", p.package);
    const stamp = join(root, ".unpacked-" + p.sha256);
    if (!existsSync(stamp) || !existsSync(dest)) {
      const deb = fetchDeb(p);
      rmSync(root, { recursive: true, force: true });
      mkdirSync(root, { recursive: true });
      // The whole package is kept: the kernel's modules (virtio) are needed by guests.
      run("sh", ["-c", `dpkg-deb --fsys-tarfile "$0" | tar -x -C "$1"`, deb, root]);
      const file = join(root, p.extract);
      if (!existsSync(file)) throw new Error(`${debName(p)} has no ${p.extract}`);
      mkdirSync(dirname(dest), { recursive: true });
      rmSync(dest, { force: true });
      run("ln", ["-s", file, dest]);
      writeFileSync(stamp, "");
    }
    out[p.as] = dest;
  }
  return out;
}
