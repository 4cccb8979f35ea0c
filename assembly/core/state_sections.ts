// The sections of saved state (docs/abi.md section 2, "Saved state"): one record per
// static block of state a part of the core keeps, each with its own ID and layout
// version. core/state.ts writes and reads them; this file only lists them.
//
// A record (section(...) in register() below) gives:
//   id        the section's ID, 1..SECTION_ID_MAX, never reused
//   version   the layout version of the live block (what wv_save writes)
//   block     the live block, and its size in that version
//   stage     a scratch block of the same size: a restore converts and checks every
//             section there before any live state changes
//   olderSize bytes of the section in another layout version this module reads (or
//             writes, wv_save_as); 0 for one it does not know, or newer than its own
//   convert   (src, from, dst, to): a section of layout `from` into layout `to`, called
//             only when they differ; false when it cannot
//   check     (p, core): is a block in the current layout at p safe to copy in? `core`
//             is the core section's block it is restored with (to check against the VM)
//   absent    a blob without this section: build the live block from a reset, once the
//             sections before it are in; null when the section must be present
//   rebuild   recompute what is derived, once every section is in
// Adding a section is one section(...) line below. The core comes first: every other
// section is checked against it and built after it.
//
// A state version (wv_state_version, and the `version` of wv_save_as, wv_restore and
// wv_state_restorable) names the layout version of every section: byte n is the version of
// section ID n + 1, 0 where the blob has no such section. Versions 1 and 2 are the core
// alone, as saved before sections existed.

import { STATE, STATE_SIZE, STATE_LAYOUT_VERSION, VM_STATE, VM_VCPU_COUNT } from "./layout";
import { coreSizeOf, coreConvert, coreCheck } from "./state_core";
import { VM_EMPTY } from "./vm";
import { VGIC, VGIC_SIZE, VGIC_LAYOUT_VERSION, VG_VCPUS } from "../arch/vgic_layout";
import { vgicStateCheck, vgicStateRebuild } from "../arch/vgic_state";
import { vgicInit, VGIC_MODEL_V2, VGIC_MODEL_V3 } from "../arch/vgic";
import { mmioFirstOfKind, DEVICE_GICV2_DIST } from "../devices/mmio";
import { VIRTIO_STATE, VIRTIO_STATE_SIZE, VIRTIO_LAYOUT_VERSION } from "../devices/virtio_layout";
import { virtioStateCheckWith, virtioStateReset } from "../devices/virtio_state";

export const SECTION_CORE: u32 = 1;     // core/layout.ts
export const SECTION_VGIC: u32 = 2;     // arch/vgic_layout.ts
export const SECTION_VIRTIO: u32 = 3;   // devices/virtio_layout.ts
/** Section IDs are 1..SECTION_ID_MAX: a state version has one byte per ID. */
export const SECTION_ID_MAX: u32 = 4;

export type SizeFn = (version: u32) => usize;
export type ConvertFn = (src: usize, from: u32, dst: usize, to: u32) => bool;
export type CheckFn = (p: usize, core: usize) => bool;
export type ActionFn = () => void;

function register(): void {
  section(SECTION_CORE, STATE_LAYOUT_VERSION, STATE, STATE_SIZE, memory.data(<i32>STATE_SIZE, 16),
    coreSizeOf, coreConvert, coreCheck, null, nothingDerived);
  section(SECTION_VGIC, VGIC_LAYOUT_VERSION, VGIC, VGIC_SIZE, memory.data(<i32>VGIC_SIZE, 16),
    noOlderVersion, noConversion, vgicSectionCheck, vgicFromReset, vgicStateRebuild);
  section(SECTION_VIRTIO, VIRTIO_LAYOUT_VERSION, VIRTIO_STATE, VIRTIO_STATE_SIZE, memory.data(<i32>VIRTIO_STATE_SIZE, 16),
    noOlderVersion, noConversion, virtioStateCheckWith, virtioStateReset, nothingDerived);
}

// ---- what the records share ----

/** For a section with one layout so far. */
export function noOlderVersion(version: u32): usize { return 0; }
export function noConversion(src: usize, from: u32, dst: usize, to: u32): bool { return false; }
export function nothingDerived(): void {}

// ---- the vGIC's section: checked against the VM, built from a reset when absent ----

/** The vGIC block at `p` is consistent in itself and has the VM's vCPUs (once there is a VM). */
function vgicSectionCheck(p: usize, core: usize): bool {
  if (!vgicStateCheck(p)) return false;
  return load<u32>(core + VM_STATE) == VM_EMPTY || load<u32>(p + VG_VCPUS) == load<u32>(core + VM_VCPU_COUNT);
}

/**
 * A blob saved before the vGIC was a section: the vGIC the live core block's VM had at
 * boot (wv_init): a GICv2 if it has a GICv2 distributor, else a GICv3; all zero without a VM.
 */
function vgicFromReset(): void {
  memory.fill(VGIC, 0, VGIC_SIZE);
  if (load<u32>(STATE + VM_STATE) == VM_EMPTY) return;
  const model = mmioFirstOfKind(DEVICE_GICV2_DIST) >= 0 ? VGIC_MODEL_V2 : VGIC_MODEL_V3;
  vgicInit(load<u32>(STATE + VM_VCPU_COUNT), model);
}

