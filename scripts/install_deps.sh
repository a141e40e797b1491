#!/usr/bin/env bash
# Installs every build, test and plotting dependency of libstz from Debian 12 packages.
# Run as root on a fresh machine; safe to run again (apt-get skips what is installed).
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then
  echo "install_deps.sh: must run as root (it calls apt-get)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends \
  build-essential cmake pkg-config git ca-certificates \
  libeigen3-dev libfftw3-dev libhdf5-dev libyaml-cpp-dev libpcg-cpp-dev \
  libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev libpng-dev \
  python3 python3-matplotlib python3-h5py python3-numpy
