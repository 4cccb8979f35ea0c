// The virtio-console device of a VM (docs/abi.md section 6, device kind 7): a virtio-mmio
// transport the core emulates, 0x200 bytes at a 0x200-aligned IPA, raising an SPI of the
// virtual GIC (level-sensitive). It is the VM's end of the hypervisor channel (a Linux
// guest's /dev/hvc0), so a VM has at most one.
import type { Device, VirtioConsoleDevice } from "./types.ts";
import { MAX_VGIC_INTID } from "./passthrough.ts";
import { hex, parseAddress } from "./values.ts";

type Address = number | string;
export interface RawVirtioConsole {
  type: "virtio-console";
  ipa: Address;
  irq: number | null;
}

/** The transport's window: registers (0x000..0x0ff) and configuration space (0x100..0x1ff). */
export const VIRTIO_CONSOLE_SIZE = 0x200n;
/** The first SPI. */
const FIRST_SPI = 32;

type Bad = (path: string, message: string) => void;

/** Build a virtio-console from its (schema-valid) description; `at` is "vms[i].devices[k]". */
export function buildVirtioConsole(d: RawVirtioConsole, at: string, bad: Bad): VirtioConsoleDevice {
  const dev: VirtioConsoleDevice = { type: "virtio-console", ipa: parseAddress(d.ipa), size: VIRTIO_CONSOLE_SIZE, irq: d.irq ?? 0 };
  if (dev.ipa % VIRTIO_CONSOLE_SIZE !== 0n) {
    bad(`${at}.ipa`, `${hex(dev.ipa)} is not 0x200 aligned (a virtio-mmio transport is a 0x200-byte window at a multiple of 0x200)`);
  }
  if (d.irq === null) {
    bad(`${at}.irq`, `null, but a virtio-console raises an interrupt: give it an SPI (${FIRST_SPI}..${MAX_VGIC_INTID}) no other device of the VM uses`);
  } else if (d.irq < FIRST_SPI) {
    bad(`${at}.irq`, `INTID ${d.irq} is no SPI: a virtio-console raises an SPI (${FIRST_SPI}..${MAX_VGIC_INTID})`);
  } else if (d.irq > MAX_VGIC_INTID) {
    bad(`${at}.irq`, `INTID ${d.irq} is above ${MAX_VGIC_INTID}, the last INTID of the virtual GIC`);
  }
  return dev;
}

/** A VM has one hypervisor channel: at most one virtio-console. `vm` is "vms[i]". */
export function checkVirtioConsoles(devices: readonly Device[], vm: string, bad: Bad): void {
  const first = devices.findIndex((d) => d.type === "virtio-console");
  devices.forEach((d, k) => {
    if (d.type === "virtio-console" && k > first) {
      bad(`${vm}.devices[${k}].type`, `a VM has at most one virtio-console (its end of the hypervisor channel), and ${vm}.devices[${first}] is one already`);
    }
  });
}
