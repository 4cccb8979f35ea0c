// vmconfigs/schema.json, compiled once with ajv, and its errors turned into
// messages that name the field and say what would be right.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { childPath, pointerToPath, type Issue } from "./errors.ts";
import { shown } from "./values.ts";

export const SCHEMA_PATH = fileURLToPath(new URL("../../vmconfigs/schema.json", import.meta.url));

let compiled: ValidateFunction | undefined;

export function vmConfigSchema(): Record<string, unknown> {
  return JSON.parse(readFileSync(SCHEMA_PATH, "utf8")) as Record<string, unknown>;
}

function validator(): ValidateFunction {
  compiled ??= new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true })
    .compile(vmConfigSchema());
  return compiled;
}

const ADDRESS = 'must be an address: a whole number or a hex string such as "0x40000000"';
const SIZE = 'must be a size: a whole number of bytes, a hex string such as "0x1000", ' +
  'or a decimal number with a K, M or G suffix such as "16M"';
const BIG = "is too large for a JSON number (above 2^53 - 1); write it as a hex string";

/** The field shape: "vms[3].memory[0].pa" -> "vms[].memory[].pa". */
const shape = (path: string): string => path.replace(/\[\d+\]/g, "[]");

/** For lists with a length limit: what they hold, and the rule. */
const COUNT_LIMITS: Record<string, [string, string]> = {
  vms: ["VMs", "a config has 1 to 8 VMs (the limit of the config blob)"],
  "vms[].memory": ["memory regions", "a VM has 1 to 8"],
  "vms[].devices": ["devices", "a VM has at most 8"],
  "vms[].images": ["images", "a VM loads 1 to 4"],
  "vms[].cpus": ["CPUs", "list at least one"],
};

/** Fields one device type has and another has not (the schema's false branches). */
const NOT_FOR_TYPE: Record<string, string> = {
  "vms[].devices[].size": "a gicv3 takes no size: its sizes are fixed (64 KiB distributor, 128 KiB of redistributors per vCPU)",
  "vms[].devices[].irq": "a gicv3 takes no irq: the interrupt controller raises no interrupt of its own",
  "vms[].devices[].redist": "only a gicv3 has redistributors; remove redist from this device",
  "vms[].devices[].pa": "only a passthrough device has a physical address (pa); an emulated device has none",
  "vms[].devices[].virtio_mmio": "only a passthrough device holds virtio-mmio transports",
  "vms[].devices[].dma": "only a passthrough device does DMA",
  "vms[].devices[].cpuif": "only a gicv2 has a CPU interface (cpuif); remove it from this device",
};

/** The same for a gicv2, where it differs (the schema's false branch names the type). */
const NOT_FOR_GICV2: Record<string, string> = {
  "vms[].devices[].size": "a gicv2 takes no size: its sizes are fixed (4 KiB distributor, 8 KiB CPU interface)",
  "vms[].devices[].irq": "a gicv2 takes no irq: the interrupt controller raises no interrupt of its own",
};

/** The device type whose false branch (allOf/<n>/then) `e` comes from, or undefined. */
function branchType(e: ErrorObject): string | undefined {
  const m = /\/allOf\/(\d+)\/then\//.exec(e.schemaPath);
  if (!m) return undefined;
  const vm = (vmConfigSchema().$defs as Record<string, any> | undefined)?.vm;
  return vm?.properties?.devices?.items?.allOf?.[Number(m[1])]?.if?.properties?.type?.const;
}

/** The same for a virtio-console. */
const NOT_FOR_VIRTIO: Record<string, string> = {
  "vms[].devices[].size": "a virtio-console takes no size: its virtio-mmio window is always 0x200 bytes",
};

/** What a virtio-console misses, where it differs from the general message. */
const REQUIRED_FOR_VIRTIO: Record<string, string> = {
  "vms[].devices[].ipa": "missing (a virtio-console needs the address of its 0x200-byte virtio-mmio window)",
  "vms[].devices[].irq": "missing (a virtio-console needs the SPI it raises, 32..255)",
};

/** Fields that are required only sometimes, with the condition. */
const REQUIRED_WHEN: Record<string, string> = {
  "vms[].images": "missing (this field is required unless the VM has a linux or a kernel section)",
  "vms[].devices[].ipa": "missing (a pl011 needs the address of its registers)",
  "vms[].devices[].pa": "missing (a passthrough device needs the physical address of its frame)",
  "vms[].devices[].irq": "missing (a passthrough device names the SPI it raises, or null when it has none)",
};

const TYPE_NAMES: Record<string, string> = {
  integer: "an integer", number: "a number", string: "a string", object: "an object",
  array: "a list (JSON array)", boolean: "true or false", null: "null",
};

