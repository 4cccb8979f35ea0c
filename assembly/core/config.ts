// The VM config blob (docs/abi.md section 1, version 1): offsets, and a validator
// that bounds-checks every field before anything is built from it. Each way a blob
// can be malformed has its own error code and message, and the failing VM and item
// are remembered for the message.

import { MAX_VMS, MAX_VCPUS, MAX_REGIONS, MAX_DEVICES, MAX_IMAGES, VM_NAME_SIZE } from "./layout";
import { DEVICE_PL011, DEVICE_GICV3_DIST, DEVICE_GICV3_REDIST, DEVICE_GICV2_DIST, DEVICE_VIRTIO_CONSOLE,
  mmioKnownKind } from "../devices/mmio";
import { VGIC_NR_INTIDS, VGIC_PRIVATE_INTIDS } from "../arch/vgic_layout";
import { S2_MAX_IPA_BITS, REGION_R, REGION_W, REGION_X } from "../arch/stage2";

// ---- Header ----
export const CFG_MAGIC: u32 = 0x46435657;   // "WVCF"
export const CFG_VERSION: u32 = 1;
export const CFG_H_MAGIC: usize = 0;
export const CFG_H_VERSION: usize = 4;
export const CFG_H_VM_COUNT: usize = 8;
export const CFG_H_TOTAL_SIZE: usize = 12;
export const CFG_HEADER_SIZE: usize = 16;

// ---- VM record ----
export const CFG_VM_RECORD_SIZE: usize = 640;
export const CFG_VM_NAME: usize = 0;
export const CFG_VM_TYPE: usize = 16;
export const CFG_VM_VCPU_COUNT: usize = 20;
export const CFG_VM_PCPU_MASK: usize = 24;
export const CFG_VM_REGION_COUNT: usize = 28;
export const CFG_VM_DEVICE_COUNT: usize = 32;
export const CFG_VM_IMAGE_COUNT: usize = 36;
export const CFG_VM_ENTRY_IPA: usize = 40;
export const CFG_VM_DTB_IPA: usize = 48;
export const CFG_VM_FLAGS: usize = 56;
export const CFG_VM_SLICE_US: usize = 60;    // u32 time slice where vCPUs share a CPU; 0 = default
export const CFG_VM_REGIONS: usize = 64;
export const CFG_VM_DEVICES: usize = 320;
export const CFG_VM_IMAGES: usize = 576;

export const CFG_REGION_SIZE: usize = 32;    // u64 ipa, u64 pa, u64 size, u32 flags, u32 reserved
export const CFG_R_IPA: usize = 0;
export const CFG_R_PA: usize = 8;
export const CFG_R_SIZE: usize = 16;
export const CFG_R_FLAGS: usize = 24;
export const CFG_R_RESERVED: usize = 28;

export const CFG_DEVICE_SIZE: usize = 32;    // u32 kind, u32 irq, u64 ipa, u64 size, u64 pa
export const CFG_D_KIND: usize = 0;
export const CFG_D_IRQ: usize = 4;
export const CFG_D_IPA: usize = 8;
export const CFG_D_SIZE: usize = 16;
/** The physical frame of a device frame (kinds 5 and 6); reserved (0) for the emulated kinds. */
export const CFG_D_PA: usize = 24;
export const CFG_D_RESERVED: usize = CFG_D_PA;

// ---- Device kinds that are frames: mapped by stage 2 as Device memory, not emulated ----
/** GICv2 CPU interface: the board's GICV frame (pa), 8 KiB, where the guest expects GICC. */
export const DEVICE_GICV2_CPUIF: u32 = 5;
/** Passthrough: a physical MMIO frame (pa) of the board; its irq 0 or the SPI it raises. */
export const DEVICE_PASSTHROUGH: u32 = 6;

export const CFG_IMAGE_SIZE: usize = 16;     // u32 image_index, u32 reserved, u64 load_ipa
export const CFG_I_INDEX: usize = 0;
export const CFG_I_RESERVED: usize = 4;
export const CFG_I_LOAD_IPA: usize = 8;

