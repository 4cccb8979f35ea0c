// The wasmvisor command line: `npx wasmvisor <command> [options]` (also behind the
// npm scripts). Every command has --help.
import { buildImage, TIERS, type Tier } from "./build/image.ts";
import { runCommand } from "./run/index.ts";
import { portNumber } from "./run/ports.ts";
import { testCommand } from "./test/index.ts";
import { benchCommand, profileCommand, profileRtCommand } from "./bench/index.ts";
import { setup } from "./setup/index.ts";
import { signCommand } from "./sign/index.ts";
import { updateCommand } from "./update/index.ts";
import { fuzzCommand } from "./fuzz/index.ts";
import { replayCommand } from "./replay/index.ts";
import { replayAtEl2Command } from "./replay/el2.ts";

/** The default demo: management, guest and real-time VMs side by side (vmconfigs/mixed.json). */
const DEFAULT_CONFIG = "mixed";

/** --tier's value: native or wasm3 (undefined: the default, native). */
function tierName(v: string | boolean | undefined): Tier | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "string" && (TIERS as readonly string[]).includes(v)) return v as Tier;
  throw new Error(`--tier ${String(v)}: expected ${TIERS.join(" or ")}`);
}

interface Command {
  usage: string;
  help: string;
  flags: Record<string, "bool" | "num" | "str">;
  main: (args: string[], flags: Record<string, string | boolean>) => Promise<number>;
}

