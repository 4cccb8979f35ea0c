#!/bin/sh
# /init of the guest initramfs (built by tools/build/initramfs.ts). The kernel runs it
# as process 1 with /dev/console as its terminal. It must never exit.
mount -t proc proc /proc
# The kernel's uptime, first thing once /proc is there, with shell builtins only (no
# fork): the Linux boot figure of the bench (tools/bench). /proc/uptime counts in
# 10 ms; the "now at <n> nsecs" line of /proc/timer_list is the same clock in ns.
boot_ns=
while read -r w1 w2 w3 w4; do
  if [ "$w1 $w2" = "now at" ]; then boot_ns=$w3; break; fi
done < /proc/timer_list
read -r boot_up boot_idle < /proc/uptime
echo "boot: uptime $boot_up"
echo "boot: monotonic ${boot_ns:-unknown} ns"
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

echo "wasmvisor guest linux: $(uname -r), cpus online $(cat /sys/devices/system/cpu/online)"
echo "READY linux"

# wv.workload=<name> on the kernel command line picks what runs next.
workload=idle
net_irq_cpu=
shell=0
mgmt_probe=0
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    wv.workload=*) workload="${arg#wv.workload=}" ;;
    wv.shell=*) shell="${arg#wv.shell=}" ;;
    wv.net_irq_cpu=*) net_irq_cpu="${arg#wv.net_irq_cpu=}" ;;
    wv.mgmt_probe=*) mgmt_probe="${arg#wv.mgmt_probe=}" ;;
  esac
done

# The kernel modules every workload loads (tools/build/initramfs.ts, GUEST_MODULES): the
# virtio-mmio transport, the console of the hypervisor channel and the network driver. A
# driver whose device the VM lacks just waits; devtmpfs makes /dev/hvc0 when the VM has a
# virtio-console (docs/abi.md section 6).
for m in $(cat /lib/modules/load-order); do
  insmod "/lib/modules/$m.ko" || echo "modules: insmod $m failed"
done
if [ -e /dev/hvc0 ]; then echo "hypervisor channel: /dev/hvc0"; fi

