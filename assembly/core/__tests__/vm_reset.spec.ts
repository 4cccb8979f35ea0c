import { vmReset } from "../vm_reset";
import { vmState, VM_RUNNING, VM_STOPPED } from "../vm";
import { freshVm } from "../../__tests__/setup";
import { makeBlob, BLOB, ENTRY_IPA, DTB_IPA } from "../../__tests__/blob";
import { imageCalls, bootCalls, bootVcpu, bootPc, bootX0, setImageResult, lastConsole, stopCount } from "../../__tests__/fake";
import { pl011Read, pl011Write, UARTCR } from "../../devices/pl011";
import { vcpuIsOn, setVcpuOn } from "../../arch/psci";
import { freshGicV2Vm, gicV2Blob } from "../../__tests__/gicv2";
import { vgicModel } from "../../arch/vgic_common";
import { VGIC_MODEL_V2 } from "../../arch/vgic_layout";

describe("restarting a VM from its images", () => {
  it("reloads the images, resets the devices and boots vCPU 0 only", () => {
    expect(freshVm(2)).toBe(0);
    pl011Write(0, UARTCR, 0x301, 0xffffffff);
    setVcpuOn(1, true);
    const len = makeBlob(1);
    expect(vmReset(BLOB, len)).toBe(0);
    expect(imageCalls()).toBe(1);
    expect(bootCalls()).toBe(1);
    expect(bootVcpu(0)).toBe(0);
    expect(bootPc(0)).toBe(ENTRY_IPA);
    expect(bootX0(0)).toBe(DTB_IPA);
    expect(pl011Read(0, UARTCR)).toBe(0);
    expect(vcpuIsOn(0)).toBe(true);
    expect(vcpuIsOn(1)).toBe(false);
    expect(vmState()).toBe(VM_RUNNING);
    expect(lastConsole()).toBe("[wasmvisor] vm linux: restarted from its images\n");
  });

  it("stops the VM, saying why, when an image no longer loads", () => {
    expect(freshVm()).toBe(0);
    setImageResult(-2);
    const stops = stopCount();
    expect(vmReset(BLOB, makeBlob(1))).toBe(-2);
    setImageResult(0x1000);
    expect(vmState()).toBe(VM_STOPPED);
    expect(stopCount()).toBe(stops + 1);
  });

  it("refuses a blob that is not valid for this VM", () => {
    expect(freshVm()).toBe(0);
    const len = makeBlob(1);
    store<u32>(BLOB, 0);   // bad magic
    expect(vmReset(BLOB, len)).toBe(-1);
    expect(vmState()).toBe(VM_STOPPED);
  });

  it("starts again a VM the core had stopped", () => {
    expect(freshVm()).toBe(0);
    setImageResult(-2);
    expect(vmReset(BLOB, makeBlob(1))).toBe(-2);
    expect(vmState()).toBe(VM_STOPPED);
    setImageResult(0x1000);
    const boots = bootCalls();
    expect(vmReset(BLOB, makeBlob(1))).toBe(0);
    expect(vmState()).toBe(VM_RUNNING);
    expect(bootCalls()).toBe(boots + 1);
  });

  it("keeps a GICv2 VM's virtual GIC a GICv2 across the restart", () => {
    expect(freshGicV2Vm(2)).toBe(0);
    expect(vgicModel()).toBe(VGIC_MODEL_V2);
    expect(vmReset(BLOB, gicV2Blob(2))).toBe(0);
    expect(vgicModel()).toBe(VGIC_MODEL_V2);
    expect(vmState()).toBe(VM_RUNNING);
  });
});