export const VM_TYPE_MVM: u32 = 0;
export const VM_TYPE_GVM: u32 = 1;
export const VM_TYPE_RTVM: u32 = 2;
export const CFG_VM_FLAG_BENCH: u32 = 1 << 0;
/** An access no region or device covers gets a synchronous external abort, not a stop. */
export const CFG_VM_FLAG_UNMAPPED_ABORT: u32 = 1 << 1;
const CFG_VM_FLAGS_KNOWN: u32 = CFG_VM_FLAG_BENCH | CFG_VM_FLAG_UNMAPPED_ABORT;
const REGION_FLAGS_ALL: u32 = REGION_R | REGION_W | REGION_X;
const PAGE_MASK: u64 = 0xfff;
const ENTRY_ALIGN_MASK: u64 = 3;     // A64 instructions are 4-byte aligned
const IPA_LIMIT: u64 = <u64>1 << <u64>S2_MAX_IPA_BITS;
/** GICv3 frames are 64 KiB; the redistributors of one vCPU are two frames (docs/abi.md section 4). */
const GIC_FRAME: u64 = 0x10000;
const GICD_SIZE: u64 = GIC_FRAME;
const GICR_SIZE_PER_VCPU: u64 = 2 * GIC_FRAME;
/** A GIC-400's distributor is 4 KiB, its virtual CPU interface (GICV) 8 KiB: GICV_DIR is in the second page. */
const GICV2_DIST_SIZE: u64 = 0x1000;
const GICV2_CPUIF_SIZE: u64 = 0x2000;
/** A virtio-mmio transport's window: registers and configuration space (docs/abi.md section 6). */
const VIRTIO_MMIO_SIZE: u64 = 0x200;

// ---- Errors ----
export const CFG_OK: i32 = 0;
export const CFG_ERR_TRUNCATED: i32 = -101;
export const CFG_ERR_MAGIC: i32 = -102;
export const CFG_ERR_VERSION: i32 = -103;
export const CFG_ERR_VM_COUNT: i32 = -104;
export const CFG_ERR_TOTAL_SIZE: i32 = -105;
export const CFG_ERR_VM_INDEX: i32 = -106;
export const CFG_ERR_NAME: i32 = -107;
export const CFG_ERR_TYPE: i32 = -108;
export const CFG_ERR_VCPU_COUNT: i32 = -109;
export const CFG_ERR_PCPU_MASK: i32 = -110;
export const CFG_ERR_REGION_COUNT: i32 = -111;
export const CFG_ERR_DEVICE_COUNT: i32 = -112;
export const CFG_ERR_IMAGE_COUNT: i32 = -113;
export const CFG_ERR_FLAGS: i32 = -114;
export const CFG_ERR_RESERVED: i32 = -115;
export const CFG_ERR_REGION_UNALIGNED: i32 = -116;
export const CFG_ERR_REGION_EMPTY: i32 = -117;
export const CFG_ERR_REGION_FLAGS: i32 = -118;
export const CFG_ERR_REGION_OVERLAP: i32 = -119;
export const CFG_ERR_REGION_RANGE: i32 = -120;
export const CFG_ERR_DEVICE_KIND: i32 = -121;
export const CFG_ERR_DEVICE_UNALIGNED: i32 = -122;
export const CFG_ERR_DEVICE_EMPTY: i32 = -123;
export const CFG_ERR_DEVICE_OVERLAP: i32 = -124;
export const CFG_ERR_DEVICE_RANGE: i32 = -125;
export const CFG_ERR_IMAGE_IPA: i32 = -126;
export const CFG_ERR_ENTRY: i32 = -127;
export const CFG_ERR_DTB: i32 = -128;
export const CFG_ERR_PA_OVERLAP: i32 = -129;
export const CFG_ERR_GIC_LAYOUT: i32 = -130;
export const CFG_ERR_GIC_COUNT: i32 = -131;
export const CFG_ERR_DEVICE_IRQ: i32 = -132;
export const CFG_ERR_GICV2_LAYOUT: i32 = -133;
export const CFG_ERR_GIC_MIX: i32 = -134;
export const CFG_ERR_FRAME_PA: i32 = -135;
export const CFG_ERR_SLICE: i32 = -136;
export const CFG_ERR_VIRTIO_LAYOUT: i32 = -137;
/** Time slices the runtime's scheduler takes (runtime-c/core/sched.c): 1 ms to 1 s. */
export const SLICE_US_MIN: u32 = 1000;
export const SLICE_US_MAX: u32 = 1000000;