const commands: Record<string, Command> = {
  setup: {
    usage: "wasmvisor setup",
    help: "Install what is missing: Debian packages, npm packages, wasm3's sources, the guest kernel and busybox.",
    flags: {},
    main: async () => { setup(); return 0; },
  },
  build: {
    usage: "wasmvisor build [vmconfig]",
    help: "Build the image for a VM config (default: mixed) into build/img/<config>/wasmvisor.elf.\n" +
      "  Environment: WASMVISOR_DEV_UNSIGNED=1 builds a development image that also accepts unsigned core\n" +
      "  modules for live update; WASMVISOR_SIGNING_KEY=PEM signs with your key (docs/signing.md).",
    flags: {},
    main: async (args) => {
      const img = buildImage(args[0] ?? DEFAULT_CONFIG);
      process.stdout.write(`${img.elf}\n`);
      return 0;
    },
  },
  run: {
    usage: "wasmvisor run [vmconfig] [--headless] [--timeout S] [--icount] [--port N] [--tier native|wasm3] [--trace FILE]",
    help: "Build and boot a VM config (default: mixed, the three-VM demo) on QEMU. Console lines carry a [vm-name] prefix.\n" +
      "  --headless   no console input; exit 0 once every VM printed its ready marker (and expected lines),\n" +
      "               non-zero with the reason on timeout, hypervisor panic, or as soon as every VM has\n" +
      "               stopped without reaching its markers\n" +
      "  --timeout S  give up after S seconds (headless only; default 120)\n" +
      "  --icount     run QEMU with -icount shift=0 (1 ns = 1 instruction)\n" +
      "  --port N     the TCP port of 127.0.0.1 that {port} in the config's qemu.args becomes (default: a free\n" +
      "               one); the runner prints each forward as `[wasmvisor] forwarding 127.0.0.1:N -> guest ...`\n" +
      "  --tier T     the engine of the core: native (default: its native part, docs/native-tier.md) or wasm3\n" +
      "               (the interpreter; the image is built without the native part)\n" +
      "  --trace FILE the image that records every call into each VM's core instance, written to FILE\n" +
      "               through QEMU's semihosting; `wasmvisor replay FILE` replays it (docs/replay.md)",
    flags: { headless: "bool", timeout: "num", icount: "bool", port: "num", tier: "str", trace: "str" },
    main: async (args, f) => runCommand({
      config: args[0] ?? DEFAULT_CONFIG, headless: f.headless === true,
      timeoutS: f.timeout !== undefined ? Number(f.timeout) : 120, icount: f.icount === true,
      port: f.port !== undefined ? portNumber(f.port) : undefined, tier: tierName(f.tier),
      trace: typeof f.trace === "string" ? f.trace : undefined,
    }),
  },
  test: {
    usage: "wasmvisor test [--only SUITE] [--repeat N]",
    help: "Build what is missing and run every test suite; the last line is `N passed, N failed`.\n" +
      "  --only SUITE  run one suite: aspect, core-smoke, typecheck, tools, host, integration\n" +
      "  --repeat N    run the suites N times in a row (a flaky test shows as a failure in some round); the\n" +
      "                last line adds up every round, and each round's failures are listed as they happen",
    flags: { only: "str", repeat: "num" },
    main: async (_a, f) => testCommand(typeof f.only === "string" ? f.only : undefined,
      f.repeat !== undefined ? Number(f.repeat) : 1),
  },
  update: {
    usage: "wasmvisor update FILE [--port N] [--host H] [--timeout S]",
    help: "Replace the running demo's hypervisor core by the module FILE (.wvm), through the management VM's\n" +
      "network (its wvctl, docs/wvctl.md); prints what the hypervisor reported, non-zero when it refused.\n" +
      "  --port N     the 127.0.0.1 port forwarded to the MVM's port 5000 (`wasmvisor run` prints it; default:\n" +
      "               the forward of the one running QEMU that has one)\n" +
      "  --host H     the address the port is on (default 127.0.0.1)\n" +
      "  --timeout S  give up after S seconds (default 60)",
    flags: { port: "num", host: "str", timeout: "num" },
    main: async (args, f) => updateCommand(args, f),
  },
  sign: {
    usage: "wasmvisor sign IN.wasm [OUT.wvm] [--key PEM] [--native FILE]",
    help: "Sign a core module for live update: write OUT.wvm (default: IN with .wvm) as docs/signing.md describes.\n" +
      "  --key PEM      the Ed25519 private key (PKCS#8 PEM) to sign with (default: $WASMVISOR_SIGNING_KEY, else the\n" +
      "                 development key in .cache/keys/, made on first use)\n" +
      "  --native FILE  the module's native part (build/core.native for build/core.wasm) to carry and sign with it\n" +
      "                 (docs/native-tier.md)",
    flags: { key: "str", native: "str" },
    main: async (args, f) => signCommand(args, f),
  },
  replay: {
    usage: "wasmvisor replay TRACE [--module core.wasm] | wasmvisor replay TRACE --at-el2 [--timeout S]",
    help: "Replay a trace recorded by `wasmvisor run --trace` (or a test) in Node, on the same core module, every\n" +
      "import answered from the trace, and compare each call with the board: its result, the exit record handed\n" +
      "back, the imports and their arguments. Prints each instance's calls and exits by class, the first\n" +
      "divergence (call, export, what differed), and `replay: N calls, M imports, identical`; exit status 1 on a\n" +
      "divergence (docs/replay.md).\n" +
      "  --module F   the core module the board ran (default: build/core.wasm or build/core-v2.wasm, the one\n" +
      "               whose SHA-256 the trace names)\n" +
      "  --at-el2     replay at EL2 instead, on both engines (the core's native part and wasm3): boots the replay\n" +
      "               image (build/core.wasm and its native part, no VM) under QEMU, which reads TRACE through\n" +
      "               semihosting; prints each instance, the first divergence per instance and engine, one line\n" +
      "               per engine (`replay: native: N calls, M exits, K imports, identical`) and `replay: end: ...`;\n" +
      "               exit status 0 identical on both, 1 diverged, 2 the trace could not be replayed. An instance\n" +
      "               of another module (a live update's core-v2) is named and skipped\n" +
      "  --timeout S  with --at-el2: the bound on the run (default 1800)",
    flags: { module: "str", "at-el2": "bool", timeout: "num" },
    main: async (args, f) => {
      if (!args[0]) throw new Error("replay: which trace? (wasmvisor replay TRACE)");
      if (f["at-el2"]) {
        if (f.module !== undefined) throw new Error("replay: --at-el2 replays on the image's own core module; --module is for the Node replay");
        return replayAtEl2Command(args[0], typeof f.timeout === "string" ? Number(f.timeout) * 1000 : undefined);
      }
      return replayCommand(args[0], typeof f.module === "string" ? f.module : undefined);
    },
  },
  fuzz: {
    usage: "wasmvisor fuzz [--exits N] [--seed S] [--seeds K] [--actions A] [--skip LIST] [--trace] [--echo] ...",
    help: "Run vmconfigs/fuzz.json headless with seeds S..S+K-1: a hostile guest (tests/guests/fuzz) beside two counters\n" +
      "  and the RT guest. Reports exits (counted by the fuzz guest: one per trapping instruction it ran), exits/s,\n" +
      "  the neighbours' ticks and gaps, and anomalies; non-zero when there is any (docs/testing.md).\n" +
      "  --exits N        stop once the seeds' exits add up to N\n" +
      "  --seed S         the first seed (default 1); --seeds K how many (default 1)\n" +
      "  --actions A      the guest's bound per seed (default 100000)\n" +
      "  --report-every R a progress line every R actions (default 1000)\n" +
      "  --skip LIST      actions never drawn, e.g. wait,sgi (call, sysreg, device, memory, cache, sgi, wait, irq,\n                   cpu, mgmt, suspend)\n" +
      "  --trace          the guest names every action before it runs it (where a frozen run stopped)\n" +
      "  --trace-from N   with --trace: name actions from the Nth on (reach a late stop at full speed)\n" +
      "  --inside-only    no accesses just outside the fuzz VM's memory (by default it makes them: its config\n" +
      "                   asks for a synchronous external abort there, which the guest handles and counts)\n" +
      "  --reset          PSCI SYSTEM_RESET among the calls\n" +
      "  --frozen S       no progress line for S seconds is an anomaly that ends the seed (default 15)\n" +
      "  --max-gap MS     a neighbour's tick gap above MS ms is an anomaly (default 1000)\n" +
      "  --rt-overruns    an RT round with overruns is an anomaly (spurious interrupts always are)\n" +
      "  --timeout S      give up on a seed after S seconds (default 600)\n" +
      "  --tier T         the engine of the core: native (default) or wasm3\n" +
      "  --echo           print the console as it comes",
    flags: { exits: "num", seed: "num", seeds: "num", actions: "str", "report-every": "num", skip: "str", trace: "bool", "trace-from": "num",
      "inside-only": "bool", reset: "bool", "rt-overruns": "bool", frozen: "num", "max-gap": "num", timeout: "num", echo: "bool",
      tier: "str" },
    main: async (_a, f) => fuzzCommand({
      seed: f.seed !== undefined ? Number(f.seed) : 1, seeds: f.seeds !== undefined ? Number(f.seeds) : 1,
      exits: f.exits !== undefined ? Number(f.exits) : 0,
      actions: f.actions !== undefined ? Number(f.actions) : 100000,
      reportEvery: f["report-every"] !== undefined ? Number(f["report-every"]) : 1000,
      skip: typeof f.skip === "string" ? f.skip.split(",").filter((s) => s) : [],
      trace: f.trace === true || f["trace-from"] !== undefined,
      traceFrom: f["trace-from"] !== undefined ? Number(f["trace-from"]) : 0, outside: f["inside-only"] !== true, reset: f.reset === true, echo: f.echo === true,
      frozenMs: (f.frozen !== undefined ? Number(f.frozen) : 15) * 1000,
      maxGapMs: f["max-gap"] !== undefined ? Number(f["max-gap"]) : 1000, rtOverruns: f["rt-overruns"] === true,
      timeoutMs: (f.timeout !== undefined ? Number(f.timeout) : 600) * 1000, tier: tierName(f.tier),
    }),
  },
  bench: {
    usage: "wasmvisor bench [--profile-exits [--tier native|wasm3] | --profile-rt]",
    help: "Run the benchmarks on QEMU with -icount shift=0; print a table and write results/bench.json.\n" +
      "  --profile-exits  instead, run the micro-benchmark image under QEMU's execution log and print where its\n" +
      "                   most common exits (hypercall, MMIO read) spend their instructions at EL2, by function\n" +
      "  --tier T         with --profile-exits: the engine of the core (default native)\n" +
      "  --profile-rt     instead, run the rt bench's idle and busy scenarios twice each (an execution log, and\n" +
      "                   the CNTVCT stamps) and split each tick of the rounds the bench takes, from the\n" +
      "                   hypervisor's IRQ vector to guest-rt's handler, into the RT CPU's own instructions (by\n" +
      "                   function) and the other CPUs' (a few minutes, about 1 GB of temporary log per run)",
    flags: { "profile-exits": "bool", tier: "str", "profile-rt": "bool" },
    main: async (_a, f) => f["profile-exits"] === true ? profileCommand(tierName(f.tier) ?? "native")
      : f["profile-rt"] === true ? profileRtCommand() : benchCommand(),
  },
};

