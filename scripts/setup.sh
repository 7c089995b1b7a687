#!/usr/bin/env bash
# Installs what Loci and its tests need on a fresh Debian machine: system tools
# (tshark for the interop tests, iproute2, iputils-ping, procps and iperf3 for the network tests) and
# the npm packages, then builds the JavaScript that `loci` and its worker threads run (dist/, made
# anew each time, so it is never older than the sources). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(tshark iproute2 iputils-ping procps iperf3)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

npm ci --no-audit --no-fund
npm run build
