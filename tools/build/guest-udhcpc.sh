#!/bin/sh
# /etc/udhcpc.script of the guest initramfs: busybox udhcpc runs it with the event in $1
# and the lease in the environment ($interface, $ip, $subnet, $router). It configures
# the interface and says what it got on the console.
case "$1" in
  deconfig)
    ifconfig "$interface" 0.0.0.0 up
    ;;
  bound|renew)
    ifconfig "$interface" "$ip" netmask "${subnet:-255.255.255.0}" up
    for gw in $router; do
      route add default gw "$gw" dev "$interface"
      break
    done
    echo "mvm-net: $interface $ip netmask ${subnet:-255.255.255.0} gateway ${router:-none} (DHCP $1)"
    ;;
esac
exit 0