export function cfgErrorMessage(code: i32): string {
  switch (code) {
    case CFG_OK: return "ok";
    case CFG_ERR_TRUNCATED: return "blob shorter than its header or its total_size";
    case CFG_ERR_MAGIC: return "bad magic (want WVCF)";
    case CFG_ERR_VERSION: return "unsupported version (want 1)";
    case CFG_ERR_VM_COUNT: return "vm_count outside 1..8";
    case CFG_ERR_TOTAL_SIZE: return "VM records reach past total_size";
    case CFG_ERR_VM_INDEX: return "VM index outside vm_count";
    case CFG_ERR_NAME: return "name must be 1..15 chars of [a-z0-9_-], NUL padded";
    case CFG_ERR_TYPE: return "type outside 0..2";
    case CFG_ERR_VCPU_COUNT: return "vcpu_count outside 1..8";
    case CFG_ERR_PCPU_MASK: return "pcpu_mask empty, or an rtvm with fewer CPUs than vcpu_count";
    case CFG_ERR_REGION_COUNT: return "region_count outside 1..8";
    case CFG_ERR_DEVICE_COUNT: return "device_count outside 0..8";
    case CFG_ERR_IMAGE_COUNT: return "image_count outside 1..4";
    case CFG_ERR_FLAGS: return "unknown VM flags";
    case CFG_ERR_RESERVED: return "reserved field not 0";
    case CFG_ERR_REGION_UNALIGNED: return "region ipa, pa or size not 4 KiB aligned";
    case CFG_ERR_REGION_EMPTY: return "region empty or wrapping";
    case CFG_ERR_REGION_FLAGS: return "region flags other than R, W, X";
    case CFG_ERR_REGION_OVERLAP: return "regions overlap in IPA space";
    case CFG_ERR_REGION_RANGE: return "region beyond the 39-bit IPA space";
    case CFG_ERR_DEVICE_KIND: return "unknown device kind";
    case CFG_ERR_DEVICE_UNALIGNED: return "device ipa or size not 4 KiB aligned";
    case CFG_ERR_DEVICE_EMPTY: return "device empty or wrapping";
    case CFG_ERR_DEVICE_OVERLAP: return "device overlaps a region or another device";
    case CFG_ERR_DEVICE_RANGE: return "device beyond the 39-bit IPA space";
    case CFG_ERR_IMAGE_IPA: return "image load_ipa outside the VM's regions";
    case CFG_ERR_ENTRY: return "entry_ipa not 4-byte aligned inside an executable region";
    case CFG_ERR_DTB: return "dtb_ipa outside the VM's regions";
    case CFG_ERR_PA_OVERLAP: return "regions of two VMs overlap in PA space";
    case CFG_ERR_SLICE: return "slice_us neither 0 (default) nor 1000..1000000";
    case CFG_ERR_GIC_LAYOUT: return "GICv3 distributor must be 64 KiB, redistributors 128 KiB per vCPU, both 64 KiB aligned";
    case CFG_ERR_GIC_COUNT: return "more than one GIC distributor, redistributor range or CPU interface";
    case CFG_ERR_DEVICE_IRQ: return "device irq must be 0 (none) or an SPI 32..255, and 0 for the GIC";
    case CFG_ERR_GICV2_LAYOUT: return "GICv2 distributor must be 4 KiB, CPU interface 8 KiB with a pa, all 4 KiB aligned";
    case CFG_ERR_GIC_MIX: return "GICv2 and GICv3 devices in one VM";
    case CFG_ERR_FRAME_PA: return "device frame pa not 4 KiB aligned or wrapping";
    case CFG_ERR_VIRTIO_LAYOUT: return "virtio-console must be one 0x200-byte window, 0x200 aligned, with an SPI 32..255, at most one per VM";
    default: return "unknown error";
  }
}

/** VM and item (region, device or image number) the last error is about; -1 if none. */
export let cfgErrorVm: i32 = -1;
export let cfgErrorItem: i32 = -1;

function fail(code: i32, vm: i32, item: i32): i32 {
  cfgErrorVm = vm;
  cfgErrorItem = item;
  return code;
}

