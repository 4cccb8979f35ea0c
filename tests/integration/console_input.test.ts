// Console input (docs/abi.md section 5): what is typed on the board's UART reaches the
// emulated PL011 of the VM that has the focus, through the runtime's receive interrupt,
// wv_console_input, the PL011's receive FIFO and its SPI in the virtual GIC; Ctrl-A and a
// VM's index move the focus.
import { test } from "node:test";
import assert from "node:assert/strict";
import { converse, selectVm, LIST_VMS, ENTER } from "./console.ts";

const TIMEOUT_MS = 300_000;

const ready = (vm: string) => (line: string) => line === `[${vm}] READY ${vm}`;
const exactly = (text: string) => (line: string) => line === text;

test("a Linux VM's shell answers what is typed on the console", async () => {
  const c = await converse("linux-shell", [
    { what: `"[linux] READY linux"`, until: ready("linux") },
    // Typed at once: Linux's shell starts a moment after READY linux, and what is typed
    // before it reads waits in the tty's input queue.
    { what: `"[linux] hello-42" (the shell ran echo hello-$((6*7)))`, type: `echo hello-$((6*7))${ENTER}`,
      until: exactly("[linux] hello-42") },
    // Ctrl-A Ctrl-A gives the shell one Ctrl-A: its line editor moves to the start of the line.
    { what: `"[linux] ctrl-a-42" (-$((6*7)), then Ctrl-A to the line's start, then echo ctrl-a)`,
      type: `-$((6*7))\x01\x01echo ctrl-a${ENTER}`, until: exactly("[linux] ctrl-a-42") },
  ], TIMEOUT_MS);
  assert.equal(c.problem, "");
  assert.ok(c.lines.includes("[wasmvisor] console input -> vm linux (Ctrl-A ? lists the VMs)"),
    "the boot names the VM with the console input");
});

test("Ctrl-A and a VM's index move the console input between VMs", async () => {
  const TICK = /^\[counter\] tick (\d+)$/;
  const lastTick = (all: string[]) => {
    for (let i = all.length - 1; i >= 0; i--) { const m = TICK.exec(all[i]!); if (m) return Number(m[1]); }
    return 0;
  };
  let base = 0;
  const typedAway = (line: string) => line.includes("away-42") || /^\[linux\].*echo away/.test(line);
  const c = await converse("console-switch", [
    { what: `"READY linux" and "READY counter"`,
      until: (_l, all) => all.includes("[linux] READY linux") && all.includes("[counter] READY counter") },
    { what: `"[linux] one-42" (linux has the input at boot)`, type: `echo one-$((6*7))${ENTER}`,
      until: exactly("[linux] one-42") },
    { what: "the list of the VMs (Ctrl-A ?)", type: LIST_VMS, until: exactly("[wasmvisor]   1 counter (gvm)") },
    { what: `"[wasmvisor] console input -> vm counter" (Ctrl-A 1)`, type: selectVm(1),
      until: exactly("[wasmvisor] console input -> vm counter") },
    // Typed while counter has the input: the bytes go to counter's queue, in order before
    // the Ctrl-A 0 that follows, so had linux got them it would answer away-42 before
    // back-42; no wait on the clock is needed to see that it does not.
    { what: "typing echo away-42 while counter has the input", type: `echo away-$((6*7))${ENTER}`, forbid: typedAway },
    { what: `"[wasmvisor] console input -> vm linux" (Ctrl-A 0)`, type: selectVm(0),
      until: exactly("[wasmvisor] console input -> vm linux"), forbid: typedAway },
    { what: `"[linux] back-42" (linux has the input again)`, type: `echo back-$((6*7))${ENTER}`,
      until: (l, all) => { if (l !== "[linux] back-42") return false; base = lastTick(all); return true; }, forbid: typedAway },
    { what: "three more ticks of counter (it kept running beside)",
      until: (l) => { const m = TICK.exec(l); return m !== null && Number(m[1]) >= base + 3; } },
  ], TIMEOUT_MS);
  assert.equal(c.problem, "");
  const L = c.lines;
  assert.ok(L.includes("[wasmvisor]   0 linux (gvm) <- input"), "the list marks the VM with the input");
});
