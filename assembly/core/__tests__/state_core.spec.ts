// The core section's layouts and conversions (both build variants' layouts, tested in this
// one build), the exit counters in each layout, and the section registry (core, vGIC, virtio).
import { coreLayoutSize, coreSizeOf, coreConvert, coreCheck, CORE_OLDEST_WRITTEN } from "../state_core";
import { exitCounterBytes, exitCounterRead, exitCounterWrite } from "../exit_counters";
import { STATE, STATE_SIZE, STATE_SIZE_V1, STATE_SIZE_V2, STATE_SIZE_V3, STATE_SIZE_V4, STATE_LAYOUT_VERSION,
  VM_EXITS_OFF, VM_EXIT_CLASSES, VM_EXIT_BYTES, PL011_RX_OFF, MMIO_COUNT } from "../layout";
import { sectionCount, sectionId, sectionVersion, sectionBlock, sectionSize, sectionStage, sectionSizeIn, sectionIndex,
  sectionOptional, stateVersionNow, versionIn, SECTION_CORE, SECTION_VGIC, SECTION_VIRTIO, SECTION_ID_MAX } from "../state_sections";
import { VGIC, VGIC_SIZE, VGIC_LAYOUT_VERSION } from "../../arch/vgic_layout";
import { VIRTIO_STATE, VIRTIO_STATE_SIZE, VIRTIO_LAYOUT_VERSION } from "../../devices/virtio_layout";
import { CORE_VARIANT, VARIANT_2 } from "../variant";
import { freshVm } from "../../__tests__/setup";

const SRC: usize = memory.data(<i32>STATE_SIZE_V4 + 64, 16);
const DST: usize = memory.data(<i32>STATE_SIZE_V4 + 64, 16);
/** Counts that need more than 32 bits, and one that does not. */
const WIDE: StaticArray<u64> = [0x1_0000_0005, 7, 0xffff_ffff, 0x2_0000_0000, 0, 0xdead_beef_cafe];

/** A core block of layout `version` at SRC: a running VM's, with the counters of WIDE. */
function sample(version: u32): void {
  freshVm();
  memory.fill(SRC, 0x5a, STATE_SIZE_V4 + 64);
  memory.copy(SRC, STATE, STATE_SIZE_V2);
  for (let c: u32 = 0; c < VM_EXIT_CLASSES; c++) exitCounterWrite(SRC, version, c, WIDE[c]);
}

describe("core section layouts", () => {
  it("grow by what each version added at its end", () => {
    expect(coreLayoutSize(1)).toBe(STATE_SIZE_V1);
    expect(coreLayoutSize(2)).toBe(STATE_SIZE_V2);
    expect(coreLayoutSize(3)).toBe(STATE_SIZE_V2 + 6 * 4);
    expect(coreLayoutSize(4)).toBe(STATE_SIZE_V2 + 6 * 8);
    expect(coreLayoutSize(0)).toBe(0);
    expect(coreLayoutSize(5)).toBe(0);
    expect(STATE_SIZE_V1).toBe(PL011_RX_OFF);
    expect(VM_EXITS_OFF).toBe(STATE_SIZE_V2);
    expect(STATE_SIZE_V2 & 7).toBe(0);
  });

  it("are read up to this build's own version only", () => {
    expect(STATE_LAYOUT_VERSION).toBe(VARIANT_2 ? 4 : 3);
    expect(STATE_SIZE).toBe(coreLayoutSize(STATE_LAYOUT_VERSION));
    expect(VM_EXIT_BYTES).toBe(exitCounterBytes(STATE_LAYOUT_VERSION));
    for (let v: u32 = 1; v <= 4; v++) expect(coreSizeOf(v)).toBe(v <= STATE_LAYOUT_VERSION ? coreLayoutSize(v) : 0);
  });

  it("keep the exit counters in u32 (layout 3) or u64 (layout 4), none before", () => {
    expect(exitCounterBytes(1)).toBe(0);
    expect(exitCounterBytes(2)).toBe(0);
    expect(exitCounterBytes(3)).toBe(4);
    expect(exitCounterBytes(4)).toBe(8);
    sample(4);
    expect(load<u64>(SRC + VM_EXITS_OFF)).toBe(0x1_0000_0005);
    expect(exitCounterRead(SRC, 4, 5)).toBe(0xdead_beef_cafe);
    sample(3);
    expect(load<u32>(SRC + VM_EXITS_OFF)).toBe(5);
    expect(load<u32>(SRC + VM_EXITS_OFF + 4)).toBe(7);
    expect(exitCounterRead(SRC, 3, 5)).toBe(0xbeef_cafe);
    expect(exitCounterRead(SRC, 2, 0)).toBe(0);
    expect(exitCounterRead(SRC, 3, 6)).toBe(0);
  });
});

