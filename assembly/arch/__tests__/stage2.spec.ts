import { s2Create, s2Map, s2Activate, s2IpaBits, s2ChildOf, s2ChildCount, s2Attrs, levelShift,
  DESC_BLOCK, DESC_TABLE, DESC_PAGE, S2_MEMATTR_NORMAL_WB, S2AP_READ, S2AP_WRITE, S2_SH_INNER,
  S2_AF, S2_XN, REGION_R, REGION_W, REGION_X } from "../stage2";
import { WV_EINVAL, WV_ENOMEM, WV_ENOTOWNED } from "../../abi/imports";
import { fakeReset, s2Tables, s2Entry, s2EntryLevel, s2EntryCount, s2LimitTables, s2RefuseAfter,
  activateRoot, activateBits } from "../../__tests__/fake";

const GIB: u64 = 1 << 30;
const MIB2: u64 = 2 << 20;
const KIB4: u64 = 4 << 10;
const RWX: u32 = REGION_R | REGION_W | REGION_X;

function setup(): void {
  fakeReset();
  expect(s2Create()).toBe(0);
}

describe("stage-2 descriptor attributes", () => {
  it("marks RAM normal write-back, inner shareable, accessed", () => {
    const a = s2Attrs(RWX);
    expect(a & S2_MEMATTR_NORMAL_WB).toBe(S2_MEMATTR_NORMAL_WB);
    expect(a & S2_SH_INNER).toBe(S2_SH_INNER);
    expect(a & S2_AF).toBe(S2_AF);
  });

  it("derives S2AP from the R and W flags", () => {
    expect(s2Attrs(REGION_R) & (S2AP_READ | S2AP_WRITE)).toBe(S2AP_READ);
    expect(s2Attrs(REGION_R | REGION_W) & (S2AP_READ | S2AP_WRITE)).toBe(S2AP_READ | S2AP_WRITE);
  });

  it("sets execute-never unless the region is executable", () => {
    expect(s2Attrs(REGION_R | REGION_W) & S2_XN).toBe(S2_XN);
    expect(s2Attrs(RWX) & S2_XN).toBe(0);
  });

  it("uses 1 GiB, 2 MiB and 4 KiB entries at levels 1, 2 and 3", () => {
    expect(levelShift(1)).toBe(30);
    expect(levelShift(2)).toBe(21);
    expect(levelShift(3)).toBe(12);
  });
});

