// `wasmvisor sign IN.wasm [OUT.wvm] [--key PEM]`: a core module as a signed module file.
import { readFileSync, writeFileSync } from "node:fs";
import { signModule } from "./format.ts";
import { loadPrivateKey, rawPublicKey, signingKey } from "./keys.ts";

export function signCommand(args: string[], flags: Record<string, string | boolean>): number {
  if (args.length < 1 || args.length > 2) throw new Error(`sign takes IN.wasm and optionally OUT.wvm, got ${args.length} arguments`);
  const input = args[0]!;
  const output = args[1] ?? input.replace(/\.wasm$/, "") + ".wvm";
  if (output === input) throw new Error(`the output ${output} would overwrite the input`);
  const { key, path } = typeof flags.key === "string" ? { key: loadPrivateKey(flags.key), path: flags.key } : signingKey();
  let wasm: Buffer;
  try { wasm = readFileSync(input); } catch (e) {
    throw new Error(`cannot read ${input}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let file: Buffer;
  try { file = signModule(wasm, key); } catch (e) {
    throw new Error(`${input}: ${e instanceof Error ? e.message : String(e)}`);
  }
  writeFileSync(output, file);
  process.stdout.write(`${output}: ${wasm.length} bytes of wasm signed with ${path} ` +
    `(public key ${rawPublicKey(key).toString("hex")})\n`);
  return 0;
}