@inline export function cfgVmCount(blob: usize): u32 { return load<u32>(blob + CFG_H_VM_COUNT); }
@inline export function cfgVm(blob: usize, vm: u32): usize { return blob + CFG_HEADER_SIZE + <usize>vm * CFG_VM_RECORD_SIZE; }
@inline export function cfgRegion(rec: usize, i: u32): usize { return rec + CFG_VM_REGIONS + <usize>i * CFG_REGION_SIZE; }
@inline export function cfgDevice(rec: usize, i: u32): usize { return rec + CFG_VM_DEVICES + <usize>i * CFG_DEVICE_SIZE; }
@inline export function cfgImage(rec: usize, i: u32): usize { return rec + CFG_VM_IMAGES + <usize>i * CFG_IMAGE_SIZE; }

const CHAR_A: u32 = 0x61, CHAR_Z: u32 = 0x7a, CHAR_0: u32 = 0x30, CHAR_9: u32 = 0x39;
const CHAR_UNDERSCORE: u32 = 0x5f, CHAR_DASH: u32 = 0x2d;

function nameChar(c: u32): bool {
  return (c >= CHAR_A && c <= CHAR_Z) || (c >= CHAR_0 && c <= CHAR_9) || c == CHAR_UNDERSCORE || c == CHAR_DASH;
}

/** Length of a valid name at `p` (16 bytes: 1..15 name chars then NULs), or -1. */
export function cfgNameLength(p: usize): i32 {
  let len: u32 = 0;
  while (len < VM_NAME_SIZE && load<u8>(p + <usize>len) != 0) {
    if (!nameChar(load<u8>(p + <usize>len))) return -1;
    len++;
  }
  if (len == 0 || len >= VM_NAME_SIZE) return -1;
  for (let i = len; i < VM_NAME_SIZE; i++) if (load<u8>(p + <usize>i) != 0) return -1;
  return <i32>len;
}

@inline function overlaps(a: u64, asz: u64, b: u64, bsz: u64): bool {
  return a < b + bsz && b < a + asz;
}

function popcount32(x: u32): u32 { return <u32>popcnt<u32>(x); }

/** Is [ipa, ipa + len) inside one region of record `rec`, with all of `flags`? */
export function cfgInRegion(rec: usize, ipa: u64, len: u64, flags: u32): bool {
  const n = load<u32>(rec + CFG_VM_REGION_COUNT);
  for (let i: u32 = 0; i < n; i++) {
    const r = cfgRegion(rec, i);
    const base = load<u64>(r + CFG_R_IPA);
    const size = load<u64>(r + CFG_R_SIZE);
    if (ipa >= base && ipa - base < size && len <= size - (ipa - base)
        && (load<u32>(r + CFG_R_FLAGS) & flags) == flags) return true;
  }
  return false;
}

function validateRegions(rec: usize, vm: i32): i32 {
  const n = load<u32>(rec + CFG_VM_REGION_COUNT);
  for (let i: u32 = 0; i < n; i++) {
    const r = cfgRegion(rec, i);
    const ipa = load<u64>(r + CFG_R_IPA), pa = load<u64>(r + CFG_R_PA), size = load<u64>(r + CFG_R_SIZE);
    if (((ipa | pa | size) & PAGE_MASK) != 0) return fail(CFG_ERR_REGION_UNALIGNED, vm, i);
    if (size == 0 || ipa + size < ipa || pa + size < pa) return fail(CFG_ERR_REGION_EMPTY, vm, i);
    if (ipa + size > IPA_LIMIT) return fail(CFG_ERR_REGION_RANGE, vm, i);
    if ((load<u32>(r + CFG_R_FLAGS) & ~REGION_FLAGS_ALL) != 0) return fail(CFG_ERR_REGION_FLAGS, vm, i);
    if (load<u32>(r + CFG_R_RESERVED) != 0) return fail(CFG_ERR_RESERVED, vm, i);
    for (let j: u32 = 0; j < i; j++) {
      const q = cfgRegion(rec, j);
      if (overlaps(ipa, size, load<u64>(q + CFG_R_IPA), load<u64>(q + CFG_R_SIZE))) {
        return fail(CFG_ERR_REGION_OVERLAP, vm, i);
      }
    }
  }
  return CFG_OK;
}

/** Is `kind` a device kind of the blob: emulated (the MMIO registry's) or a frame? */
export function cfgKnownKind(kind: u32): bool {
  return mmioKnownKind(kind) || cfgIsFrame(kind);
}

