#!/usr/bin/env bash
# Installs the system packages ldmprobe builds against, if any is missing (Debian/Ubuntu).
# OpenBLAS carries all heavy math; libpng reads and writes 8- and 16-bit images; libffi calls plugin actions.
# Slurm and MUNGE run the one-node cluster of scripts/slurm-test.sh (skipped with LDMPROBE_SLURM_TEST=0).
set -euo pipefail
need=()
pkgs=(libopenblas-dev libpng-dev libffi-dev)
[ "${LDMPROBE_SLURM_TEST:-1}" != 0 ] && pkgs+=(slurmctld slurmd slurm-client munge)
for pkg in "${pkgs[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing: ${need[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "install-deps: swift not found on PATH (Swift 6.x toolchain needed)" >&2; exit 1; }
