// The VM config tools: vmconfigs/*.json -> checked VmSet -> config blob (docs/abi.md section 1).
export type {
  Access, BoardDescription, Device, DeviceType, Image, ImageResolver, MemRange, Region, Vm, VmSet, VmType,
} from "./types.ts";
export { VmConfigError, BoardError, formatIssue, type Issue } from "./errors.ts";
export { loadVmConfig, type LoadOptions } from "./load.ts";
export { loadBoard, parseBoard, boardFile, BOARDS_DIR } from "./board.ts";
export { encodeBlob, decodeBlob, imageTable, type DecodedBlob, type DecodedVm } from "./blob.ts";
export { SCHEMA_PATH, vmConfigSchema } from "./schema.ts";
export { LIMITS } from "./semantic.ts";
export { parseAddress, parseSize, hex } from "./values.ts";
