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
  /** The board.json file this came from. */
  file: string;
}

export type VmType = "mvm" | "gvm" | "rtvm";
export type DeviceType = "pl011";

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

export interface Device {
  type: DeviceType;
  ipa: bigint;
  size: bigint;
  /** Interrupt ID, or null for none. */
  irq: number | null;
}

export interface Image {
  /** The name written in the config. */
  file: string;
  /** Where the resolver found it. */
  path: string;
  /** Its size in bytes, when it was loaded. */
  size: number;
  ipa: bigint;
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
}

/** A VM config file, loaded and checked (load.ts). */
export interface VmSet {
  /** The config file, as the caller named it. */
  file: string;
  /** Name of the board the set was checked against. */
  board: string;
  description: string;
  vms: Vm[];
}

/** Finds an image file named in a config: its path, or null when there is none. */
export type ImageResolver = (name: string) => string | null;