function usage(): string {
  return "usage: wasmvisor <command> [options]\n\ncommands:\n" +
    Object.values(commands).map((c) => `  ${c.usage}\n      ${c.help.split("\n")[0]}`).join("\n") +
    "\n\n`wasmvisor <command> --help` for a command's options.\n";
}

function parse(cmd: Command, argv: string[]): { args: string[]; flags: Record<string, string | boolean> } {
  const args: string[] = [];
  const flags: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) { args.push(a); continue; }
    const [name, inline] = a.slice(2).split("=", 2);
    const kind = cmd.flags[name];
    if (!kind) throw new Error(`unknown option --${name} (see: ${cmd.usage.split(" ").slice(0, 2).join(" ")} --help)`);
    if (kind === "bool") { flags[name] = true; continue; }
    const v = inline ?? argv[++i];
    if (v === undefined) throw new Error(`--${name} needs a value`);
    if (kind === "num" && !(Number(v) > 0)) throw new Error(`--${name} needs a positive number, got "${v}"`);
    flags[name] = v;
  }
  return { args, flags };
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") { process.stdout.write(usage()); return name ? 0 : 2; }
  const cmd = commands[name];
  if (!cmd) { process.stderr.write(`wasmvisor: unknown command "${name}"\n\n${usage()}`); return 2; }
  if (rest.includes("--help") || rest.includes("-h")) { process.stdout.write(`usage: ${cmd.usage}\n\n${cmd.help}\n`); return 0; }
  const { args, flags } = parse(cmd, rest);
  return cmd.main(args, flags);
}

main(process.argv.slice(2)).then((code) => process.exit(code), (e: unknown) => {
  process.stderr.write(`wasmvisor: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
