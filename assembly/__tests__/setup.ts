// Build a running VM "linux" from the standard blob with the fake host.

import { fakeReset } from "./fake";
import { makeBlob, BLOB } from "./blob";
import { vmResetState, vmInit } from "../core/vm";

export function freshVm(): i32 {
  fakeReset();
  vmResetState();
  const len = makeBlob(1);
  const rc = vmInit(0, BLOB, len);
  fakeReset();   // the specs look at what the exit, not the build, did
  return rc;
}
