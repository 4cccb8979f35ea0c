// The shapes the config tools hand around: a board, and a checked set of VMs.
// Addresses and sizes are bigints (they are u64 in the blob); CPU numbers,
// counts and file sizes are plain numbers.

/** A range of physical memory. */
export interface MemRange {
  base: bigint;
  size: bigint;
}

/** boards/<name>/board.json, checked (board.ts). */
export interface BoardDescription {
  name: string;
  description: string;
  /** Physical CPUs 0..cpus-1 exist. */
  cpus: number;
  ram: MemRange;
  /** The part of RAM the hypervisor keeps for itself. */
  hypervisor: MemRange;
  /** Extra QEMU arguments for a board that QEMU emulates (empty otherwise). */
  qemu: string[];
  /** Which device frames a VM may be given (board.json "passthrough"); null: none. */
  passthrough: BoardPassthrough | null;
  /** The board's interrupt controller (board.json "gic"): which virtual GIC its VMs can have. */
  gic: BoardGic;
  /** The board.json file this came from. */
  file: string;
}

/**
 * board.json "gic". A GICv3 board hosts VMs with a virtual GICv3; a GICv2 board (with the
 * virtualization extensions, as a GIC-400) hosts VMs with a virtual GICv2, whose CPU
 * interface is the board's GICV frame at `gicv`.
 */
export type BoardGic = { version: 3; gicv: null } | { version: 2; gicv: bigint };

/** A named physical range of a board, with the INTID the device there raises (if any). */
export interface NamedRange extends MemRange {
  name: string;
  intid?: number;
}

/** What a board lets VMs have of its devices (board.json "passthrough"). */
export interface BoardPassthrough {
  /** Physical frames a passthrough device may take lie inside this range. */
  window: MemRange;
  /** Devices inside the window that are the hypervisor's own (console, GIC): refused by name. */
  reserved: NamedRange[];
  /**
   * The board's virtio-mmio transports: `count` of `size` bytes each from `base`,
   * transport n raising INTID `intid + n`; null when the board has none described.
   */
  virtioMmio: { base: bigint; size: bigint; count: number; intid: number } | null;
}

export type VmType = "mvm" | "gvm" | "rtvm";
export type DeviceType = "pl011" | "gicv3" | "gicv2" | "passthrough" | "virtio-console";

export interface Access {
  r: boolean;
  w: boolean;
  x: boolean;
}

export interface Region {
  ipa: bigint;
  pa: bigint;
  size: bigint;
  access: Access;
}

/** An emulated PL011 UART: one register window. */
export interface Pl011Device {
  type: "pl011";
  ipa: bigint;
  size: bigint;
  /** Interrupt ID, or null for none. */
  irq: number | null;
}

/**
 * A GICv3: the distributor (`ipa`, `size`: 64 KiB) and the redistributors
 * (`redist`, `redistSize`: 128 KiB per vCPU). Two records in the blob.
 */
export interface GicV3Device {
  type: "gicv3";
  ipa: bigint;
  size: bigint;
  /** Always null: the interrupt controller raises no interrupt of its own. */
  irq: null;
  redist: bigint;
  redistSize: bigint;
}

/**
 * A GICv2: the distributor (`ipa`, `size`: 4 KiB, emulated) and the CPU interface (`cpuif`,
 * `cpuifSize`: 8 KiB), which is the board's GICV frame (`gicv`) mapped there by stage 2.
 * Two records in the blob (kinds 4 and 5).
 */
export interface GicV2Device {
  type: "gicv2";
  ipa: bigint;
  size: bigint;
  /** Always null: the interrupt controller raises no interrupt of its own. */
  irq: null;
  cpuif: bigint;
  cpuifSize: bigint;
  /** The board's GICV frame (board.json gic.gicv). */
  gicv: bigint;
}

/** A virtio-mmio transport inside a passthrough frame (for the device tree). */
export interface VirtioMmioTransport {
  /** From the start of the frame. */
  offset: bigint;
  /** Its register window (the board's transport size, else 0x200). */
  size: bigint;
  /** The INTID it raises: the frame's SPI. */
  irq: number;
}

/**
 * A physical device frame the VM gets as it is (docs/abi.md 1, kind 6): `size` bytes of
 * the board's MMIO at `pa`, mapped at `ipa` as Device memory, and its SPI (`irq`, INTID
 * = physical INTID) delivered to the VM.
 */
