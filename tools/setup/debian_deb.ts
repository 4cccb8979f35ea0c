// One package from Debian's archive at a pinned version: apt-get download by name,
// version and architecture through the machine's configured apt sources, checked
// against its pinned sha256, kept in the cache's downloads/.
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { CACHE } from "../lib/paths.ts";
import { run, step } from "../lib/proc.ts";
import { acceptDownload, verified } from "./download.ts";
import { aptUpdate } from "./apt.ts";

export interface DebSpec { package: string; version: string; sha256: string; arch: string; what: string }

export function debName(p: DebSpec): string {
  return `${p.package}_${p.version.replace(/^\d+:/, "")}_${p.arch}.deb`;
}

/** The verified .deb of `p` in the cache, fetched when missing. */
export function fetchDeb(p: DebSpec): string {
  const downloads = join(CACHE, "downloads");
  mkdirSync(downloads, { recursive: true });
  const deb = join(downloads, debName(p));
  if (verified(deb, p.sha256)) return deb;
  step(`fetching ${p.package}:${p.arch}=${p.version} from Debian (${p.what})`);
  const tmp = join(downloads, `apt-tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    const args = ["download", `${p.package}:${p.arch}=${p.version}`];
    let r = run("apt-get", args, { cwd: tmp, allowFail: true });
    if (r.status !== 0) {
      aptUpdate();
      r = run("apt-get", args, { cwd: tmp, allowFail: true });
    }
    if (r.status !== 0) {
      throw new Error(`apt-get download ${p.package}:${p.arch}=${p.version} failed: ${r.stderr.trim()}\n` +
        `(the pinned version may have left Debian's archive: update tools/setup/pins.json)`);
    }
    const got = readdirSync(tmp).find((f) => f.endsWith(".deb"));
    if (!got) throw new Error(`apt-get download ${p.package} produced no .deb`);
    acceptDownload(join(tmp, got), deb, p.sha256, debName(p));
    return deb;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
