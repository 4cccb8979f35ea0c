// The VM config tools: vmconfigs/*.json -> checked VmSet -> config blob (docs/abi.md section 1).
export type {
  Access, BoardDescription, Device, DeviceType, GicV3Device, Image, ImageResolver, LinuxBoot, MemRange, Pl011Device, Region,
  Vm, VmSet, VmType,
} from "./types.ts";
export { VmConfigError, BoardError, formatIssue, type Issue } from "./errors.ts";
export { loadVmConfig, type LoadOptions } from "./load.ts";
export { loadBoard, parseBoard, boardFile, BOARDS_DIR } from "./board.ts";
export { encodeBlob, decodeBlob, imageTable, imageKey, deviceRecords, DEVICE_KIND, type DecodedBlob, type DecodedVm } from "./blob.ts";
export { SCHEMA_PATH, vmConfigSchema } from "./schema.ts";
export { LIMITS } from "./semantic.ts";
export { parseAddress, parseSize, hex } from "./values.ts";
export { GICV3, PL011_SIZE } from "./devices.ts";
export { DTB_ROOM } from "./linux.ts";
export { parseArm64Header, readArm64Header, type Arm64Image } from "./arm64_image.ts";
