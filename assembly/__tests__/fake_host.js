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
      // Interrupts (docs/abi.md section 4): list registers and ICH_HCR_EL2 per physical
      // CPU (the spec picks which CPU the imports act on with set_cpu), kicks, irq_set.
      cpu: 0,
      lrCount: 4,
      lrs: [],
      hcr: [],
      lrWrites: 0,
      lrReads: 0,
      statusCalls: 0,
      lrRefuseHw: false,
      kicks: [],
      kickResult: 0,
      irqSets: [],
      irqSetResult: 0,
      // Guest RAM for guest_read/guest_write: windows [ipa, ipa + size) a spec adds, backed
      // by 4 KiB pages made on first touch; an access not inside one window is refused
      // (-2, as the runtime refuses an IPA the VM does not own) and counted as stray.
      ram: [],
      pages: new Map(),
      guestReads: 0,
      guestWrites: 0,
      guestStray: 0,
      // Hypervisor channel: what chan_send was given, call by call, and its answer.
      chan: [],
      chanResult: 0,
      chanRefused: 0,
      // PMU (pmu_read / pmu_write): registers by import number, as the runtime checks them
      // (wv_pmu_access_check): 6 event counters, a filter with NSH (bit 27) refused.
      pmu: new Map([[0, 6n << 11n]]),
      pmuWrites: [],
      pmuRefused: 0,
      // EL1 registers behind sysreg_read/sysreg_write, by id (runtime-c/include/wv_sysregs.h),
      // and a refusal the spec may ask for.
      sysregs: new Map(),
      sysregWrites: 0,
      sysregResult: 0,
    };
    for (let c = 0; c < 8; c++) { st.lrs.push(new Array(16).fill(0n)); st.hcr.push(0); }
  }
  reset();

  // ICH_LR<n>_EL2 fields (GICv3 spec 12.5.8) the status registers are computed from.
  const LR_STATE_SHIFT = 62n, LR_HW = 1n << 61n, LR_EOI = 1n << 41n, LR_STATE_PENDING = 1;
  const lrState = (v) => Number((v >> LR_STATE_SHIFT) & 3n);
  const bank = () => st.lrs[st.cpu];
  /** ICH_ELRSR_EL2: an LR is empty when its state is invalid and HW = 1 or EOI = 0. */
  function elrsr() {
    let bits = 0;
    for (let i = 0; i < st.lrCount; i++) {
      const v = bank()[i];
      if (lrState(v) === 0 && ((v & LR_HW) !== 0n || (v & LR_EOI) === 0n)) bits |= 1 << i;
    }
    return bits;
  }
  /** ICH_EISR_EL2: invalid, HW = 0, EOI = 1 (a maintenance interrupt at deactivation). */
  function eisr() {
    let bits = 0;
    for (let i = 0; i < st.lrCount; i++) {
      const v = bank()[i];
      if (lrState(v) === 0 && (v & LR_HW) === 0n && (v & LR_EOI) !== 0n) bits |= 1 << i;
    }
    return bits;
  }
  /**
   * ICH_MISR_EL2: EOI [0], U [1] (UIE, at most one valid LR), NP [3] (NPIE, no LR in the
   * pending state: State = 0b01 only; pending and active is another state, GICv3 spec
   * ICH_MISR_EL2.NP and ICH_LR<n>_EL2.State).
   */
  function misr() {
    const hcr = st.hcr[st.cpu];
    let valid = 0, pending = 0;
    for (let i = 0; i < st.lrCount; i++) {
      const s = lrState(bank()[i]);
      if (s !== 0) valid++;
      if (s === LR_STATE_PENDING) pending++;
    }
    let m = 0;
    if (eisr() !== 0) m |= 1;
    if ((hcr & 2) && valid <= 1) m |= 2;
    if ((hcr & 8) && pending === 0) m |= 8;
    return m;
  }

  // ---- Guest RAM (the VM's IPA space as guest_read/guest_write reach it) ----
  const PAGE = 4096n;
  const inRam = (ipa, len) => st.ram.some(([b, s]) => ipa >= b && ipa - b < s && BigInt(len) <= s - (ipa - b));
  const page = (n) => {
    let p = st.pages.get(n);
    if (!p) { p = new Uint8Array(Number(PAGE)); st.pages.set(n, p); }
    return p;
  };
  /** Copy between guest RAM at `ipa` and `buf` (a Uint8Array), page by page. */
  function guestCopy(ipa, buf, toGuest) {
    let done = 0;
    while (done < buf.length) {
      const a = ipa + BigInt(done);
      const off = Number(a % PAGE);
      const n = Math.min(buf.length - done, Number(PAGE) - off);
      const p = page(a / PAGE);
      if (toGuest) p.set(buf.subarray(done, done + n), off);
      else buf.set(p.subarray(off, off + n), done);
      done += n;
    }
  }
  function guestIo(ipa, ptr, len, toGuest) {
    const a = BigInt.asUintN(64, ipa);
    if (len < 0 || ptr < 0 || ptr + len > memory.buffer.byteLength) return -1;
    if (!inRam(a, len)) { st.guestStray++; return -2; }
    const wasm = new Uint8Array(memory.buffer, ptr, len);
    if (toGuest) { st.guestWrites++; guestCopy(a, wasm, true); }
    else { st.guestReads++; const b = new Uint8Array(len); guestCopy(a, b, false); wasm.set(b); }
    return 0;
  }

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
    guest_read(ipa, dst, len) { return guestIo(ipa, dst, len, false); },
    guest_write(ipa, src, len) { return guestIo(ipa, src, len, true); },
    image_load(image, ipa) { st.images.push([image, BigInt.asUintN(64, ipa)]); return st.imageResult; },
    vcpu_boot(vcpu, pc, x0) {
      st.boots.push([vcpu, BigInt.asUintN(64, pc), BigInt.asUintN(64, x0)]);
      return st.bootResult;
    },
    sysreg_write(vcpu, reg, value) {
      if (st.sysregResult !== 0) return st.sysregResult;
      st.sysregWrites++;
      st.sysregs.set(`${vcpu}:${reg}`, BigInt.asUintN(64, value));
      return 0;
    },
    sysreg_read(vcpu, reg) { return BigInt.asIntN(64, st.sysregs.get(`${vcpu}:${reg}`) ?? 0n); },
    vm_stop() { st.stops++; },
    pcpu_of() { return 0; },
    lr_count() { return st.lrCount; },
    lr_read(lr) {
      st.lrReads++;
      return lr >= 0 && lr < st.lrCount ? BigInt.asIntN(64, bank()[lr]) : 0n;
    },
    lr_write(lr, value) {
      if (lr < 0 || lr >= st.lrCount) return -1;
      const v = BigInt.asUintN(64, value);
      if (st.lrRefuseHw && (v & LR_HW) !== 0n) return -2;
      st.lrWrites++;
      bank()[lr] = v;
      return 0;
    },
    ich_hcr_write(value) {
      if ((value & ~0xf) !== 0) return -4;
      st.hcr[st.cpu] = value | 1;
      return 0;
    },
    ich_status() {
      st.statusCalls++;
      return BigInt(elrsr()) | (BigInt(eisr()) << 16n) | (BigInt(misr()) << 32n);
    },
    vcpu_kick(vcpu) { st.kicks.push(vcpu); return st.kickResult; },
    irq_set(intid, enable) { st.irqSets.push([intid, enable]); return st.irqSetResult; },
    pmu_read(reg) { return BigInt.asIntN(64, st.pmu.get(reg) ?? 0n); },
    pmu_write(reg, value) {
      const v = BigInt.asUintN(64, value);
      const n = Number((st.pmu.get(0) >> 11n) & 0x1fn);
      const filter = reg === 13 || (reg >= 64 && reg < 64 + n);
      const known = reg < 14 || (reg >= 32 && reg < 32 + n) || filter;
      if (!known || reg === 6 || reg === 7) { st.pmuRefused++; return -1; }
      if (filter && (v & (1n << 27n)) !== 0n) { st.pmuRefused++; return -4; }
      st.pmuWrites.push([reg, v]);
      if (reg !== 0) st.pmu.set(reg, v);       // PMCR_EL0.N is read-only: keep the model's
      return 0;
    },
    chan_send(ptr, len) {
      if (len < 0 || ptr < 0 || ptr + len > memory.buffer.byteLength) return -1;
      if (st.chanResult < 0) { st.chanRefused++; return st.chanResult; }
      st.chan.push(Buffer.from(view().slice(ptr, ptr + len)).toString("latin1"));
      return st.chanResult;
    },
  };

  const entry = (t, i) => st.entries.get(t * 512 + i);
  const wvfake = {
    reset,
    console_count() { return st.console.length; },
    pmu_get(reg) { return BigInt.asIntN(64, st.pmu.get(reg) ?? 0n); },
    pmu_set(reg, v) { st.pmu.set(reg, BigInt.asUintN(64, v)); },
    pmu_write_count() { return st.pmuWrites.length; },
    pmu_refused() { return st.pmuRefused; },
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
    set_cpu(c) { st.cpu = c; },
    set_lr_count(n) { st.lrCount = n; },
    lr_get(i) { return BigInt.asIntN(64, bank()[i]); },
    lr_set(i, v) { bank()[i] = BigInt.asUintN(64, v); },
    lr_writes() { return st.lrWrites; },
    lr_reads() { return st.lrReads; },
    status_calls() { return st.statusCalls; },
    lr_refuse_hw(on) { st.lrRefuseHw = on !== 0; },
    hcr() { return st.hcr[st.cpu]; },
    misr() { return misr(); },
    kick_count() { return st.kicks.length; },
    kick_vcpu(i) { return st.kicks[i]; },
    set_kick_result(r) { st.kickResult = r; },
    irq_set_count() { return st.irqSets.length; },
    irq_set_intid(i) { return st.irqSets[i][0]; },
    irq_set_enable(i) { return st.irqSets[i][1]; },
    set_irq_set_result(r) { st.irqSetResult = r; },
    guest_ram_add(ipa, size) { st.ram.push([BigInt.asUintN(64, ipa), BigInt.asUintN(64, size)]); },
    /** Test access to guest RAM, not counted: 0, or -1 outside it. */
    guest_poke(ipa, src, len) {
      const a = BigInt.asUintN(64, ipa);
      if (!inRam(a, len)) return -1;
      guestCopy(a, new Uint8Array(memory.buffer, src, len), true);
      return 0;
    },
    guest_peek(ipa, dst, len) {
      const a = BigInt.asUintN(64, ipa);
      if (!inRam(a, len)) return -1;
      const b = new Uint8Array(len);
      guestCopy(a, b, false);
      new Uint8Array(memory.buffer, dst, len).set(b);
      return 0;
    },
    guest_reads() { return st.guestReads; },
    guest_writes() { return st.guestWrites; },
    guest_stray() { return st.guestStray; },
    chan_count() { return st.chan.length; },
    /** Copy what chan_send call `i` (negative: from the end) took to `dst`; its length, or -1. */
    chan_get(i, dst, cap) {
      const k = i < 0 ? st.chan.length + i : i;
      if (k < 0 || k >= st.chan.length) return -1;
      return writeBytes(st.chan[k], dst, cap);
    },
    chan_refused() { return st.chanRefused; },
    set_chan_result(r) { st.chanResult = r; },
    sysreg_get(vcpu, reg) { return BigInt.asIntN(64, st.sysregs.get(`${vcpu}:${reg}`) ?? 0n); },
    sysreg_set(vcpu, reg, value) { st.sysregs.set(`${vcpu}:${reg}`, BigInt.asUintN(64, value)); },
    sysreg_writes() { return st.sysregWrites; },
    set_sysreg_result(r) { st.sysregResult = r; },
  };

  return {
    imports: { wv, wvfake },
    setMemory(m) { memory = m; },
  };
}
