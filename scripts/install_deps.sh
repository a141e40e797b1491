#!/usr/bin/env bash
# Installs every build, test and plotting dependency of libstz from Debian 12 packages.
# Run as root on a fresh machine; safe to run again (apt-get skips what is installed).
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    exec sudo "$0" "$@"
  fi
  echo "install_deps.sh: not root and no sudo; assuming the packages are installed" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends \
  build-essential cmake pkg-config git ca-certificates \
  libeigen3-dev libfftw3-dev libhdf5-dev libyaml-cpp-dev libpcg-cpp-dev \
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev libpng-dev \
  libopenmpi-dev openmpi-bin \
  python3 python3-matplotlib python3-h5py python3-numpy \
  pybind11-dev python3-dev python3-pytest \
  clang