function typeName(t: unknown): string {
  return (Array.isArray(t) ? t : [t]).map((x) => TYPE_NAMES[String(x)] ?? String(x)).join(" or ");
}

function message(e: ErrorObject, path: string): string {
  const data: unknown = e.data;
  const def = /^#\/\$defs\/(address|size|consoleLine)\//.exec(e.schemaPath)?.[1];
  if (def === "address" || def === "size") {
    if (e.keyword === "maximum") return BIG;
    const what = def === "address" ? ADDRESS : SIZE;
    return `${what}${shape(path) === "vms[].dtb" ? ", or null" : ""}, not ${shown(data)}`;
  }
  if (def === "consoleLine") return `must be a non-empty text without line breaks, not ${shown(data)}`;
  switch (e.keyword) {
    case "type":
      return `must be ${typeName(e.params.type)}, not ${shown(data)}`;
    case "enum": {
      const allowed = (e.params.allowedValues as unknown[]).map(String).join(", ");
      if (shape(path) === "vms[].devices[].type") return `unknown device type ${shown(data)} (known types: ${allowed})`;
      return `must be one of ${allowed}, not ${shown(data)}`;
    }
    case "pattern":
      switch (shape(path)) {
        case "vms[].name":
          return `${shown(data)} is not a valid VM name: use 1 to 15 characters, each a-z, 0-9, '_' or '-'`;
        case "board":
          return `${shown(data)} is not a board name (a directory under boards/: a-z, 0-9, '_' and '-')`;
        case "vms[].linux.bootargs":
        case "vms[].kernel.bootargs":
          return `must be one line of printable text (no line breaks, tabs or other control characters), not ${shown(data)}`;
        case "vms[].memory[].access":
          return `${shown(data)} is not an access: give the letters r, w, x in that order, at least one (e.g. "rwx", "rw", "rx")`;
        default:
          return `${shown(data)} does not match ${e.params.pattern as string}`;
      }
    case "minItems":
    case "maxItems": {
      const n = Array.isArray(data) ? data.length : 0;
      const limit = `${e.keyword === "minItems" ? "at least" : "at most"} ${e.params.limit as number}`;
      const [noun, rule] = COUNT_LIMITS[shape(path)] ?? ["items", `there must be ${limit}`];
      return `${n} ${noun} given; ${rule}`;
    }
    case "uniqueItems":
      return `item ${e.params.j as number} and item ${e.params.i as number} are the same (${shown((data as unknown[])[e.params.i as number])}): list each once`;
    case "minimum":
    case "maximum":
      return `${shown(data)} is out of range: must be ${e.keyword === "minimum" ? "at least" : "at most"} ${e.params.limit as number}`;
    case "minLength":
      return "must not be empty";
    case "false schema":
      return (branchType(e) === "gicv2" ? NOT_FOR_GICV2[shape(path)] : undefined)
        ?? (branchType(e) === "virtio-console" ? NOT_FOR_VIRTIO[shape(path)] : undefined) ?? NOT_FOR_TYPE[shape(path)] ?? "is not allowed here";
    default:
      return e.message ?? e.keyword;
  }
}

/** Every way `data` breaks the schema, as issues of `file`; empty when it conforms. */
export function schemaIssues(data: unknown, file: string): Issue[] {
  const validate = validator();
  if (validate(data)) return [];
  const errors = validate.errors ?? [];
  const byPath = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    // A failed if/then/else (the fields of a device type; images unless linux) says
    // no more than the errors of its branch, which are reported on their own fields.
    if (e.keyword === "if") continue;
    let path = pointerToPath(e.instancePath);
    if (e.keyword === "required") path = childPath(path, e.params.missingProperty as string);
    if (e.keyword === "additionalProperties") path = childPath(path, e.params.additionalProperty as string);
    byPath.set(path, [...(byPath.get(path) ?? []), e]);
  }
  const issues: Issue[] = [];
  for (const [path, list] of byPath) {
    // A failed oneOf (dtb: null or an address) repeats what its branches said.
    const useful = list.filter((e) => e.keyword !== "oneOf" && !(e.keyword === "type" && e.params.type === "null"));
    const seen = new Set<string>();
    for (const e of useful.length ? useful : list) {
      let text: string;
      if (e.keyword === "required") {
        text = (branchType(e) === "virtio-console" ? REQUIRED_FOR_VIRTIO[shape(path)] : undefined) ?? REQUIRED_WHEN[shape(path)]
          ?? "missing (this field is required)";
      }
      else if (e.keyword === "additionalProperties") {
        const props = Object.keys((e.parentSchema?.properties ?? {}) as object);
        text = `unknown property (allowed here: ${props.join(", ")})`;
      } else text = message(e, path);
      if (seen.has(text)) continue;
      seen.add(text);
      issues.push({ file, path, message: text });
    }
  }
  return issues;
}
