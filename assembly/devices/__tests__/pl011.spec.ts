import { pl011Read, pl011Write, pl011Reset, UARTDR, UARTFR, UARTFR_VALUE, UARTCR, UARTRIS, UARTPERIPHID0 } from "../pl011";
import { consolePending, consoleFlush } from "../../core/console";
import { freshVm } from "../../__tests__/setup";
import { fakeReset, consoleCount, lastConsole, consoleText } from "../../__tests__/fake";

function putLine(s: string): void {
  for (let i = 0; i < s.length; i++) pl011Write(0, UARTDR, <u32>s.charCodeAt(i), 0xff);
}

describe("PL011 registers", () => {
  it("reads UARTFR as transmit empty, nothing received, never busy or full", () => {
    expect(freshVm()).toBe(0);
    expect(pl011Read(0, UARTFR)).toBe(UARTFR_VALUE);
    expect(UARTFR_VALUE).toBe(0x90);
  });

  it("keeps UARTCR as written and ignores writes to UARTFR", () => {
    expect(freshVm()).toBe(0);
    pl011Write(0, UARTCR, 0x301, 0xffffffff);
    pl011Write(0, UARTFR, 0xff, 0xffffffff);
    expect(pl011Read(0, UARTCR)).toBe(0x301);
    expect(pl011Read(0, UARTFR)).toBe(UARTFR_VALUE);
  });

  it("reads only the transmit interrupt raw when nothing was received, and unknown offsets as 0", () => {
    expect(freshVm()).toBe(0);
    pl011Write(0, UARTRIS, 0xff, 0xffffffff);
    expect(pl011Read(0, UARTRIS)).toBe(0x20);
    expect(pl011Read(0, 0x800)).toBe(0);
  });

  it("identifies itself as a PL011 PrimeCell", () => {
    expect(freshVm()).toBe(0);
    expect(pl011Read(0, UARTPERIPHID0)).toBe(0x11);
    expect(pl011Read(0, UARTPERIPHID0 + 4)).toBe(0x10);
    expect(pl011Read(0, UARTPERIPHID0 + 8) & 0xf).toBe(0x4);
    expect(pl011Read(0, 0xff0)).toBe(0x0d);
    expect(pl011Read(0, 0xffc)).toBe(0xb1);
  });

  it("forgets its registers on reset", () => {
    expect(freshVm()).toBe(0);
    pl011Write(0, UARTCR, 0x301, 0xffffffff);
    pl011Reset(0);
    expect(pl011Read(0, UARTCR)).toBe(0);
  });
});

describe("PL011 output", () => {
  it("prints a line with the VM prefix at the newline", () => {
    expect(freshVm()).toBe(0);
    putLine("hello");
    expect(consoleCount()).toBe(0);
    expect(consolePending()).toBe(5);
    putLine("\r\n");
    expect(consoleCount()).toBe(1);
    expect(lastConsole()).toBe("[linux] hello\n");
    expect(consolePending()).toBe(0);
  });

  it("prints a full buffer of 120 bytes without waiting for the newline", () => {
    expect(freshVm()).toBe(0);
    for (let i = 0; i < 125; i++) pl011Write(0, UARTDR, 0x61, 0xff);
    expect(consoleCount()).toBe(1);
    expect(lastConsole()).toBe("[linux] " + "a".repeat(120) + "\n");
    expect(consolePending()).toBe(5);
  });

  it("prints an empty line as the bare prefix", () => {
    expect(freshVm()).toBe(0);
    putLine("\n");
    expect(lastConsole()).toBe("[linux]\n");
  });

  it("ignores a write whose byte lanes miss the data byte", () => {
    expect(freshVm()).toBe(0);
    pl011Write(0, UARTDR, 0x4100, 0xff00);
    expect(consolePending()).toBe(0);
  });

  it("flushes a pending partial line on demand", () => {
    expect(freshVm()).toBe(0);
    putLine("partial");
    consoleFlush();
    expect(consoleText(0)).toBe("[linux] partial\n");
  });
});
