// Build a running VM "linux" from the standard blob with the fake host.

import { exitSelect } from "../abi/exit_record";
import { fakeReset } from "./fake";
import { makeBlob, BLOB } from "./blob";
import { cfgVm, CFG_VM_VCPU_COUNT, CFG_VM_PCPU_MASK, CFG_VM_FLAGS } from "../core/config";
import { vmResetState, vmInit } from "../core/vm";

/** VM 0 of a one-VM blob, with `vcpus` vCPUs on physical CPUs 0..vcpus-1 and record `flags`. */
export function freshVm(vcpus: u32 = 1, flags: u32 = 0): i32 {
  fakeReset();
  vmResetState();
  const len = makeBlob(1);
  store<u32>(cfgVm(BLOB, 0) + CFG_VM_VCPU_COUNT, vcpus);
  store<u32>(cfgVm(BLOB, 0) + CFG_VM_PCPU_MASK, (1 << vcpus) - 1);
  store<u32>(cfgVm(BLOB, 0) + CFG_VM_FLAGS, flags);
  const rc = vmInit(0, BLOB, len);
  fakeReset();   // the specs look at what the exit, not the build, did
  exitSelect(0); // vCPU 0's exit record, until a spec handles another's
  return rc;
}
