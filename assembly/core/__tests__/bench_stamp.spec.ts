// WV_HC_BENCH_STAMP (docs/abi.md section 3): a bench VM's vCPU gets the counter at the
// vector of its last virtual timer IRQ exit; other VMs get NOT_SUPPORTED, silently.
import { handleExit } from "../../arch/exits";
import { exitRecord, exitSelect, EXIT_CNTVCT, EXIT_FLAGS, EXIT_INTID, EXIT_VCPU, EXIT_FLAG_IRQ, ACTION_RESUME } from "../../abi/exit_record";
import { WV_HC_BENCH_STAMP, WV_HC_NULL, HC_SUCCESS, HC_NOT_SUPPORTED } from "../../abi/hypercalls";
import { CFG_VM_FLAG_BENCH } from "../config";
import { STATE, HC_BENCH } from "../layout";
import { vmResetState } from "../vm";
import { stateSave, stateRestore, stateVersion, STATE_ERR_CONTENT } from "../state";
import { VGIC, VGIC_SIZE } from "../../arch/vgic_layout";
import { VIRTIO_STATE, VIRTIO_STATE_SIZE } from "../../devices/virtio_layout";
import { freshVm } from "../../__tests__/setup";
import { exitWith, hvcEsr, setReg, reg, IL } from "../../__tests__/exit";
import { consoleCount, setCpu } from "../../__tests__/fake";
import { reseal, sectionAt } from "../../__tests__/state_blob";

const VTIMER: u32 = 27;
const KICK: u32 = 8;
const CAP: usize = 32768;
const SAVED: usize = memory.data(<i32>CAP, 16);

/** An IRQ exit of `vcpu` for physical `intid` whose vector read the counter as `cntvct`. */
function irqAt(vcpu: u32, intid: u32, cntvct: u64): i32 {
  setCpu(<i32>vcpu);
  exitSelect(vcpu);
  exitWith((<u64>0x16 << 26) | IL);     // a stale ESR, as the runtime leaves it
  store<u32>(exitRecord + EXIT_VCPU, vcpu);
  store<u32>(exitRecord + EXIT_FLAGS, EXIT_FLAG_IRQ);
  store<u32>(exitRecord + EXIT_INTID, intid);
  store<u64>(exitRecord + EXIT_CNTVCT, cntvct);
  return handleExit(<i32>vcpu);
}

/** An HVC of `id` by `vcpu` at counter `cntvct`; x1 comes in as 0x1111. */
function hvcAt(vcpu: u32, id: u32, cntvct: u64): i32 {
  setCpu(<i32>vcpu);
  exitSelect(vcpu);
  exitWith(hvcEsr(0));
  store<u32>(exitRecord + EXIT_VCPU, vcpu);
  store<u64>(exitRecord + EXIT_CNTVCT, cntvct);
  setReg(0, <u64>id);
  setReg(1, 0x1111);
  return handleExit(<i32>vcpu);
}

describe("WV_HC_BENCH_STAMP", () => {
  it("answers a bench VM's vCPU with the counter of its last virtual timer IRQ exit", () => {
    expect(freshVm(1, CFG_VM_FLAG_BENCH)).toBe(0);
    expect(irqAt(0, VTIMER, 1_000_000)).toBe(ACTION_RESUME);
    expect(hvcAt(0, WV_HC_BENCH_STAMP, 1_000_900)).toBe(ACTION_RESUME);
    expect(reg(0)).toBe(HC_SUCCESS);
    expect(reg(1)).toBe(1_000_000);
    expect(consoleCount()).toBe(0);
  });

  it("answers 0 before the first timer IRQ exit", () => {
    expect(freshVm(1, CFG_VM_FLAG_BENCH)).toBe(0);
    hvcAt(0, WV_HC_BENCH_STAMP, 500);
    expect(reg(0)).toBe(HC_SUCCESS);
    expect(reg(1)).toBe(0);
  });

  it("keeps the timer exit's counter, not a later unrelated exit's", () => {
    expect(freshVm(1, CFG_VM_FLAG_BENCH)).toBe(0);
    irqAt(0, VTIMER, 2_000_000);
    irqAt(0, KICK, 2_000_300);              // another IRQ exit
    hvcAt(0, WV_HC_NULL, 2_000_600);        // a synchronous exit
    hvcAt(0, WV_HC_BENCH_STAMP, 2_000_900); // and the stamp call's own exit
    expect(reg(1)).toBe(2_000_000);
    irqAt(0, VTIMER, 3_000_000);            // the next tick replaces it
    hvcAt(0, WV_HC_BENCH_STAMP, 3_000_100);
    expect(reg(1)).toBe(3_000_000);
  });

  it("keeps one stamp per vCPU", () => {
    expect(freshVm(2, CFG_VM_FLAG_BENCH)).toBe(0);
    irqAt(0, VTIMER, 4_000_000);
    irqAt(1, VTIMER, 4_000_500);
    hvcAt(0, WV_HC_BENCH_STAMP, 4_001_000);
    expect(reg(1)).toBe(4_000_000);
    hvcAt(1, WV_HC_BENCH_STAMP, 4_001_000);
    expect(reg(1)).toBe(4_000_500);
  });

  it("answers NOT_SUPPORTED to a VM without the bench flag, with no line on the console", () => {
    expect(freshVm(1, 0)).toBe(0);
    irqAt(0, VTIMER, 5_000_000);
    expect(hvcAt(0, WV_HC_BENCH_STAMP, 5_000_100)).toBe(ACTION_RESUME);
    expect(reg(0)).toBe(HC_NOT_SUPPORTED);
    expect(reg(1)).toBe(0x1111);
    expect(consoleCount()).toBe(0);
  });
});

/** A bench VM after one timer exit, saved into SAVED, and a new instance: the blob's length. */
function savedBenchVm(): usize {
  expect(freshVm(1, CFG_VM_FLAG_BENCH)).toBe(0);
  irqAt(0, VTIMER, 6_000_000);
  const n = stateSave(SAVED, CAP);
  expect(n).toBeGreaterThan(0);
  vmResetState();
  memory.fill(VGIC, 0, VGIC_SIZE);
  memory.fill(VIRTIO_STATE, 0, VIRTIO_STATE_SIZE);
  return <usize>n;
}

describe("WV_HC_BENCH_STAMP across a save and restore (a live update)", () => {
  it("keeps the bench flag but not the stamps: the new instance answers 0 until the next timer exit", () => {
    const n = savedBenchVm();
    expect(stateRestore(SAVED, n, stateVersion())).toBe(0);
    hvcAt(0, WV_HC_BENCH_STAMP, 6_000_500);
    expect(reg(0)).toBe(HC_SUCCESS);
    expect(reg(1)).toBe(0);
    irqAt(0, VTIMER, 7_000_000);
    hvcAt(0, WV_HC_BENCH_STAMP, 7_000_500);
    expect(reg(1)).toBe(7_000_000);
  });

  it("refuses a core section whose bench word is neither 0 nor 1", () => {
    const n = savedBenchVm();
    expect(load<u32>(sectionAt(SAVED, 0) + HC_BENCH)).toBe(1);
    store<u32>(sectionAt(SAVED, 0) + HC_BENCH, 2);
    reseal(SAVED);
    expect(stateRestore(SAVED, n, stateVersion())).toBe(STATE_ERR_CONTENT);
    expect(load<u32>(STATE + HC_BENCH)).toBe(0);
  });
});