/** Is `kind` a device frame, mapped by stage 2 rather than emulated? */
export function cfgIsFrame(kind: u32): bool {
  return kind == DEVICE_GICV2_CPUIF || kind == DEVICE_PASSTHROUGH;
}

@inline function isGicV3(kind: u32): bool { return kind == DEVICE_GICV3_DIST || kind == DEVICE_GICV3_REDIST; }
@inline function isGicV2(kind: u32): bool { return kind == DEVICE_GICV2_DIST || kind == DEVICE_GICV2_CPUIF; }

@inline function isSpi(irq: u32): bool {
  return irq >= VGIC_PRIVATE_INTIDS && irq < VGIC_NR_INTIDS;
}

/** A GIC device `kind` (2..5) at item `i`: the only one of its kind, and of the same GIC version as the others. */
function validateGicCount(rec: usize, kind: u32, i: u32, vm: i32): i32 {
  for (let j: u32 = 0; j < i; j++) {
    const k = load<u32>(cfgDevice(rec, j) + CFG_D_KIND);
    if (k == kind) return fail(CFG_ERR_GIC_COUNT, vm, i);
    if ((isGicV3(k) && isGicV2(kind)) || (isGicV2(k) && isGicV3(kind))) return fail(CFG_ERR_GIC_MIX, vm, i);
  }
  return CFG_OK;
}

/** A virtio-console (kind 7): its 0x200-byte window, an SPI of the vGIC, the VM's only one. */
function validateVirtio(rec: usize, d: usize, i: u32, vm: i32): i32 {
  const ipa = load<u64>(d + CFG_D_IPA);
  if (load<u64>(d + CFG_D_SIZE) != VIRTIO_MMIO_SIZE || (ipa & (VIRTIO_MMIO_SIZE - 1)) != 0
      || !isSpi(load<u32>(d + CFG_D_IRQ))) return fail(CFG_ERR_VIRTIO_LAYOUT, vm, i);
  for (let j: u32 = 0; j < i; j++) {
    if (load<u32>(cfgDevice(rec, j) + CFG_D_KIND) == DEVICE_VIRTIO_CONSOLE) return fail(CFG_ERR_VIRTIO_LAYOUT, vm, i);
  }
  return CFG_OK;
}

/**
 * What a device of `kind` needs beyond the common checks: a GIC frame's size and
 * alignment, one of each at most, one GIC version per VM, no irq of its own; a PL011's
 * irq an SPI the vGIC has; a frame's pa aligned (the GICv2 CPU interface's given), a
 * passthrough frame's irq 0 or an SPI. Only frames have a pa.
 */
function validateDeviceKind(rec: usize, d: usize, kind: u32, i: u32, vm: i32): i32 {
  const irq = load<u32>(d + CFG_D_IRQ);
  const size = load<u64>(d + CFG_D_SIZE);
  const pa = load<u64>(d + CFG_D_PA);
  if (!cfgIsFrame(kind) && pa != 0) return fail(CFG_ERR_RESERVED, vm, i);
  if (kind == DEVICE_PL011) {
    if (irq != 0 && !isSpi(irq)) return fail(CFG_ERR_DEVICE_IRQ, vm, i);
    return CFG_OK;
  }
  if (kind == DEVICE_VIRTIO_CONSOLE) return validateVirtio(rec, d, i, vm);
  if (kind == DEVICE_PASSTHROUGH) {
    if (irq != 0 && !isSpi(irq)) return fail(CFG_ERR_DEVICE_IRQ, vm, i);
    if ((pa & PAGE_MASK) != 0 || pa + size < pa) return fail(CFG_ERR_FRAME_PA, vm, i);
    return CFG_OK;
  }
  if (irq != 0) return fail(CFG_ERR_DEVICE_IRQ, vm, i);
  if (isGicV2(kind)) {
    const ipa = load<u64>(d + CFG_D_IPA);
    const want = kind == DEVICE_GICV2_DIST ? GICV2_DIST_SIZE : GICV2_CPUIF_SIZE;
    const paOk = kind == DEVICE_GICV2_DIST || (pa != 0 && (pa & PAGE_MASK) == 0 && pa + size > pa);
    if (size != want || (ipa & PAGE_MASK) != 0 || !paOk) return fail(CFG_ERR_GICV2_LAYOUT, vm, i);
    return validateGicCount(rec, kind, i, vm);
  }
  const want = kind == DEVICE_GICV3_DIST ? GICD_SIZE
    : GICR_SIZE_PER_VCPU * <u64>load<u32>(rec + CFG_VM_VCPU_COUNT);
  if (size != want || (load<u64>(d + CFG_D_IPA) & (GIC_FRAME - 1)) != 0) return fail(CFG_ERR_GIC_LAYOUT, vm, i);
  return validateGicCount(rec, kind, i, vm);
}

