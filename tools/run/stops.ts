// Which VMs of a headless run have stopped, read from the hypervisor's own lines. Once
// every VM has stopped nothing more can appear on the console, so the run ends then
// instead of at its timeout.

/** The runtime parks a stopped VM's vCPUs and says why (runtime-c/core/trap.c, wv_vm_stop). */
const PARKED = /^\[wasmvisor\] vm (\S+): all vCPUs parked \((.*)\)$/;
/** A VM whose core refused to build it (runtime-c/core/main.c). */
const NOT_STARTED = /^\[wasmvisor\] vm (\S+) not started: (.*)$/;

export class VmStops {
  private readonly why = new Map<string, string>();

  constructor(private readonly names: readonly string[]) {}

  /** Take one console line; true when, with it, every VM has stopped. */
  observe(line: string): boolean {
    const m = PARKED.exec(line) ?? NOT_STARTED.exec(line);
    if (m && this.names.includes(m[1]!) && !this.why.has(m[1]!)) this.why.set(m[1]!, m[2]!);
    return this.allStopped();
  }

  allStopped(): boolean {
    return this.names.length > 0 && this.names.every((n) => this.why.has(n));
  }

  /** "name (why), ..." for the VMs that stopped, in config order. */
  describe(): string {
    return this.names.filter((n) => this.why.has(n)).map((n) => `${n} (${this.why.get(n)})`).join(", ");
  }
}