// ---- the registry ----

const MAX_SECTIONS: i32 = <i32>SECTION_ID_MAX;
const IDS: StaticArray<u32> = [0, 0, 0, 0];
const VERSIONS: StaticArray<u32> = [0, 0, 0, 0];
const BLOCKS: StaticArray<usize> = [0, 0, 0, 0];
const SIZES: StaticArray<usize> = [0, 0, 0, 0];
const STAGES: StaticArray<usize> = [0, 0, 0, 0];
const OLDER: StaticArray<SizeFn> = [noOlderVersion, noOlderVersion, noOlderVersion, noOlderVersion];
const CONVERT: StaticArray<ConvertFn> = [noConversion, noConversion, noConversion, noConversion];
const CHECK: StaticArray<CheckFn> = [coreCheck, coreCheck, coreCheck, coreCheck];
const ABSENT: StaticArray<ActionFn | null> = [null, null, null, null];
const REBUILD: StaticArray<ActionFn> = [nothingDerived, nothingDerived, nothingDerived, nothingDerived];
let count: i32 = 0;
let overflow = false;

function section(id: u32, version: u32, block: usize, size: usize, stage: usize, olderSize: SizeFn,
                 convert: ConvertFn, check: CheckFn, absent: ActionFn | null, rebuild: ActionFn): void {
  const i = count;
  if (i >= MAX_SECTIONS) { overflow = true; return; }
  unchecked(IDS[i] = id);
  unchecked(VERSIONS[i] = version);
  unchecked(BLOCKS[i] = block);
  unchecked(SIZES[i] = size);
  unchecked(STAGES[i] = stage);
  unchecked(OLDER[i] = olderSize);
  unchecked(CONVERT[i] = convert);
  unchecked(CHECK[i] = check);
  unchecked(ABSENT[i] = absent);
  unchecked(REBUILD[i] = rebuild);
  count = i + 1;
}

/** Sections this module has (registering them on first use). */
export function sectionCount(): i32 {
  if (count == 0) {
    register();
    if (!registryValid()) count = -1;
  }
  return count;
}

/**
 * The rules above: at most SECTION_ID_MAX records, the core first, IDs 1..SECTION_ID_MAX
 * and each once, versions 1..255 (one byte of a state version). A registry that breaks
 * them is a mistake in this file: state.ts then refuses every save and restore, and the
 * unit tests fail.
 */
function registryValid(): bool {
  if (overflow || count < 1 || unchecked(IDS[0]) != SECTION_CORE) return false;
  let seen: u32 = 0;
  for (let i = 0; i < count; i++) {
    const id = unchecked(IDS[i]), v = unchecked(VERSIONS[i]);
    if (id < 1 || id > SECTION_ID_MAX || (seen & (1 << id)) != 0 || v < 1 || v > 0xff) return false;
    seen |= 1 << id;
  }
  return true;
}

/** The registry index of section `id`, or -1. */
export function sectionIndex(id: u32): i32 {
  const n = sectionCount();
  for (let i = 0; i < n; i++) if (unchecked(IDS[i]) == id) return i;
  return -1;
}

@inline export function sectionId(i: i32): u32 { return unchecked(IDS[i]); }
@inline export function sectionVersion(i: i32): u32 { return unchecked(VERSIONS[i]); }
@inline export function sectionBlock(i: i32): usize { return unchecked(BLOCKS[i]); }
@inline export function sectionSize(i: i32): usize { return unchecked(SIZES[i]); }
@inline export function sectionStage(i: i32): usize { return unchecked(STAGES[i]); }

/** Bytes of section `i` in layout `version`; 0 for one this module does not know. */
export function sectionSizeIn(i: i32, version: u32): usize {
  if (version == 0) return 0;
  return version == sectionVersion(i) ? sectionSize(i) : unchecked(OLDER[i])(version);
}

/** Section `i` of layout `from` at `src` into layout `to` at `dst` (both sizes known). */
export function sectionConvert(i: i32, src: usize, from: u32, dst: usize, to: u32): bool {
  if (from == to) {
    memory.copy(dst, src, sectionSizeIn(i, from));
    return true;
  }
  return unchecked(CONVERT[i])(src, from, dst, to);
}

export function sectionCheck(i: i32, p: usize, core: usize): bool {
  return unchecked(CHECK[i])(p, core);
}

/** May a blob lack section `i`? */
export function sectionOptional(i: i32): bool {
  return unchecked(ABSENT[i]) != null;
}

/** Build section `i`'s live block from a reset (only for an optional one). */
export function sectionStartAbsent(i: i32): void {
  const f = unchecked(ABSENT[i]);
  if (f != null) f();
}

export function sectionRebuild(i: i32): void {
  unchecked(REBUILD[i])();
}

/** Version byte of section `id` in state version `state` (0: the section is absent). */
@inline export function versionIn(state: u32, id: u32): u32 {
  return (state >> ((id - 1) << 3)) & 0xff;
}

/** The state version this module writes: every section in its own layout. */
export function stateVersionNow(): u32 {
  let v: u32 = 0;
  const n = sectionCount();
  for (let i = 0; i < n; i++) v |= sectionVersion(i) << ((sectionId(i) - 1) << 3);
  return v;
}
