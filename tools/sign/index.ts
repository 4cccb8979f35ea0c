// `wasmvisor sign IN.wasm [OUT.wvm] [--key PEM] [--native FILE]`: a core module (and
// its native part) as a signed module file.
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
  let native: Buffer | undefined;
  if (flags.native !== undefined) {
    if (typeof flags.native !== "string" || flags.native === "") throw new Error("--native takes the native part's file");
    try { native = readFileSync(flags.native); } catch (e) {
      throw new Error(`cannot read ${flags.native}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }
  let file: Buffer;
  try { file = signModule(wasm, key, native); } catch (e) {
    throw new Error(`${input}: ${e instanceof Error ? e.message : String(e)}`);
  }
  writeFileSync(output, file);
  const what = native ? `${wasm.length} bytes of wasm and ${native.length} of native part` : `${wasm.length} bytes of wasm`;
  process.stdout.write(`${output}: ${what} signed with ${path} ` +
    `(public key ${rawPublicKey(key).toString("hex")})\n`);
  return 0;
}
