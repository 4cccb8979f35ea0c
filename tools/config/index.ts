// The VM config tools: vmconfigs/*.json -> checked VmSet -> config blob (docs/abi.md section 1).
export type {
  Access, BoardDescription, BoardGic, BoardPassthrough, Device, DeviceType, GicV2Device, GicV3Device, Image, ImageResolver, LinuxBoot, MemRange,
  BootTree, KernelBoot, KernelKind,
  PassthroughDevice, Pl011Device, Region, VirtioConsoleDevice, VirtioMmioTransport, Vm, VmSet, VmType,
} from "./types.ts";
export { VmConfigError, BoardError, formatIssue, type Issue } from "./errors.ts";
export { loadVmConfig, type LoadOptions } from "./load.ts";
export { loadBoard, parseBoard, boardFile, BOARDS_DIR } from "./board.ts";
export { encodeBlob, decodeBlob, imageTable, imageKey, deviceRecords, DEVICE_KIND, type DecodedBlob, type DecodedVm } from "./blob.ts";
export { SCHEMA_PATH, vmConfigSchema } from "./schema.ts";
export { LIMITS } from "./semantic.ts";
export { parseAddress, parseSize, hex } from "./values.ts";
export { GICV3, PL011_SIZE } from "./devices.ts";
export { GICV2 } from "./gicv2.ts";
export { DTB_ROOM } from "./linux.ts";
export { bootTree } from "./boot_tree.ts";
export { PASSTHROUGH_SIZE, VIRTIO_MMIO_SIZE } from "./passthrough.ts";
export { VIRTIO_CONSOLE_SIZE } from "./virtio_console.ts";
export { expandQemuArgs, hostForwards, usesPort, type HostForward } from "./qemu_args.ts";
export { parseArm64Header, readArm64Header, type Arm64Image } from "./arm64_image.ts";