case "$workload" in
  counter)
    # An increasing count every second, and a file in the RAM filesystem whose checksum
    # every tenth line repeats: what a live update must leave running and intact
    # (tests/integration/live_update.test.ts). With wv.shell=1 the count goes on in the
    # background and the console gets a shell too.
    busybox dd if=/dev/urandom of=/tmp/keep.bin bs=1k count=256 2>/dev/null
    keep=$(busybox md5sum /tmp/keep.bin)
    echo "counter: file /tmp/keep.bin md5 ${keep%% *}"
    count() {
      n=0
      while true; do
        sleep 1
        n=$((n + 1))
        if [ $((n % 10)) = 0 ]; then
          sum=$(busybox md5sum /tmp/keep.bin)
          echo "count $n file md5 ${sum%% *}"
        else
          echo "count $n"
        fi
      done
    }
    if [ "$shell" = 1 ]; then count & else count; fi
    ;;
  update)
    # The live-update bench (tools/bench, vmconfigs/bench-update.json): once the other
    # VMs have settled, update to the second core build and roll back, three times; the
    # hypervisor prints each hand-over's pauses.
    sleep 3
    i=0
    while [ $i -lt 3 ]; do
      wvctl update /usr/share/wasmvisor/core-v2.wvm > /dev/null || echo "update-bench: update failed"
      sleep 1
      wvctl rollback > /dev/null || echo "update-bench: rollback failed"
      sleep 1
      i=$((i + 1))
    done
    echo "READY update-bench"
    ;;
  shell)
    while true; do
      setsid cttyhack sh
    done
    ;;
  mvm)
    # The management VM's network (vmconfigs/mvm-net.json): the virtio-mmio transport
    # passed through to it, the virtio network driver (loaded above), an address from
    # QEMU's DHCP, and a page on TCP port 5000 holding a token that is printed here too,
    # so that a client can tell the page came from this boot of this VM.
    n=0
    while [ ! -e /sys/class/net/eth0 ] && [ $n -lt 10 ]; do
      sleep 1
      n=$((n + 1))
    done
    if [ ! -e /sys/class/net/eth0 ]; then
      echo "mvm-net: no eth0 after ${n} s (no virtio-net device found)"
    else
      ifconfig lo 127.0.0.1 up
      ifconfig eth0 up
      # wv.net_irq_cpu=<n>: the device's interrupt goes to CPU n (its affinity) before DHCP.
      if [ -n "$net_irq_cpu" ]; then
        irq=
        while read -r first rest; do
          case "$rest" in *virtio0*) irq="${first%:}" ;; esac
        done < /proc/interrupts
        if [ -n "$irq" ] && echo $((1 << net_irq_cpu)) > "/proc/irq/$irq/smp_affinity"; then
          echo "mvm-net: virtio0 interrupt (irq $irq) sent to CPU $net_irq_cpu"
        else
          echo "mvm-net: cannot send the virtio0 interrupt to CPU $net_irq_cpu"
        fi
      fi
      if ! udhcpc -i eth0 -s /etc/udhcpc.script -n -q -t 5 -T 2; then
        ifconfig eth0 10.0.2.15 netmask 255.255.255.0 up
        route add default gw 10.0.2.2 dev eth0
        echo "mvm-net: eth0 10.0.2.15 netmask 255.255.255.0 gateway 10.0.2.2 (static: no DHCP lease)"
      fi
      token=$(cat /proc/sys/kernel/random/uuid)
      mkdir -p /www
      echo "wasmvisor mvm-net $token" > /www/index.html
      # The device's interrupt as the guest counts it (DHCP needed a few).
      while read -r line; do
        case "$line" in *virtio*) echo "mvm-net: interrupts $line" ;; esac
      done < /proc/interrupts
      if httpd -p 5000 -h /www; then
        echo "mvm-net: httpd serves token $token on tcp port 5000"
        echo "READY mvm-net"
      else
        echo "mvm-net: httpd did not start"
      fi
    fi
    ;;
  load)
    # CPU and memory load on every vCPU, for the bench's real-time figures (tools/bench):
    # pinned to each online CPU, a dd copying /dev/zero to /dev/null in 1 MiB blocks and
    # an md5sum loop over a 64 MiB file in the initramfs (tmpfs).
    busybox dd if=/dev/zero of=/tmp/load.bin bs=1M count=64 2>/dev/null
    ncpu=$(busybox nproc)
    c=0
    while [ $c -lt "$ncpu" ]; do
      busybox taskset -c $c busybox dd if=/dev/zero of=/dev/null bs=1M 2>/dev/null &
      busybox taskset -c $c sh -c 'while true; do busybox md5sum /tmp/load.bin >/dev/null; done' &
      c=$((c + 1))
    done
    echo "load: dd and md5sum running on each of $ncpu CPUs"
    echo "READY load"
    ;;
  flood)
    # A guest VM that sends management requests through its hypervisor channel as fast
    # as it can (tests/integration/flood.test.ts): a file of 4096 request headers
    # (WVRQ, command 6 = version, no payload), written to /dev/hvc0 64 KiB at a time, in
    # a loop. Every request is refused (only the management VM may command); what the
    # hypervisor must show is that this costs neither its neighbours nor its console.
    printf 'WVRQ\006\000\000\000\000\000\000\000\000\000\000\000' > /tmp/req
    n=0
    while [ $n -lt 12 ]; do cat /tmp/req /tmp/req > /tmp/req2; busybox mv /tmp/req2 /tmp/req; n=$((n + 1)); done
    echo "flood: $(busybox stat -c %s /tmp/req) bytes of requests per round"
    if [ ! -e /dev/hvc0 ]; then echo "flood: no /dev/hvc0"; else
      echo "READY flood"
      r=0
      while true; do
        busybox dd if=/tmp/req of=/dev/hvc0 bs=65536 2>/dev/null
        r=$((r + 1))
        case "$r" in 1|10|100|1000) echo "flood: round $r written" ;; esac
      done
    fi
    ;;
  idle) ;;
  *)
    echo "unknown wv.workload=$workload (known: counter, shell, mvm, load, update, flood, idle); idling"
    ;;
esac

# wv.mgmt_probe=1: ask the hypervisor for its version through this VM's channel, once,
# and say what came back in one line: a guest VM's request must be refused (only the
# management VM may command the hypervisor, docs/wvctl.md).
if [ "$mgmt_probe" = 1 ]; then
  probe=$(wvctl version 2>&1)
  rc=$?
  echo "mgmt-probe: wvctl version rc=$rc: $(echo "$probe" | busybox head -n 1)"
fi

# wv.shell=1: when the workload is done, a shell on the console (the management VM's).
# Kernel messages below errors stay in the kernel's log (dmesg) from here on: what the
# shell prints is then never cut by a line the kernel writes straight to the UART, and
# every line a process writes reaches the console whole (one write() holds the tty).
if [ "$shell" = 1 ]; then busybox dmesg -n 4; fi
while true; do
  if [ "$shell" = 1 ]; then setsid cttyhack sh; else sleep 3600; fi
done