function validateDevices(rec: usize, vm: i32): i32 {
  const n = load<u32>(rec + CFG_VM_DEVICE_COUNT);
  const nr = load<u32>(rec + CFG_VM_REGION_COUNT);
  for (let i: u32 = 0; i < n; i++) {
    const d = cfgDevice(rec, i);
    const ipa = load<u64>(d + CFG_D_IPA), size = load<u64>(d + CFG_D_SIZE);
    const kind = load<u32>(d + CFG_D_KIND);
    if (!cfgKnownKind(kind)) return fail(CFG_ERR_DEVICE_KIND, vm, i);
    const rc = validateDeviceKind(rec, d, kind, i, vm);
    if (rc != CFG_OK) return rc;
    // A virtio-mmio window is smaller than a page (its alignment is validateVirtio's).
    if (kind != DEVICE_VIRTIO_CONSOLE && ((ipa | size) & PAGE_MASK) != 0) return fail(CFG_ERR_DEVICE_UNALIGNED, vm, i);
    if (size == 0 || ipa + size < ipa) return fail(CFG_ERR_DEVICE_EMPTY, vm, i);
    if (ipa + size > IPA_LIMIT) return fail(CFG_ERR_DEVICE_RANGE, vm, i);
    for (let j: u32 = 0; j < nr; j++) {
      const r = cfgRegion(rec, j);
      if (overlaps(ipa, size, load<u64>(r + CFG_R_IPA), load<u64>(r + CFG_R_SIZE))) {
        return fail(CFG_ERR_DEVICE_OVERLAP, vm, i);
      }
    }
    for (let j: u32 = 0; j < i; j++) {
      const q = cfgDevice(rec, j);
      if (overlaps(ipa, size, load<u64>(q + CFG_D_IPA), load<u64>(q + CFG_D_SIZE))) {
        return fail(CFG_ERR_DEVICE_OVERLAP, vm, i);
      }
    }
  }
  return CFG_OK;
}

function validateImages(rec: usize, vm: i32): i32 {
  const n = load<u32>(rec + CFG_VM_IMAGE_COUNT);
  for (let i: u32 = 0; i < n; i++) {
    const im = cfgImage(rec, i);
    if (load<u32>(im + CFG_I_RESERVED) != 0) return fail(CFG_ERR_RESERVED, vm, i);
    if (!cfgInRegion(rec, load<u64>(im + CFG_I_LOAD_IPA), 1, 0)) return fail(CFG_ERR_IMAGE_IPA, vm, i);
  }
  return CFG_OK;
}

