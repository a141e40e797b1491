#!/usr/bin/python3
"""Plots libstz results (run with Debian's /usr/bin/python3: matplotlib + h5py).

    /usr/bin/python3 scripts/plot_results.py DIR [DIR ...]

DIR may be a run folder (run.h5), an ensemble or sweep folder (ensemble.h5 / sweep.h5 with one
run folder per member), or any folder above them. PNG files are written next to the data:
  run:       stress_strain.png, cfv_strain.png, fields_<n>.png (von Mises plastic strain with the
             largest connected free volume outlined, free volume, MRO/STZ type map)
  ensemble:  ensemble_stress_strain.png, ensemble_cfv.png, ensemble_threshold_strain.png
  sweep:     sweep_threshold_strain.png (threshold strain per point, mean ± SD, as Fig. 4c)
3D fields are shown as the mid-plane slice normal to x.
"""
import csv
import os
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def mid_slice(field):
    """2D arrays (nx, ny) as they are; 3D (nx, ny, nz): the plane x = nx/2, shown as (y, z)."""
    return field if field.ndim == 2 else field[field.shape[0] // 2]


def save(fig, path):
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)
    print(f"wrote {path}")


def read_series(run_h5):
    with h5py.File(run_h5, "r") as f:
        s = {k: f["series"][k][()] for k in f["series"]}
        summary = dict(f["summary"].attrs) if "summary" in f else {}
    return s, summary


def plot_run(folder):
    run_h5 = os.path.join(folder, "run.h5")
    s, summary = read_series(run_h5)
    fig, ax = plt.subplots(figsize=(5.5, 4))
    ax.plot(s["strain_true"], s["stress_GPa"], lw=1.5)
    ax.set_xlabel("true strain")
    ax.set_ylabel("stress (GPa)")
    peak = summary.get("peak_stress_GPa")
    ax.set_title(f"stress–strain (peak {peak:.2f} GPa)" if peak is not None else "stress–strain")
    ax.grid(alpha=0.3)
    save(fig, os.path.join(folder, "stress_strain.png"))

    fig, ax = plt.subplots(figsize=(5.5, 4))
    ax.plot(s["strain_true"], s["cfv_max_nm3"], lw=1.5, label="largest CFV cluster")
    th = summary.get("threshold_strain")
    if th is not None and np.isfinite(th):
        ax.axvline(th, color="k", ls="--", lw=1, label=f"threshold strain {th:.4f}")
    ax.set_xlabel("true strain")
    ax.set_ylabel("largest connected free volume (nm³)")
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3)
    save(fig, os.path.join(folder, "cfv_strain.png"))

    with h5py.File(run_h5, "r") as f:
        if "fields" not in f:
            return
        for name in sorted(f["fields"], key=int):
            g = f["fields"][name]
            panels = [k for k in ("von_mises_plastic", "free_volume", "stz_type") if k in g]
            if "stz_type" in panels and not g["stz_type"][()].any():
                panels.remove("stz_type")  # all matrix: nothing to show
            if not panels:
                continue
            fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 3.6), squeeze=False)
            for ax, key in zip(axes[0], panels):
                data = mid_slice(g[key][()])
                cmap = {"von_mises_plastic": "magma", "free_volume": "viridis", "stz_type": "tab10"}[key]
                im = ax.imshow(data.T, origin="lower", cmap=cmap, interpolation="nearest")
                if key == "von_mises_plastic" and "cfv_largest" in g:
                    mask = mid_slice(g["cfv_largest"][()])
                    if mask.any():
                        ax.contour(mask.T, levels=[0.5], colors="cyan", linewidths=0.8)
                label = {"von_mises_plastic": "von Mises plastic strain (largest CFV outlined)",
                         "free_volume": "permanent free volume ξp",
                         "stz_type": "STZ type (0 = matrix; MRO types 1, 2, …)"}[key]
                ax.set_title(label, fontsize=9)
                fig.colorbar(im, ax=ax, shrink=0.8)
            fig.suptitle(f"snapshot {name}: strain {g.attrs.get('strain', float('nan')):.4f}")
            save(fig, os.path.join(folder, f"fields_{name}.png"))


def read_summary_csv(path):
    rows = []
    with open(path) as f:
        lines = [line for line in f if not line.startswith("#")]
    for row in csv.DictReader(lines):
        rows.append(row)
    return rows


