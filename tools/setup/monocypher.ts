// Monocypher's C sources with its optional Ed25519 file (crypto_ed25519_check: EdDSA
// with SHA-512 as RFC 8032 specifies it, where Monocypher's own crypto_check uses
// BLAKE2b), from the monocypher-py sdist on PyPI. The runtime verifies the signatures
// of uploaded core modules with it (runtime-c/core/signature.c).
import { ensurePypiSources } from "./pypi.ts";

/** The folder holding monocypher.c/.h and optional/monocypher-ed25519.c/.h. */
export function ensureMonocypher(): string {
  return ensurePypiSources("monocypher-py");
}
