// A config's extra QEMU arguments ("qemu": { "args": [...] }): what the board's machine
// arguments do not give, such as a network device for a passthrough test. They may hold
// the placeholder {port}, which the runner replaces by a free TCP port of 127.0.0.1 (the
// same port for every {port} of a run) and reports, so that a forwarded guest service
// can be reached from this machine without a fixed port number. Forwarded host ports
// must bind 127.0.0.1: a run never opens a port to the network.

/** Placeholders the runner fills in. */
export const PLACEHOLDERS = ["port"] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

/** Options the runner or the board sets: a config may not set them again. */
const RUNNER_OPTIONS: Record<string, string> = {
  "-kernel": "the runner loads the hypervisor image",
  "-M": "the board's machine arguments (board.json qemu) choose the machine",
  "-machine": "the board's machine arguments (board.json qemu) choose the machine",
  "-cpu": "the board's machine arguments (board.json qemu) choose the CPU",
  "-smp": "the board's machine arguments (board.json qemu) give the CPUs",
  "-m": "the board's machine arguments (board.json qemu) give the RAM",
  "-serial": "the runner reads the console from the first serial port",
  "-monitor": "the runner turns the monitor off",
  "-display": "the runner runs without a display",
  "-nographic": "the runner runs without a display",
  "-icount": "wasmvisor run --icount sets it",
};

/** One host forwarding rule of a -netdev user option: hostfwd=[tcp|udp]:[addr]:port-[addr]:port. */
export interface HostForward { proto: string; hostAddr: string; hostPort: string; guestPort: string }

export function hostForwards(args: readonly string[]): HostForward[] {
  const out: HostForward[] = [];
  for (const a of args) {
    for (const m of a.matchAll(/(?:^|,)hostfwd=(tcp|udp)?:([^:,]*):([^-,]*)-[^:,]*:([^,]*)/g)) {
      out.push({ proto: m[1] ?? "tcp", hostAddr: m[2]!, hostPort: m[3]!, guestPort: m[4]! });
    }
  }
  return out;
}

type Bad = (path: string, message: string) => void;

/** Check the args of a config; `at` is their field ("qemu.args"). */
export function checkQemuArgs(args: readonly string[], at: string, bad: Bad): void {
  args.forEach((a, k) => {
    const why = RUNNER_OPTIONS[a];
    if (why) bad(`${at}[${k}]`, `${a} cannot be given here: ${why}`);
    for (const m of a.matchAll(/\{([^}]*)\}/g)) {
      if (!(PLACEHOLDERS as readonly string[]).includes(m[1]!)) {
        bad(`${at}[${k}]`, `unknown placeholder {${m[1]}} (known: ${PLACEHOLDERS.map((p) => `{${p}}`).join(", ")})`);
      }
    }
    if (/(?:^|,)hostfwd=/.test(a)) {
      const rules = hostForwards([a]);
      const count = (a.match(/(?:^|,)hostfwd=/g) ?? []).length;
      if (rules.length !== count) {
        bad(`${at}[${k}]`, `a hostfwd rule is not [tcp|udp]:hostaddr:hostport-[guestaddr]:guestport`);
      }
      for (const r of rules) {
        if (r.hostAddr !== "127.0.0.1") {
          bad(`${at}[${k}]`, `hostfwd=${r.proto}:${r.hostAddr}:${r.hostPort}-… binds ${r.hostAddr ? r.hostAddr : "every interface of this machine"}; ` +
            `forward from 127.0.0.1 only (hostfwd=${r.proto}:127.0.0.1:${r.hostPort || "{port}"}-:${r.guestPort})`);
        }
      }
    }
  });
}

/** True when some arg holds {port}. */
export function usesPort(args: readonly string[]): boolean {
  return args.some((a) => a.includes("{port}"));
}

/** `args` with the placeholders filled in; throws when one is needed but not given. */
export function expandQemuArgs(args: readonly string[], values: Partial<Record<Placeholder, number | string>>): string[] {
  return args.map((a) => a.replace(/\{([^}]*)\}/g, (whole, name: string) => {
    const v = values[name as Placeholder];
    if (v === undefined) throw new Error(`QEMU argument ${JSON.stringify(a)} needs a value for ${whole}`);
    return String(v);
  }));
}
