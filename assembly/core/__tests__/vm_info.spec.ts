// wv_vm_info: the 88-byte record management reads (docs/abi.md section 2).
import { vmInfo, VM_INFO_SIZE, VI_NAME, VI_TYPE, VI_STATE, VI_VCPUS, VI_VCPU_ON, VI_RAM, VI_EXITS } from "../vm_info";
import { STATE_ERR_SPACE, STATE_ERR_RANGE } from "../state";
import { VM_RUNNING, VM_STOPPED, vmResetState } from "../vm";
import { freshVm } from "../../__tests__/setup";
import { exitWith, faultAt, dabtEsr, hvcEsr, setReg, IL } from "../../__tests__/exit";
import { handleExit } from "../../arch/exits";
import { exitSelect } from "../../abi/exit_record";
import { wv_vm_info } from "../../index";

const REC: usize = memory.data(128, 8);
const CPU_ON: u64 = 0xc4000003;    // PSCI CPU_ON (64-bit), DEN0022

function exitsAt(i: u32): u64 { return load<u64>(REC + VI_EXITS + (<usize>i << 3)); }

describe("the VM info record", () => {
  it("gives the VM's name, type, state, vCPUs, RAM and exits", () => {
    expect(freshVm(2)).toBe(0);
    exitWith(hvcEsr(0));
    setReg(0, CPU_ON);
    setReg(1, 1);
    setReg(2, 0x40080000);
    handleExit(0);                                    // vCPU 1 on
    exitSelect(1);
    exitWith(dabtEsr(1, 0, 0, 4, 0, 1, 0x07));
    faultAt(0x09000000);
    handleExit(1);
    exitWith((<u64>0x01 << 26) | IL);
    handleExit(1);
    memory.fill(REC, 0xee, 128);
    expect(vmInfo(REC, 128)).toBe(88);
    expect(VM_INFO_SIZE).toBe(88);
    expect(String.UTF8.decodeUnsafe(REC + VI_NAME, 5)).toBe("linux");
    for (let i: usize = 5; i < 16; i++) expect(load<u8>(REC + VI_NAME + i)).toBe(0);
    expect(load<u32>(REC + VI_TYPE)).toBe(1);
    expect(load<u32>(REC + VI_STATE)).toBe(VM_RUNNING);
    expect(load<u32>(REC + VI_VCPUS)).toBe(2);
    expect(load<u32>(REC + VI_VCPU_ON)).toBe(0b11);
    expect(load<u64>(REC + VI_RAM)).toBe(0x08000000);
    expect(exitsAt(0)).toBe(1);   // data_abort
    expect(exitsAt(1)).toBe(1);   // hvc
    expect(exitsAt(2)).toBe(0);   // sysreg
    expect(exitsAt(3)).toBe(1);   // wfx
    expect(exitsAt(4)).toBe(0);   // irq
    expect(exitsAt(5)).toBe(0);   // other
    expect(load<u8>(REC + 88)).toBe(0xee);   // nothing past the record
  });

  it("says when the VM was stopped", () => {
    expect(freshVm()).toBe(0);
    exitWith((<u64>0x07 << 26) | IL);
    handleExit(0);
    expect(vmInfo(REC, 88)).toBe(88);
    expect(load<u32>(REC + VI_STATE)).toBe(VM_STOPPED);
    expect(exitsAt(5)).toBe(1);
  });

  it("is all zero for an instance without a VM", () => {
    vmResetState();
    memory.fill(REC, 0xee, 128);
    expect(vmInfo(REC, 88)).toBe(88);
    for (let i: usize = 0; i < 88; i++) expect(load<u8>(REC + i)).toBe(0);
  });

  it("refuses a buffer too small or outside memory, through the export too", () => {
    freshVm();
    expect(vmInfo(REC, 87)).toBe(STATE_ERR_SPACE);
    expect(wv_vm_info(<i32>REC, -1)).toBe(STATE_ERR_SPACE);
    expect(wv_vm_info(<i32>REC, 87)).toBe(STATE_ERR_SPACE);
    expect(wv_vm_info(<i32>(memory.size() << 16) - 80, 88)).toBe(STATE_ERR_RANGE);
    expect(wv_vm_info(0, 88)).toBe(STATE_ERR_RANGE);
    expect(wv_vm_info(<i32>REC, 88)).toBe(88);
  });
});
