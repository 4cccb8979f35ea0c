import { vmInit, vmResetState, vmState, vmIpaBits, VM_RUNNING, VM_STOPPED, VM_EMPTY } from "../vm";
import { CFG_H_MAGIC } from "../config";
import { WV_EINVAL, WV_ENOTOWNED, WV_ESTATE } from "../../abi/imports";
import { DESC_TABLE, DESC_BLOCK } from "../../arch/stage2";
import { mmioFind } from "../../devices/mmio";
import { BLOB, makeBlob, RAM_PA, ENTRY_IPA, DTB_IPA, UART_IPA } from "../../__tests__/blob";
import { fakeReset, s2Tables, s2Entry, s2EntryCount, activateBits, imageCalls, imageIndex, imageIpa,
  setImageResult, bootCalls, bootVcpu, bootPc, bootX0, setBootResult, lastConsole, s2RefuseAfter } from "../../__tests__/fake";
import { wv_abi_version, wv_state_version, wv_buffer, wv_exit_record, wv_init, wv_core_version, wv_variant } from "../../index";

function setup(): usize {
  fakeReset();
  vmResetState();
  return makeBlob(1);
}

describe("building a VM from the config blob", () => {
  it("maps RAM, loads the image, boots vCPU 0 and reports ready", () => {
    const len = setup();
    expect(vmInit(0, BLOB, len)).toBe(0);
    expect(vmState()).toBe(VM_RUNNING);
    expect(imageCalls()).toBe(1);
    expect(imageIndex(0)).toBe(0);
    expect(imageIpa(0)).toBe(ENTRY_IPA);
    expect(bootCalls()).toBe(1);
    expect(bootVcpu(0)).toBe(0);
    expect(bootPc(0)).toBe(ENTRY_IPA);
    expect(bootX0(0)).toBe(DTB_IPA);
    expect(lastConsole()).toBe("[wasmvisor] vm linux: ready, entry 0x40080000, IPA bits 32\n");
  });

  it("maps 128 MiB of 2 MiB aligned RAM with 64 level-2 blocks", () => {
    const len = setup();
    expect(vmInit(0, BLOB, len)).toBe(0);
    expect(s2Tables()).toBe(2);
    expect(s2Entry(0, 1)).toBe((<u64>1 << 12) | DESC_TABLE);
    expect(s2EntryCount()).toBe(1 + 64);
    expect(s2Entry(1, 63) & 0xfffffffff000).toBe(RAM_PA + 63 * 0x200000);
    expect(s2Entry(1, 63) & 3).toBe(DESC_BLOCK);
    expect(activateBits()).toBe(32);
    expect(vmIpaBits()).toBe(32);
  });

  it("registers the PL011 from the config", () => {
    const len = setup();
    expect(vmInit(0, BLOB, len)).toBe(0);
    expect(mmioFind(UART_IPA + 0x18)).toBe(0);
  });

  it("refuses to build a second time", () => {
    const len = setup();
    expect(vmInit(0, BLOB, len)).toBe(0);
    expect(vmInit(0, BLOB, len)).toBe(WV_ESTATE);
  });
});

describe("wv_init refusals", () => {
  it("refuses a malformed blob, printing why, and builds nothing", () => {
    const len = setup();
    store<u32>(BLOB + CFG_H_MAGIC, 0);
    expect(vmInit(0, BLOB, len)).toBe(WV_EINVAL);
    expect(lastConsole()).toBe("[wasmvisor] vm config: bad magic (want WVCF)\n");
    expect(s2Tables()).toBe(0);
    expect(vmState()).toBe(VM_EMPTY);
  });

  it("names the VM and item of a bad field", () => {
    const len = setup();
    store<u64>(BLOB + 16 + 64 + 16, 0x123);
    expect(vmInit(0, BLOB, len)).toBe(WV_EINVAL);
    expect(lastConsole()).toBe("[wasmvisor] vm config: region ipa, pa or size not 4 KiB aligned (vm 0, item 0)\n");
  });

  it("refuses a blob reaching past Wasm memory", () => {
    setup();
    expect(vmInit(0, <usize>(memory.size() << 16) - 8, 16)).toBe(WV_EINVAL);
  });

  it("passes up a stage-2 refusal and leaves the VM stopped", () => {
    const len = setup();
    s2RefuseAfter(0, WV_ENOTOWNED);
    expect(vmInit(0, BLOB, len)).toBe(WV_ENOTOWNED);
    expect(lastConsole()).toBe("[wasmvisor] vm linux: stage-2 build failed (error 2)\n");
    expect(vmState()).toBe(VM_STOPPED);
    expect(bootCalls()).toBe(0);
  });

  it("passes up an image load refusal and does not boot", () => {
    const len = setup();
    setImageResult(-2);
    expect(vmInit(0, BLOB, len)).toBe(WV_ENOTOWNED);
    expect(bootCalls()).toBe(0);
    expect(vmState()).toBe(VM_STOPPED);
  });

  it("passes up a vCPU boot refusal", () => {
    const len = setup();
    setBootResult(-1);
    expect(vmInit(0, BLOB, len)).toBe(WV_EINVAL);
    expect(lastConsole()).toBe("[wasmvisor] vm linux: vCPU 0 boot failed (error 1)\n");
  });
});

describe("module exports", () => {
  it("report ABI version 3, the state version (core layout 3, vGIC layout 2, virtio layout 1), variant 1 and core 0.1.0", () => {
    expect(wv_abi_version()).toBe(3);
    expect(wv_state_version()).toBe(0x010203);
    expect(wv_variant()).toBe(1);
    expect(wv_core_version()).toBe(0x000100);
  });

  it("hand out a config buffer only for sizes it can hold", () => {
    expect(wv_buffer(0)).toBe(0);
    expect(wv_buffer(16 + 8 * 640 + 1)).toBe(0);
    const p = wv_buffer(16 + 640);
    expect(p).toBeGreaterThan(0);
    expect(p & 7).toBe(0);
  });

  it("place the exit record 8-byte aligned", () => {
    expect(wv_exit_record()).toBeGreaterThan(0);
    expect(wv_exit_record() & 7).toBe(0);
  });

  it("build a VM from a blob copied into the config buffer", () => {
    const len = setup();
    const p = wv_buffer(<i32>len);
    memory.copy(<usize>p, BLOB, len);
    expect(wv_init(0, p, <i32>len)).toBe(0);
    expect(wv_init(0, p, -1)).toBe(-1);
  });
});
