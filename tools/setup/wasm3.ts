// wasm3's C sources, from the pywasm3 sdist on PyPI (which ships them under wasm3/).
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CACHE } from "../lib/paths.ts";
import { run, step } from "../lib/proc.ts";
import { pins } from "./pins.ts";
import { acceptDownload, verified } from "./download.ts";

/** The folder holding wasm3's m3_*.c, fetched and unpacked if needed. */
export function ensureWasm3(): string {
  const { name, version, sha256: hash } = pins.pypi;
  const dir = join(CACHE, `wasm3-${version}`);
  const src = join(dir, "wasm3");
  const stamp = join(dir, ".unpacked-" + hash);
  if (existsSync(stamp) && existsSync(join(src, "m3_env.c"))) return src;
  const downloads = join(CACHE, "downloads");
  mkdirSync(downloads, { recursive: true });
  const sdist = join(downloads, `${name}-${version}.tar.gz`);
  if (!verified(sdist, hash)) {
    step(`fetching ${name}==${version} sdist from PyPI (${pins.pypi.what})`);
    const tmp = join(downloads, "pip-tmp");
    rmSync(tmp, { recursive: true, force: true });
    run("python3", ["-m", "pip", "download", "--no-binary", ":all:", "--no-deps",
      "-q", "-d", tmp, `${name}==${version}`]);
    const got = readdirSync(tmp).find((f) => f.endsWith(".tar.gz"));
    if (!got) throw new Error(`pip download of ${name}==${version} produced no sdist`);
    acceptDownload(join(tmp, got), sdist, hash, `${name}-${version}.tar.gz`);
    rmSync(tmp, { recursive: true, force: true });
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  run("tar", ["-xzf", sdist, "-C", dir, "--strip-components=1"]);
  if (!existsSync(join(src, "m3_env.c"))) throw new Error(`${sdist} holds no wasm3/m3_env.c`);
  writeFileSync(stamp, "");
  return src;
}
