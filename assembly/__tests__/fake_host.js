// Fakes of the runtime's `wv` imports (docs/abi.md section 2) for the unit tests,
// plus a `wvfake` import module through which a spec inspects what the core asked
// for and makes the next import calls refuse. Plain JavaScript: loaded by
// as-pect.config.js, never part of the core module.

export function createFakeHost() {
  let memory = null;
  let st;

  function reset() {
    st = {
      console: [],
      tables: 0,
      tableLimit: -1,
      entries: new Map(),
      setCalls: 0,
      refuseAfter: -1,
      refuseCode: -2,
      activate: [-1, -1],
      images: [],
      imageResult: 0x1000n,
      boots: [],
      bootResult: 0,
      stops: 0,
    };
  }
  reset();

  const view = () => new Uint8Array(memory.buffer);
  const readBytes = (ptr, len) => Buffer.from(view().slice(ptr, ptr + len)).toString("latin1");
  const writeBytes = (text, dst, cap) => {
    const b = Buffer.from(text, "latin1");
    const n = Math.min(b.length, cap);
    view().set(b.subarray(0, n), dst);
    return n;
  };

  const wv = {
    console_write(ptr, len) { st.console.push(readBytes(ptr, len)); },
    now() { return 1000n; },
    counter_freq() { return 62500000n; },
    s2_table_new() {
      if (st.tableLimit >= 0 && st.tables >= st.tableLimit) return -3;
      return st.tables++;
    },
    s2_set_entry(table, index, level, desc) {
      st.setCalls++;
      if (st.refuseAfter >= 0 && st.setCalls > st.refuseAfter) return st.refuseCode;
      if (table < 0 || table >= st.tables || index < 0 || index > 511 || level < 0 || level > 3) return -1;
      st.entries.set(table * 512 + index, { level, desc: BigInt.asUintN(64, desc) });
      return 0;
    },
    s2_activate(root, bits) { st.activate = [root, bits]; return 0; },
    guest_read() { return -1; },
    guest_write() { return -1; },
    image_load(image, ipa) { st.images.push([image, BigInt.asUintN(64, ipa)]); return st.imageResult; },
    vcpu_boot(vcpu, pc, x0) {
      st.boots.push([vcpu, BigInt.asUintN(64, pc), BigInt.asUintN(64, x0)]);
      return st.bootResult;
    },
    sysreg_write() { return 0; },
    vm_stop() { st.stops++; },
    pcpu_of() { return 0; },
  };

  const entry = (t, i) => st.entries.get(t * 512 + i);
  const wvfake = {
    reset,
    console_count() { return st.console.length; },
    /** Copy console write `i` (negative: from the end) to `dst`; returns its length or -1. */
    console_get(i, dst, cap) {
      const k = i < 0 ? st.console.length + i : i;
      if (k < 0 || k >= st.console.length) return -1;
      return writeBytes(st.console[k], dst, cap);
    },
    s2_tables() { return st.tables; },
    s2_entry(t, i) { const e = entry(t, i); return e ? e.desc : 0n; },
    s2_entry_level(t, i) { const e = entry(t, i); return e ? e.level : -1; },
    s2_entry_count() { return st.entries.size; },
    s2_set_calls() { return st.setCalls; },
    s2_limit_tables(n) { st.tableLimit = n; },
    s2_refuse_after(n, code) { st.refuseAfter = n; st.refuseCode = code; },
    activate_root() { return st.activate[0]; },
    activate_bits() { return st.activate[1]; },
    image_calls() { return st.images.length; },
    image_index(i) { return st.images[i][0]; },
    image_ipa(i) { return st.images[i][1]; },
    set_image_result(v) { st.imageResult = v; },
    boot_calls() { return st.boots.length; },
    boot_vcpu(i) { return st.boots[i][0]; },
    boot_pc(i) { return st.boots[i][1]; },
    boot_x0(i) { return st.boots[i][2]; },
    set_boot_result(v) { st.bootResult = v; },
    stop_count() { return st.stops; },
  };

  return {
    imports: { wv, wvfake },
    setMemory(m) { memory = m; },
  };
}
