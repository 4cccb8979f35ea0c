// The EL1 physical timer is the guest's (docs/abi.md 4): the RT guest built to tick on
// CNTP_* (INTID 30) gets its interrupts alone on a CPU, and two of them sharing a CPU
// each keep their own physical timer across the switches and are woken by it from WFI.
import { test } from "node:test";
import { boot, noLine } from "./boot.ts";

const TIMEOUT_MS = 240_000;
const VMS = ["pt-alone", "pt-a", "pt-b"] as const;
/** Latency rounds (1000 ticks each) every VM must print. */
const ROUNDS = 2;

test("a guest's physical-timer interrupt fires, alone on a CPU and on a shared one", async () => {
  const r = await boot("ptimer", `${ROUNDS} latency rounds of each of ${VMS.join(", ")}`, (_l, all) =>
    VMS.every((vm) => all.filter((l) => l.startsWith(`[${vm}] rt latency ns:`)).length >= ROUNDS), TIMEOUT_MS);
  noLine(r.lines, /PANIC| stopped: |rt: ERROR|not the VM's/, "no VM stopped or missed its physical timer");
});