describe("stage-2 mapping", () => {
  it("maps an aligned 1 GiB region with one level-1 block", () => {
    setup();
    expect(s2Map(GIB, 2 * GIB, GIB, RWX)).toBe(0);
    expect(s2EntryCount()).toBe(1);
    expect(s2EntryLevel(0, 1)).toBe(1);
    expect(s2Entry(0, 1)).toBe(2 * GIB | s2Attrs(RWX) | DESC_BLOCK);
    expect(s2ChildCount()).toBe(0);
  });

  it("maps a 2 MiB aligned region with level-2 blocks behind a new table", () => {
    setup();
    expect(s2Map(GIB, 0x48000000, 2 * MIB2, RWX)).toBe(0);
    expect(s2Tables()).toBe(2);
    expect(s2EntryLevel(0, 1)).toBe(1);
    expect(s2Entry(0, 1)).toBe((<u64>1 << 12) | DESC_TABLE);
    expect(s2Entry(1, 0)).toBe(<u64>0x48000000 | s2Attrs(RWX) | DESC_BLOCK);
    expect(s2Entry(1, 1)).toBe(<u64>0x48200000 | s2Attrs(RWX) | DESC_BLOCK);
    expect(s2EntryLevel(1, 1)).toBe(2);
    expect(s2ChildOf(0, 1)).toBe(1);
  });

  it("falls back to 4 KiB pages when the PA is not 2 MiB aligned", () => {
    setup();
    expect(s2Map(GIB, 0x48001000, MIB2, REGION_R)).toBe(0);
    expect(s2Tables()).toBe(3);
    expect(s2EntryCount()).toBe(2 + 512);
    expect(s2EntryLevel(2, 0)).toBe(3);
    expect(s2Entry(2, 0)).toBe(<u64>0x48001000 | s2Attrs(REGION_R) | DESC_PAGE);
    expect(s2Entry(2, 511)).toBe(<u64>0x48001000 + 511 * KIB4 | s2Attrs(REGION_R) | DESC_PAGE);
  });

  it("uses a block for the aligned part and pages for the tail", () => {
    setup();
    expect(s2Map(GIB, 0x48000000, MIB2 + KIB4, RWX)).toBe(0);
    expect(s2Entry(1, 0) & 3).toBe(DESC_BLOCK);
    expect(s2EntryLevel(2, 0)).toBe(3);
    expect(s2Entry(2, 0)).toBe(<u64>0x48200000 | s2Attrs(RWX) | DESC_PAGE);
    expect(s2EntryLevel(2, 1)).toBe(-1);
  });

  it("reuses the next-level table when two regions share an entry", () => {
    setup();
    expect(s2Map(GIB, 0x48000000, MIB2, RWX)).toBe(0);
    expect(s2Map(GIB + MIB2, 0x50000000, MIB2, RWX)).toBe(0);
    expect(s2Tables()).toBe(2);
    expect(s2ChildCount()).toBe(1);
    expect(s2Entry(1, 1)).toBe(<u64>0x50000000 | s2Attrs(RWX) | DESC_BLOCK);
  });

  it("refuses unaligned, empty and out-of-range requests", () => {
    setup();
    expect(s2Map(GIB + 1, 0, KIB4, RWX)).toBe(WV_EINVAL);
    expect(s2Map(GIB, 0x800, KIB4, RWX)).toBe(WV_EINVAL);
    expect(s2Map(GIB, 0, 0, RWX)).toBe(WV_EINVAL);
    expect(s2Map(<u64>1 << 39, 0, KIB4, RWX)).toBe(WV_EINVAL);
    expect(s2EntryCount()).toBe(0);
  });
});

describe("stage-2 refusals", () => {
  it("passes up the runtime's refusal of an entry", () => {
    setup();
    s2RefuseAfter(0, WV_ENOTOWNED);
    expect(s2Map(GIB, 2 * GIB, GIB, RWX)).toBe(WV_ENOTOWNED);
  });

  it("passes up a refusal in the middle of a page run", () => {
    setup();
    s2RefuseAfter(10, WV_ENOTOWNED);
    expect(s2Map(GIB, 0x48001000, MIB2, RWX)).toBe(WV_ENOTOWNED);
  });

  it("passes up the runtime running out of table pages", () => {
    setup();
    s2LimitTables(1);
    expect(s2Map(GIB, 0x48000000, MIB2, RWX)).toBe(WV_ENOMEM);
    expect(s2ChildCount()).toBe(0);
  });

  it("does not record a table whose table descriptor was refused", () => {
    setup();
    s2RefuseAfter(0, WV_ENOTOWNED);
    expect(s2Map(GIB, 0x48000000, MIB2, RWX)).toBe(WV_ENOTOWNED);
    expect(s2ChildCount()).toBe(0);
  });
});

describe("stage-2 IPA size", () => {
  it("picks the smallest size from 32 to 39 bits that holds the VM", () => {
    expect(s2IpaBits(0x50000000)).toBe(32);
    expect(s2IpaBits(<u64>1 << 32)).toBe(32);
    expect(s2IpaBits((<u64>1 << 32) + 1)).toBe(33);
    expect(s2IpaBits(<u64>1 << 39)).toBe(39);
  });

  it("refuses a VM beyond 39 bits", () => {
    expect(s2IpaBits((<u64>1 << 39) + 1)).toBe(-1);
  });

  it("activates the root with the chosen size", () => {
    setup();
    expect(s2Activate(33)).toBe(0);
    expect(activateRoot()).toBe(0);
    expect(activateBits()).toBe(33);
  });
});
