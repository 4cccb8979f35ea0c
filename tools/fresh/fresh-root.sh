#!/usr/bin/env bash
# Runs `npm test` the way a fresh Debian bookworm machine sees it: in a minimal root made
# by debootstrap (no compiler, no QEMU, no Python), with only this machine's Node.js
# copied in, on a clean clone of the repository's HEAD. A package the set-up forgets to
# install fails here even when this machine already has it. Run as root:
#
#   tools/fresh/fresh-root.sh [ROOT_DIR] [-- npm test arguments]
#
# ROOT_DIR (default /var/tmp/wasmvisor-fresh) is made anew each time. The Debian mirror
# is the one this machine's apt sources already use (read from them at run time). The
# last line is npm test's own "N passed, N failed"; the exit code is npm test's.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
root=/var/tmp/wasmvisor-fresh
if [ $# -gt 0 ] && [ "$1" != "--" ]; then root=$1; shift; fi
if [ $# -gt 0 ] && [ "$1" = "--" ]; then shift; fi
[ "$(id -u)" = 0 ] || { echo "fresh-root: run as root (debootstrap and chroot need it)" >&2; exit 2; }

# The first Debian archive URL this machine's apt sources name (deb822 or one-line form).
mirror=$( { cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ {print $2}' || true;
           cat /etc/apt/sources.list 2>/dev/null | awk '$1 == "deb" {print $2}' || true; } |
          grep -v -- '-security' | head -n 1 || true)
[ -n "$mirror" ] || { echo "fresh-root: no Debian archive found in /etc/apt/sources*" >&2; exit 2; }
command -v debootstrap >/dev/null || { apt-get update -q && apt-get install -y -q debootstrap; }

cleanup() {
  for m in dev/pts dev sys proc; do umount -l "$root/$m" 2>/dev/null || true; done
}
trap cleanup EXIT
cleanup
rm -rf "$root"
echo "fresh-root: debootstrap --variant=minbase bookworm $root"
debootstrap --variant=minbase bookworm "$root" "$mirror" > "$root.debootstrap.log" 2>&1 ||
  { tail -n 20 "$root.debootstrap.log"; exit 1; }

# The same apt sources as this machine (its mirror and the security suite).
rm -f "$root/etc/apt/sources.list"
mkdir -p "$root/etc/apt/sources.list.d"
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list; do
  [ -f "$f" ] && cp "$f" "$root/etc/apt/$( [ "$f" = /etc/apt/sources.list ] && echo sources.list || echo "sources.list.d/$(basename "$f")")"
done
cp /etc/resolv.conf "$root/etc/resolv.conf"

# How this machine reaches the registries: its CA certificates (a local CA included),
# its npm and pip client settings. The packages themselves the set-up must install.
mkdir -p "$root/etc/ssl/certs" "$root/usr/local/share/ca-certificates"
[ -f /etc/ssl/certs/ca-certificates.crt ] && cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
cp -r /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/" 2>/dev/null || true
for f in /etc/npmrc /usr/etc/npmrc /root/.npmrc /etc/pip.conf; do
  [ -f "$f" ] && mkdir -p "$root$(dirname "$f")" && cp "$f" "$root$f"
done

# This machine's Node.js and npm, nothing else.
node_bin=$(readlink -f "$(command -v node)")
npm_dir=$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)
mkdir -p "$root/usr/local/bin" "$root/usr/local/lib/node_modules"
cp "$node_bin" "$root/usr/local/bin/node"
cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"

git clone -q "$here" "$root/root/wasmvisor"

mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
echo "fresh-root: npm test in $root/root/wasmvisor (a clean clone of $(git -C "$here" rev-parse --short HEAD))"
chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
  LANG=C.UTF-8 CI="${CI:-}" $(env | grep -E '^(PIP_[A-Z_]*|npm_config_[a-z_]*|NPM_CONFIG_[A-Z_]*|https?_proxy|HTTPS?_PROXY|no_proxy|NO_PROXY|NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|SSL_CERT_DIR|REQUESTS_CA_BUNDLE|CURL_CA_BUNDLE)=[^ ]*$' | tr '\n' ' ') \
  sh -c "cd /root/wasmvisor && npm test -- $*"
