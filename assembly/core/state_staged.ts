// Whether this instance is staged: its state came from wv_restore and nothing has acted
// on it since (no exit, wv_init or wv_reset), so the runtime has not yet been asked to do
// anything for it. Only then may wv_restore replace the state of a VM again (the dry run
// of a live update restores twice: docs/abi.md section 2). Not part of saved state.

let staged: bool = false;

@inline export function stateStaged(): bool {
  return staged;
}

@inline export function stateSetStaged(on: bool): void {
  staged = on;
}
