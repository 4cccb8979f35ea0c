// The wasmvisor command line: `npx wasmvisor <command> [options]` (also behind the
// npm scripts). Every command has --help.
import { buildImage } from "./build/image.ts";
import { runCommand } from "./run/index.ts";
import { portNumber } from "./run/ports.ts";
import { testCommand } from "./test/index.ts";
import { benchCommand } from "./bench/index.ts";
import { setup } from "./setup/index.ts";
import { signCommand } from "./sign/index.ts";
import { updateCommand } from "./update/index.ts";

/** The default demo: management, guest and real-time VMs side by side (vmconfigs/mixed.json). */
const DEFAULT_CONFIG = "mixed";

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
    usage: "wasmvisor run [vmconfig] [--headless] [--timeout S] [--icount] [--port N]",
    help: "Build and boot a VM config (default: mixed, the three-VM demo) on QEMU. Console lines carry a [vm-name] prefix.\n" +
      "  --headless   no console input; exit 0 once every VM printed its ready marker (and expected lines),\n" +
      "               non-zero with the reason on timeout, hypervisor panic, or as soon as every VM has\n" +
      "               stopped without reaching its markers\n" +
      "  --timeout S  give up after S seconds (headless only; default 120)\n" +
      "  --icount     run QEMU with -icount shift=0 (1 ns = 1 instruction)\n" +
      "  --port N     the TCP port of 127.0.0.1 that {port} in the config's qemu.args becomes (default: a free\n" +
      "               one); the runner prints each forward as `[wasmvisor] forwarding 127.0.0.1:N -> guest ...`",
    flags: { headless: "bool", timeout: "num", icount: "bool", port: "num" },
    main: async (args, f) => runCommand({
      config: args[0] ?? DEFAULT_CONFIG, headless: f.headless === true,
      timeoutS: f.timeout !== undefined ? Number(f.timeout) : 120, icount: f.icount === true,
      port: f.port !== undefined ? portNumber(f.port) : undefined,
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
    usage: "wasmvisor sign IN.wasm [OUT.wvm] [--key PEM]",
    help: "Sign a core module for live update: write OUT.wvm (default: IN with .wvm) as docs/signing.md describes.\n" +
      "  --key PEM  the Ed25519 private key (PKCS#8 PEM) to sign with (default: $WASMVISOR_SIGNING_KEY, else the\n" +
      "             development key in .cache/keys/, made on first use)",
    flags: { key: "str" },
    main: async (args, f) => signCommand(args, f),
  },
  bench: {
    usage: "wasmvisor bench",
    help: "Run the benchmarks on QEMU with -icount shift=0; print a table and write results/bench.json.",
    flags: {},
    main: async () => benchCommand(),
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
