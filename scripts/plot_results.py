#!/usr/bin/python3
"""Plots the results in an output folder of libstz (run with Debian's /usr/bin/python3).

    /usr/bin/python3 scripts/plot_results.py DIR

Writes PNG files next to the HDF5 files it finds in DIR.
"""
import os
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def mid_slice(field):
    """2D arrays as they are; 3D arrays: the mid-plane normal to x (shows the y-z plane)."""
    return field if field.ndim == 2 else field[field.shape[0] // 2]


def plot_inclusion(path):
    with h5py.File(path, "r") as f:
        sxy = mid_slice(f["/fields/stress_GPa_xy"][()])
        centre = f.attrs["centre_shear_stress_GPa"]
        eshelby = f.attrs["eshelby_shear_stress_GPa"]
    fig, ax = plt.subplots(figsize=(7, 4))
    lim = np.percentile(np.abs(sxy), 99.5)
    im = ax.imshow(sxy.T, origin="lower", cmap="RdBu_r", vmin=-lim, vmax=lim)
    ax.set_xlabel("x (voxels)")
    ax.set_ylabel("y (voxels)")
    ax.set_title(f"σ_xy of a sheared inclusion: centre {centre:.3f} GPa (Eshelby {eshelby:.3f})")
    fig.colorbar(im, ax=ax, label="σ_xy (GPa)")
    out = os.path.join(os.path.dirname(path), "inclusion_stress_xy.png")
    fig.savefig(out, dpi=120, bbox_inches="tight")
    plt.close(fig)
    return [out]


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    folder = argv[1]
    if not os.path.isdir(folder):
        print(f"plot_results.py: no such folder: {folder}", file=sys.stderr)
        return 1
    written = []
    for root, _, files in os.walk(folder):
        for name in sorted(files):
            if name == "inclusion.h5":
                written += plot_inclusion(os.path.join(root, name))
    if not written:
        print(f"plot_results.py: no libstz HDF5 results in {folder}", file=sys.stderr)
        return 1
    for w in written:
        print(f"wrote {w}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
