// The build variant of the core (docs/abi.md section 2, "Variants"). The build makes two
// modules from the same sources: variant 1 (build/core.wasm, the default) and variant 2
// (build/core-v2.wasm, compiled with asc's `--use WV_VARIANT=2`, tools/build/core.ts),
// the module a live update goes to and rolls back from. The constant is read in few
// places only, each a small visible difference:
//   abi/hypercalls.ts  the core version (0.1.0 / 0.2.0) and WV_HC_FEATURES (variant 2 only)
//   core/layout.ts     the core section's layout: exit counters of 32 (version 3) or
//                      64 bits (version 4); core/state_core.ts converts between them.
// Everything else is compiled the same in both, the conversions of both layouts included.

/** 1 (the default build) or 2 (`--use WV_VARIANT=2`). */
// @ts-ignore: WV_VARIANT exists only when asc's --use introduces it.
export const CORE_VARIANT: i32 = isDefined(WV_VARIANT) ? WV_VARIANT : 1;

/** The second variant's build. */
export const VARIANT_2: bool = CORE_VARIANT == 2;
