#!/bin/sh
# /init of the guest initramfs (built by tools/build/initramfs.ts). The kernel runs it
# as process 1 with /dev/console as its terminal. It must never exit.
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

echo "wasmvisor guest linux: $(uname -r), cpus online $(cat /sys/devices/system/cpu/online)"
echo "READY linux"

# wv.workload=<name> on the kernel command line picks what runs next.
workload=idle
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    wv.workload=*) workload="${arg#wv.workload=}" ;;
  esac
done

case "$workload" in
  counter)
    n=0
    while true; do
      sleep 1
      n=$((n + 1))
      echo "count $n"
    done
    ;;
  shell)
    while true; do
      setsid cttyhack sh
    done
    ;;
  idle) ;;
  *)
    echo "unknown wv.workload=$workload (known: counter, shell, idle); idling"
    ;;
esac

while true; do
  sleep 3600
done
