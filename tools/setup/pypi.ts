// C sources shipped inside PyPI sdists (pins.json "pypi"): fetched at the pinned
// version, checked against the pinned sha256, unpacked once into the cache.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CACHE } from "../lib/paths.ts";
import { run, step } from "../lib/proc.ts";
import { pins, type PypiPin } from "./pins.ts";
import { acceptDownload, verified } from "./download.ts";
import { fetchFromPipIndex } from "./pypi_index.ts";

function pin(name: string): PypiPin {
  const p = pins.pypi.find((e) => e.name === name);
  if (!p) throw new Error(`tools/setup/pins.json has no "pypi" entry named ${name}`);
  return p;
}

/** The sdist in the cache's downloads/, fetched when missing or not matching its hash. */
function fetchSdist(p: PypiPin): string {
  const downloads = join(CACHE, "downloads");
  mkdirSync(downloads, { recursive: true });
  const sdist = join(downloads, `${p.name}-${p.version}.tar.gz`);
  if (verified(sdist, p.sha256)) return sdist;
  step(`fetching ${p.name}==${p.version} sdist from PyPI (${p.what})`);
  const tmp = join(downloads, `pypi-tmp-${p.name}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  if (p.file) {
    // Only for sdists pip can no longer handle: the same file, from the same index pip uses.
    fetchFromPipIndex(p.name, p.file, p.sha256, join(tmp, p.file));
  } else {
    run("python3", ["-m", "pip", "download", "--no-binary", ":all:", "--no-deps",
      "-q", "-d", tmp, `${p.name}==${p.version}`]);
  }
  const got = readdirSync(tmp).find((f) => f.endsWith(".tar.gz"));
  if (!got) throw new Error(`fetching ${p.name}==${p.version} produced no sdist`);
  acceptDownload(join(tmp, got), sdist, p.sha256, `${p.name}-${p.version}.tar.gz`);
  rmSync(tmp, { recursive: true, force: true });
  return sdist;
}

/**
 * The folder of `name`'s C sources (<cache>/<unpackTo>/<sources>), fetched and
 * unpacked if needed. Quick when present: a stamp named after the sdist's hash
 * and the expected files say the unpacked tree is complete.
 */
export function ensurePypiSources(name: string): string {
  const p = pin(name);
  const dir = join(CACHE, p.unpackTo);
  const src = join(dir, p.sources);
  const stamp = join(dir, ".unpacked-" + p.sha256);
  const complete = () => p.expect.every((f) => existsSync(join(src, f)));
  if (existsSync(stamp) && complete()) return src;
  const sdist = fetchSdist(p);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  run("tar", ["-xzf", sdist, "-C", dir, "--strip-components=1"]);
  const missing = p.expect.filter((f) => !existsSync(join(src, f)));
  if (missing.length) throw new Error(`${sdist} holds no ${missing.map((f) => join(p.sources, f)).join(", ")}`);
  writeFileSync(stamp, "");
  return src;
}
