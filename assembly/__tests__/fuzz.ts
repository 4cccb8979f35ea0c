// Deterministic random inputs for the fuzz specs (a seeded xorshift64* generator), and a
// check that a call wrote nothing in the module's static data outside the windows it may
// write (the state block, the exit record, the core's scratch line buffers).

// ---- xorshift64* (Vigna, "An experimental exploration of Marsaglia's xorshift generators") ----

let rng: u64 = 1;

/** Restart the sequence: the same seed always gives the same inputs. */
export function fuzzSeed(s: u64): void {
  rng = s ^ 0x9e3779b97f4a7c15;
  if (rng == 0) rng = 1;
  for (let i = 0; i < 8; i++) rnd();
}

export function rnd(): u64 {
  let x = rng;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  rng = x;
  return x * 0x2545f4914f6cdd1d;
}

/** 0..n-1 (0 when n is 0). */
export function below(n: u64): u64 {
  return n == 0 ? 0 : rnd() % n;
}

/** True in `percent` cases out of 100. */
export function chance(percent: u32): bool {
  return below(100) < <u64>percent;
}

/** The low `n` bits of a random value. */
export function rndBits(n: u32): u64 {
  return n >= 64 ? rnd() : rnd() & ((<u64>1 << <u64>n) - 1);
}

/** A `bits`-bit value, often at an edge: 0, 1, the maximum, the top bit alone, or near them. */
export function edgy(bits: u32): u64 {
  const max: u64 = bits >= 64 ? <u64>-1 : (<u64>1 << <u64>bits) - 1;
  const top: u64 = <u64>1 << <u64>(bits - 1);
  switch (<i32>below(8)) {
    case 0: return 0;
    case 1: return 1;
    case 2: return max;
    case 3: return top;
    case 4: return top - 1;
    case 5: return max - below(4);
    case 6: return below(256);
    default: return rndBits(bits);
  }
}

/** A hex rendering for failure messages. */
export function hx(v: u64): string {
  return "0x" + v.toString(16);
}

// ---- Static data checks ----
// Static data is [0, __data_end); the runtime's shadow stack follows it up to __heap_base.

const MAX_WINDOWS: i32 = 8;
const winStart = new StaticArray<usize>(MAX_WINDOWS);
const winLen = new StaticArray<usize>(MAX_WINDOWS);
let winCount: i32 = 0;
let snapBuf: usize = 0;

/** Forget all windows. */
export function staticWindowsClear(): void {
  winCount = 0;
}

/** Allow [start, start + len) of static data to change (kept sorted by start). */
export function staticWindow(start: usize, len: usize): void {
  assert(winCount < MAX_WINDOWS);
  let i = winCount;
  while (i > 0 && winStart[i - 1] > start) {
    winStart[i] = winStart[i - 1];
    winLen[i] = winLen[i - 1];
    i--;
  }
  winStart[i] = start;
  winLen[i] = len;
  winCount++;
}

/** Copy all static data aside. */
export function staticSnap(): void {
  if (snapBuf == 0) snapBuf = heap.alloc(__data_end);
  memory.copy(snapBuf, 0, __data_end);
}

function firstDiff(from: usize, to: usize): isize {
  if (to <= from) return -1;
  if (memory.compare(snapBuf + from, from, to - from) == 0) return -1;
  for (let a = from; a < to; a++) {
    if (load<u8>(snapBuf + a) != load<u8>(a)) return <isize>a;
  }
  return -1;
}

/** The first address of static data outside the windows that changed since staticSnap, or -1. */
export function staticChanged(): isize {
  let pos: usize = 0;
  for (let i = 0; i < winCount; i++) {
    const d = firstDiff(pos, winStart[i]);
    if (d >= 0) return d;
    const end = winStart[i] + winLen[i];
    if (end > pos) pos = end;
  }
  return firstDiff(pos, __data_end);
}

/** Where the Latin-1 bytes of `s` occur in static data; 0 when nowhere, -1 when more than once. */
export function findStatic(s: string): isize {
  const n = <usize>s.length;
  let found: isize = 0;
  const first = <u8>s.charCodeAt(0);
  for (let a: usize = 8; a + n <= __data_end; a++) {
    if (load<u8>(a) != first) continue;
    let i: usize = 1;
    while (i < n && load<u8>(a + i) == <u8>s.charCodeAt(<i32>i)) i++;
    if (i == n) {
      if (found != 0) return -1;
      found = <isize>a;
    }
  }
  return found;
}