function validateVm(rec: usize, vm: i32): i32 {
  if (cfgNameLength(rec + CFG_VM_NAME) < 0) return fail(CFG_ERR_NAME, vm, -1);
  if (load<u32>(rec + CFG_VM_TYPE) > VM_TYPE_RTVM) return fail(CFG_ERR_TYPE, vm, -1);
  const vcpus = load<u32>(rec + CFG_VM_VCPU_COUNT);
  if (vcpus < 1 || vcpus > MAX_VCPUS) return fail(CFG_ERR_VCPU_COUNT, vm, -1);
  // GVMs and MVMs may share CPUs among more vCPUs; an RTVM has a CPU per vCPU.
  const cpus = popcount32(load<u32>(rec + CFG_VM_PCPU_MASK));
  if (cpus == 0 || (load<u32>(rec + CFG_VM_TYPE) == VM_TYPE_RTVM && cpus < vcpus)) return fail(CFG_ERR_PCPU_MASK, vm, -1);
  const regions = load<u32>(rec + CFG_VM_REGION_COUNT);
  if (regions < 1 || regions > MAX_REGIONS) return fail(CFG_ERR_REGION_COUNT, vm, -1);
  if (load<u32>(rec + CFG_VM_DEVICE_COUNT) > MAX_DEVICES) return fail(CFG_ERR_DEVICE_COUNT, vm, -1);
  const images = load<u32>(rec + CFG_VM_IMAGE_COUNT);
  if (images < 1 || images > MAX_IMAGES) return fail(CFG_ERR_IMAGE_COUNT, vm, -1);
  if ((load<u32>(rec + CFG_VM_FLAGS) & ~CFG_VM_FLAGS_KNOWN) != 0) return fail(CFG_ERR_FLAGS, vm, -1);
  const slice = load<u32>(rec + CFG_VM_SLICE_US);
  if (slice != 0 && (slice < SLICE_US_MIN || slice > SLICE_US_MAX)) return fail(CFG_ERR_SLICE, vm, -1);
  let rc = validateRegions(rec, vm);
  if (rc != CFG_OK) return rc;
  rc = validateDevices(rec, vm);
  if (rc != CFG_OK) return rc;
  rc = validateImages(rec, vm);
  if (rc != CFG_OK) return rc;
  const entry = load<u64>(rec + CFG_VM_ENTRY_IPA);
  if ((entry & ENTRY_ALIGN_MASK) != 0 || !cfgInRegion(rec, entry, 4, REGION_X)) return fail(CFG_ERR_ENTRY, vm, -1);
  const dtb = load<u64>(rec + CFG_VM_DTB_IPA);
  if (dtb != 0 && !cfgInRegion(rec, dtb, 1, REGION_R)) return fail(CFG_ERR_DTB, vm, -1);
  return CFG_OK;
}

/** Regions of different VMs must not share physical memory. */
function validatePaDisjoint(blob: usize, count: u32): i32 {
  for (let a: u32 = 0; a < count; a++) {
    const ra = cfgVm(blob, a);
    const na = load<u32>(ra + CFG_VM_REGION_COUNT);
    for (let b: u32 = a + 1; b < count; b++) {
      const rb = cfgVm(blob, b);
      const nb = load<u32>(rb + CFG_VM_REGION_COUNT);
      for (let i: u32 = 0; i < na; i++) {
        const p = cfgRegion(ra, i);
        for (let j: u32 = 0; j < nb; j++) {
          const q = cfgRegion(rb, j);
          if (overlaps(load<u64>(p + CFG_R_PA), load<u64>(p + CFG_R_SIZE),
                       load<u64>(q + CFG_R_PA), load<u64>(q + CFG_R_SIZE))) {
            return fail(CFG_ERR_PA_OVERLAP, <i32>b, <i32>j);
          }
        }
      }
    }
  }
  return CFG_OK;
}

/**
 * Validate the blob of `len` bytes at `blob`: its header, VM `vm`'s record, and that no
 * two VMs share physical memory.
 * CFG_OK or one CFG_ERR_* code (cfgErrorVm/cfgErrorItem say where).
 */
export function cfgValidate(blob: usize, len: usize, vm: i32): i32 {
  cfgErrorVm = -1;
  cfgErrorItem = -1;
  if (len < CFG_HEADER_SIZE) return fail(CFG_ERR_TRUNCATED, -1, -1);
  if (load<u32>(blob + CFG_H_MAGIC) != CFG_MAGIC) return fail(CFG_ERR_MAGIC, -1, -1);
  if (load<u32>(blob + CFG_H_VERSION) != CFG_VERSION) return fail(CFG_ERR_VERSION, -1, -1);
  const count = cfgVmCount(blob);
  if (count < 1 || count > MAX_VMS) return fail(CFG_ERR_VM_COUNT, -1, -1);
  const total = <usize>load<u32>(blob + CFG_H_TOTAL_SIZE);
  if (total < CFG_HEADER_SIZE + <usize>count * CFG_VM_RECORD_SIZE) return fail(CFG_ERR_TOTAL_SIZE, -1, -1);
  if (total > len) return fail(CFG_ERR_TRUNCATED, -1, -1);
  if (vm < 0 || <u32>vm >= count) return fail(CFG_ERR_VM_INDEX, vm, -1);
  // Only this instance's own VM is checked in full: a malformed record of another VM
  // stops that VM (its own instance refuses it), not this one.
  const rc = validateVm(cfgVm(blob, <u32>vm), vm);
  if (rc != CFG_OK) return rc;
  return validatePaDisjoint(blob, count);
}