export interface PassthroughDevice {
  type: "passthrough";
  ipa: bigint;
  size: bigint;
  pa: bigint;
  irq: number | null;
  /** The virtio-mmio transports the frame holds (each gets a device tree node). */
  virtioMmio: VirtioMmioTransport[];
  /** The device reads and writes memory itself (virtio does): its VM must be identity-mapped. */
  dma: boolean;
}

/**
 * A virtio-console the core emulates (docs/abi.md section 6, device kind 7): a virtio-mmio
 * transport of 0x200 bytes at `ipa` raising the SPI `irq`, the VM's end of the
 * hypervisor channel (/dev/hvc0 in a Linux guest).
 */
export interface VirtioConsoleDevice {
  type: "virtio-console";
  ipa: bigint;
  /** Always 0x200: registers and configuration space. */
  size: bigint;
  irq: number;
}

export type Device = Pl011Device | GicV3Device | GicV2Device | PassthroughDevice | VirtioConsoleDevice;

export interface Image {
  /** The name written in the config (for the generated device tree: "<vm name>.dtb"). */
  file: string;
  /** Where the resolver found it ("" for the generated device tree until it is built). */
  path: string;
  /** Its size in bytes, when it was loaded (0 for the generated device tree until it is built). */
  size: number;
  ipa: bigint;
  /**
   * Bytes of guest memory the image takes when that is more than its size: an arm64
   * kernel's image_size (its bss follows the file), the room kept for a generated
   * device tree. Overlap checks use it.
   */
  extent?: bigint;
  /**
   * Set for what the tools make: "dtb" the device tree of a VM with a linux or kernel
   * section; "segment" a PT_LOAD segment of an ELF kernel (`segment` says which bytes).
   */
  generated?: "dtb" | "segment";
  /** For a segment: `filesz` bytes of `source` from `offset`, then zeros up to `size`. */
  segment?: { source: string; offset: bigint; filesz: bigint };
}

/** What a generated device tree carries for a VM, and the image it becomes. */
export interface BootTree {
  /** The generated device tree (one of the VM's images). */
  dtb: Image;
  /** The initrd (one of the VM's images), or null. */
  initrd: Image | null;
  bootargs: string;
}

/** How QEMU would load a `kernel` file (kernel.ts): found by its content. */
export type KernelKind = "elf" | "image" | "raw";

/** How a VM with a `kernel` section boots (kernel.ts): as QEMU virt's -kernel would boot the file. */
export interface KernelBoot extends BootTree {
  kind: KernelKind;
  /** The file named in the config. */
  file: string;
  /** What is loaded of it (among the VM's images): the file itself, or an ELF's segments. */
  parts: Image[];
  /** x0 at entry: the device tree's address, or null (0) for an ELF, which QEMU enters with x0 = 0. */
  x0: bigint | null;
}

/** How a VM with a `linux` section boots (linux.ts): its images and command line. */
export interface LinuxBoot extends BootTree {
  /** The arm64 Image (one of the VM's images); entry is its ipa. */
  kernel: Image;
  /** The Image header's text_offset and image_size. */
  textOffset: bigint;
  imageSize: bigint;
}

export interface Vm {
  /** Position in the file: the VM index in the blob. */
  index: number;
  name: string;
  type: VmType;
  description: string;
  cpus: number[];
  vcpus: number;
  memory: Region[];
  devices: Device[];
  images: Image[];
  entry: bigint;
  /** null: no device tree (0 in the blob). */
  dtb: bigint | null;
  ready: string;
  expect: string[];
  bench: boolean;
  /** An access outside every region and device: stop the VM, or give the guest a synchronous external abort. */
  unmappedAccess: UnmappedAccess;
  /** Time slice where its vCPUs share CPUs, in µs; 0 = the runtime's default (10 ms). */
  sliceUs: number;
  /** Set when the VM boots Linux (its `linux` section); null otherwise. */
  linux: LinuxBoot | null;
  /** Set when the VM boots a file as QEMU virt's -kernel would (its `kernel` section); null otherwise. */
  kernel: KernelBoot | null;
}

export type UnmappedAccess = "stop" | "external-abort";

/** A VM config file, loaded and checked (load.ts). */
export interface VmSet {
  /** The config file, as the caller named it. */
  file: string;
  /** Name of the board the set was checked against. */
  board: string;
  description: string;
  vms: Vm[];
  /**
   * Extra QEMU arguments of the config ("qemu": { "args" }) with their placeholders
   * ("{port}") still in: the runner fills them in (tools/config/qemu_args.ts).
   */
  qemuArgs: string[];
}

/** Finds an image file named in a config: its path, or null when there is none. */
export type ImageResolver = (name: string) => string | null;