describe("core section conversions", () => {
  it("widen the counters from layout 3 to 4 (variant 1 to variant 2)", () => {
    sample(3);
    expect(coreConvert(SRC, 3, DST, 4)).toBe(true);
    expect(memory.compare(DST, SRC, STATE_SIZE_V2)).toBe(0);
    for (let c: u32 = 0; c < VM_EXIT_CLASSES; c++) expect(exitCounterRead(DST, 4, c)).toBe(WIDE[c] & 0xffffffff);
  });

  it("keep the low 32 bits of each counter from layout 4 to 3 (a rollback)", () => {
    sample(4);
    expect(coreConvert(SRC, 4, DST, 3)).toBe(true);
    expect(memory.compare(DST, SRC, STATE_SIZE_V2)).toBe(0);
    for (let c: u32 = 0; c < VM_EXIT_CLASSES; c++) expect(exitCounterRead(DST, 3, c)).toBe(WIDE[c] & 0xffffffff);
  });

  it("start the counters at zero from layout 2, and the receive FIFOs empty from layout 1", () => {
    sample(4);
    memory.fill(DST, 0x77, STATE_SIZE_V4);
    expect(coreConvert(SRC, 2, DST, 3)).toBe(true);
    expect(memory.compare(DST, SRC, STATE_SIZE_V2)).toBe(0);
    for (let c: u32 = 0; c < VM_EXIT_CLASSES; c++) expect(exitCounterRead(DST, 3, c)).toBe(0);
    memory.fill(DST, 0x77, STATE_SIZE_V4 + 64);
    expect(coreConvert(SRC, 1, DST, 4)).toBe(true);
    expect(memory.compare(DST, SRC, STATE_SIZE_V1)).toBe(0);
    for (let a = STATE_SIZE_V1; a < STATE_SIZE_V4; a++) expect(load<u8>(DST + a)).toBe(0);
    expect(load<u8>(DST + STATE_SIZE_V4)).toBe(0x77);   // nothing past the block
  });

  it("write only layouts 3 and 4, from any layout they know", () => {
    sample(3);
    expect(CORE_OLDEST_WRITTEN).toBe(3);
    expect(coreConvert(SRC, 3, DST, 2)).toBe(false);
    expect(coreConvert(SRC, 3, DST, 1)).toBe(false);
    expect(coreConvert(SRC, 3, DST, 5)).toBe(false);
    expect(coreConvert(SRC, 5, DST, 3)).toBe(false);
    expect(coreConvert(SRC, 0, DST, 3)).toBe(false);
  });

  it("give a block the core check accepts, converted either way", () => {
    sample(3);
    expect(coreConvert(SRC, 3, DST, STATE_LAYOUT_VERSION)).toBe(true);
    expect(coreCheck(DST, DST)).toBe(true);
    store<u32>(DST + MMIO_COUNT, 9);
    expect(coreCheck(DST, DST)).toBe(false);
  });
});

describe("section registry", () => {
  it("lists the core first, then the vGIC and the virtio device, each once with an ID in range", () => {
    expect(sectionCount()).toBe(3);
    expect(sectionId(0)).toBe(SECTION_CORE);
    expect(sectionId(1)).toBe(SECTION_VGIC);
    expect(sectionId(2)).toBe(SECTION_VIRTIO);
    expect(SECTION_VIRTIO).toBe(3);
    expect(sectionIndex(SECTION_CORE)).toBe(0);
    expect(sectionIndex(SECTION_VGIC)).toBe(1);
    expect(sectionIndex(SECTION_VIRTIO)).toBe(2);
    expect(sectionIndex(4)).toBe(-1);
    expect(sectionIndex(0)).toBe(-1);
    expect(sectionBlock(0)).toBe(STATE);
    expect(sectionBlock(1)).toBe(VGIC);
    expect(sectionBlock(2)).toBe(VIRTIO_STATE);
    expect(sectionSizeIn(0, STATE_LAYOUT_VERSION)).toBe(STATE_SIZE);
    expect(sectionSizeIn(1, VGIC_LAYOUT_VERSION)).toBe(VGIC_SIZE);
    expect(sectionSizeIn(2, VIRTIO_LAYOUT_VERSION)).toBe(VIRTIO_STATE_SIZE);
    expect(sectionSizeIn(1, 1)).toBe(0);
    expect(sectionSizeIn(2, VIRTIO_LAYOUT_VERSION + 1)).toBe(0);
    expect(sectionSizeIn(0, 0)).toBe(0);
    expect(sectionSizeIn(2, 0)).toBe(0);
    expect(sectionOptional(0)).toBe(false);
    expect(sectionOptional(1)).toBe(true);
    expect(sectionOptional(2)).toBe(true);   // blobs of modules that had only the core and the vGIC
    expect(sectionCount()).toBeLessThanOrEqual(<i32>SECTION_ID_MAX);
  });

  it("gives every section a stage of its own, as large as its block", () => {
    const n = sectionCount();
    for (let i = 0; i < n; i++) {
      expect(sectionSize(i)).toBe(sectionSizeIn(i, sectionVersion(i)));
      const a = sectionStage(i), end = a + sectionSize(i);
      expect(a).not.toBe(sectionBlock(i));
      for (let j = 0; j < n; j++) {
        if (j == i) continue;
        const b = sectionStage(j), bEnd = b + sectionSize(j);
        expect(end <= b || bEnd <= a).toBe(true);
        expect(end <= sectionBlock(j) || sectionBlock(j) + sectionSize(j) <= a).toBe(true);
      }
    }
  });

  it("makes the state version from every section's version, one byte per ID", () => {
    const v = stateVersionNow();
    expect(versionIn(v, SECTION_CORE)).toBe(sectionVersion(0));
    expect(versionIn(v, SECTION_VGIC)).toBe(sectionVersion(1));
    expect(versionIn(v, SECTION_VIRTIO)).toBe(sectionVersion(2));
    expect(versionIn(v, 4)).toBe(0);
    expect(v).toBe(STATE_LAYOUT_VERSION | (VGIC_LAYOUT_VERSION << 8) | (VIRTIO_LAYOUT_VERSION << 16));
    expect(v).toBe(0x010203);
  });

  it("is built as variant 1 in the unit tests", () => {
    expect(CORE_VARIANT).toBe(1);
  });
});