def plot_group_curves(folder, runs, prefix):
    fig1, ax1 = plt.subplots(figsize=(5.5, 4))
    fig2, ax2 = plt.subplots(figsize=(5.5, 4))
    for label, run_dir in runs:
        try:
            s, _ = read_series(os.path.join(run_dir, "run.h5"))
        except (OSError, KeyError):
            continue
        ax1.plot(s["strain_true"], s["stress_GPa"], lw=1, label=label)
        ax2.plot(s["strain_true"], s["cfv_max_nm3"], lw=1, label=label)
    for ax, ylabel in ((ax1, "stress (GPa)"), (ax2, "largest CFV (nm³)")):
        ax.set_xlabel("true strain")
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        if len(runs) <= 12:
            ax.legend(fontsize=7)
    save(fig1, os.path.join(folder, f"{prefix}_stress_strain.png"))
    save(fig2, os.path.join(folder, f"{prefix}_cfv.png"))


def plot_collection(folder, name):
    rows = read_summary_csv(os.path.join(folder, f"{name}.csv"))
    members = [r for r in rows if r["member"] not in ("mean", "sd")]
    runs = []
    for r in members:
        d = os.path.join(folder, r["member"])
        if os.path.exists(os.path.join(d, "run.h5")):
            runs.append((r["member"], d))
    plot_group_curves(folder, runs, name)
    groups = [r["group"] or name for r in rows if r["member"] == "mean"]
    means = [float(r["threshold_strain"] or "nan") for r in rows if r["member"] == "mean"]
    sds = [float(r["threshold_strain"] or "nan") for r in rows if r["member"] == "sd"]
    fig, ax = plt.subplots(figsize=(max(4, 1.3 * len(groups) + 2), 4))
    finite = [np.isfinite(m) for m in means]
    heights = [m if ok else 0.0 for m, ok in zip(means, finite)]
    errors = [e if ok and np.isfinite(e) else 0.0 for e, ok in zip(sds, finite)]
    ax.bar(range(len(groups)), heights, yerr=errors, capsize=6, color="tab:blue", alpha=0.8)
    for i, ok in enumerate(finite):
        if not ok:  # no run of this group percolated: no threshold strain
            ax.text(i, 0, "n/a", ha="center", va="bottom")
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels(groups, rotation=20, ha="right", fontsize=8)
    ax.set_ylabel("threshold strain for CFV percolation (true)")
    ax.set_title(f"{name}: mean ± SD over seeds")
    save(fig, os.path.join(folder, f"{name}_threshold_strain.png"))


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    found = 0
    for top in argv[1:]:
        if not os.path.isdir(top):
            print(f"plot_results.py: no such folder: {top}", file=sys.stderr)
            return 1
        for root, _, files in os.walk(top):
            try:
                if "run.h5" in files:
                    plot_run(root)
                    found += 1
                for name in ("ensemble", "sweep"):
                    if f"{name}.csv" in files:
                        plot_collection(root, name)
                        found += 1
                if "inclusion.h5" in files:
                    plot_inclusion(os.path.join(root, "inclusion.h5"))
                    found += 1
            except (OSError, KeyError, ValueError) as e:
                print(f"plot_results.py: skipping {root}: {e}", file=sys.stderr)
    if not found:
        print(f"plot_results.py: no libstz results under {' '.join(argv[1:])}", file=sys.stderr)
        return 1
    return 0


def plot_inclusion(path):
    with h5py.File(path, "r") as f:
        sxy = mid_slice(f["/fields/stress_GPa_xy"][()])
        centre = f.attrs["centre_shear_stress_GPa"]
        eshelby = f.attrs["eshelby_shear_stress_GPa"]
    fig, ax = plt.subplots(figsize=(7, 4))
    lim = np.percentile(np.abs(sxy), 99.5)
    im = ax.imshow(sxy.T, origin="lower", cmap="RdBu_r", vmin=-lim, vmax=lim)
    ax.set_title(f"σ_xy of a sheared inclusion: centre {centre:.3f} GPa (Eshelby {eshelby:.3f})")
    fig.colorbar(im, ax=ax, label="σ_xy (GPa)")
    save(fig, os.path.join(os.path.dirname(path), "inclusion_stress_xy.png"))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
