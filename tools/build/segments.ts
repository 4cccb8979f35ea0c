// The ELF segments a VM with a kernel section loads (tools/config/kernel.ts): each
// PT_LOAD segment becomes <dir>/<vm>.seg<n>.bin, its file bytes followed by zeros up to
// its size in memory, as QEMU's ELF loader fills it (the payload carries whole files).
import { closeSync, mkdirSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import type { VmSet } from "../config/index.ts";
import { writeIfChanged } from "./payload.ts";

/** Write the segment files of every ELF kernel of `set` into `dir` and point their images at them. */
export function writeElfSegments(set: VmSet, dir: string): void {
  for (const vm of set.vms) {
    for (const [n, im] of (vm.kernel?.parts ?? []).entries()) {
      const seg = im.segment;
      if (!seg) continue;
      const bytes = Buffer.alloc(im.size);
      const fd = openSync(seg.source, "r");
      try {
        const got = readSync(fd, bytes, 0, Number(seg.filesz), Number(seg.offset));
        if (got !== Number(seg.filesz)) {
          throw new Error(`${set.file}: vms[${vm.index}].kernel.file: ${seg.source} ended after ${got} of the ${seg.filesz} bytes of ${im.file}`);
        }
      } finally {
        closeSync(fd);
      }
      mkdirSync(dir, { recursive: true });
      const path = join(dir, `${vm.name}.seg${n}.bin`);
      writeIfChanged(path, bytes);
      im.path = path;
    }
  }
}
