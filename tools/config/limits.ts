// Limits of the config blob (docs/abi.md section 1) and of stage 2, shared by the checks.
export const LIMITS = { vms: 8, vcpus: 8, regions: 8, devices: 8, images: 4, ipaBits: 39 } as const;
export const IPA_LIMIT = 1n << BigInt(LIMITS.ipaBits);
export const PAGE = 0x1000n;
