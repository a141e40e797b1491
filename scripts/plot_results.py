#!/usr/bin/python3
"""Plots libstz results (run with Debian's /usr/bin/python3: matplotlib + h5py).

    /usr/bin/python3 scripts/plot_results.py DIR [DIR ...]
    /usr/bin/python3 scripts/plot_results.py --figure OUT --compositions X0 X05 X1 \
        [--labels "x = 0" "x = 0.5" "x = 1"] [--size SWEEP_DIR] [--fields RUN_DIR]

The second form draws the figure a paper would print, OUT.png and OUT.pdf, one figure with
labelled panels: (a) stress–strain of the compositions (mean over seeds, SD band), (b) largest
CFV against true strain (mean, SD band), (c) threshold strain per composition (mean ± SD over the
seeds that percolated, every seed as a point, open when censored, n = percolated/seeds), (d)
stress–strain of the size study (one curve per sweep point), (e) von Mises plastic strain with
the largest CFV outlined and (f) the STZ type map of one run (RUN_DIR, default the first seed of
the middle composition) at its last snapshot. X0, X05, X1 are `stz ensemble` folders, SWEEP_DIR a
`stz sweep` folder over mro.diameter_nm.mean.

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


AXIS_NAMES = "xyz"
FIELD_LABELS = {
    "von_mises_plastic": ("von Mises plastic strain", "η (von Mises plastic strain)", "magma"),
    "von_mises_total": ("von Mises total strain", "η (von Mises total strain)", "magma"),
    "free_volume": ("permanent free volume", "ξp (fraction of the voxel volume)", "viridis"),
}


def run_geometry(f):
    """(voxel edge nm, grid shape, tensile axis, STZ type names) of an open run.h5."""
    a = float(f.attrs.get("voxel_nm", 1.0))
    shape = [int(n) for n in f.attrs["grid_shape"]]
    axis = -1
    config = f.attrs.get("config", "")
    if isinstance(config, bytes):
        config = config.decode()
    in_loading = False
    for line in config.splitlines():  # loading.axis from the resolved config
        if not line.startswith(" "):
            in_loading = line.startswith("loading:")
        elif in_loading and line.strip().startswith("axis:"):
            axis = int(line.split(":")[1].split("#")[0])
    dimension = len(shape) if shape[-1] > 1 or len(shape) == 2 else 2
    dimension = int(f.attrs.get("dimension", dimension))
    if axis < 0:
        axis = dimension - 1
    names = f.attrs.get("stz_type_names", None)
    if names is None:
        names = ["matrix"]
    else:
        names = [n.decode() if isinstance(n, bytes) else str(n) for n in np.atleast_1d(names)]
        if len(names) == 1 and "," in names[0]:
            names = [n.strip() for n in names[0].split(",")]
    return a, shape, axis, dimension, names


def draw_field(fig, ax, g, key, geometry, show_cfv=True):
    """One snapshot field as a map in nm: colour bar with its quantity (or a discrete legend of
    the STZ types), the tensile axis, the true strain and, in 3D, the slice in the title."""
    a, shape, axis, dimension, names = geometry
    data = mid_slice(g[key][()])
    shown = (0, 1) if dimension == 2 else (1, 2)  # grid axes along the image's x and y
    extent = [0, data.shape[0] * a, 0, data.shape[1] * a]
    if key == "stz_type":
        from matplotlib.colors import BoundaryNorm, ListedColormap
        from matplotlib.patches import Patch
        colours = ["#d9d9d9", "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]
        n = max(len(names), int(data.max()) + 1)
        cmap = ListedColormap([colours[k % len(colours)] for k in range(n)])
        ax.imshow(data.T, origin="lower", cmap=cmap, norm=BoundaryNorm(np.arange(n + 1) - 0.5, n),
                  extent=extent, interpolation="nearest")
        present = sorted(set(int(v) for v in np.unique(data)))
        handles = [Patch(color=colours[k % len(colours)],
                         label=names[k] if k < len(names) else f"type {k}") for k in present]
        ax.legend(handles=handles, loc="upper right", fontsize=7, framealpha=0.9)
        title = "STZ type"
    else:
        label, bar_label, cmap = FIELD_LABELS[key]
        im = ax.imshow(data.T, origin="lower", cmap=cmap, extent=extent, interpolation="nearest")
        fig.colorbar(im, ax=ax, shrink=0.85, label=bar_label)
        title = label
        if show_cfv and key == "von_mises_plastic" and "cfv_largest" in g:
            mask = mid_slice(g["cfv_largest"][()])
            if mask.any():
                xs = (np.arange(mask.shape[0]) + 0.5) * a
                ys = (np.arange(mask.shape[1]) + 0.5) * a
                ax.contour(xs, ys, mask.T, levels=[0.5], colors="cyan", linewidths=0.7)
                title += " (cyan: largest CFV)"
    ax.set_xlabel(f"{AXIS_NAMES[shown[0]]} (nm)")
    ax.set_ylabel(f"{AXIS_NAMES[shown[1]]} (nm)")
    strain = g.attrs.get("strain_true", float("nan"))
    where = "" if dimension == 2 else f"; slice x = {(shape[0] // 2 + 0.5) * a:.1f} nm"
    ax.set_title(f"{title}\ntrue strain {strain:.4f}{where}", fontsize=9)
    # Tensile axis: an arrow in the plane, or a note when it is normal to the slice.
    if axis in shown:
        vertical = axis == shown[1]
        start, end = ((1.03, 0.25), (1.03, 0.75)) if vertical else ((0.25, -0.16), (0.75, -0.16))
        if key != "stz_type" and vertical:  # the colour bar sits right of the map
            start, end = (-0.2, 0.25), (-0.2, 0.75)
        ax.annotate("", xy=end, xytext=start, xycoords="axes fraction",
                    arrowprops=dict(arrowstyle="<->", color="k", lw=1.2))
        ax.annotate("tension", xy=((start[0] + end[0]) / 2, (start[1] + end[1]) / 2),
                    xycoords="axes fraction", rotation=90 if vertical else 0, fontsize=7,
                    ha="right" if vertical else "center", va="center" if vertical else "top")
    else:
        ax.text(0.01, 0.01, f"tension along {AXIS_NAMES[axis]}, normal to the slice",
                transform=ax.transAxes, fontsize=7, color="w")


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
        geometry = run_geometry(f)
        for name in sorted(f["fields"], key=int):
            g = f["fields"][name]
            panels = [k for k in ("von_mises_plastic", "free_volume", "stz_type") if k in g]
            if "stz_type" in panels and not g["stz_type"][()].any():
                panels.remove("stz_type")  # all matrix: nothing to show
            if not panels:
                continue
            fig, axes = plt.subplots(1, len(panels), figsize=(5.6 * len(panels), 3.8), squeeze=False)
            for ax, key in zip(axes[0], panels):
                draw_field(fig, ax, g, key, geometry)
            save(fig, os.path.join(folder, f"fields_{name}.png"))


STAT_ROWS = ("mean", "sd", "se", "n")


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
    members = [r for r in rows if r["member"] not in STAT_ROWS]
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


# --- The paper figure ----------------------------------------------------------------------------


def member_runs(folder):
    """(csv rows of the members, {group: [run.h5 paths]}) of an ensemble or sweep folder."""
    for name in ("ensemble", "sweep"):
        path = os.path.join(folder, f"{name}.csv")
        if os.path.exists(path):
            rows = read_summary_csv(path)
            break
    else:
        raise OSError(f"no ensemble.csv or sweep.csv in {folder}")
    members = [r for r in rows if r["member"] not in STAT_ROWS]
    runs = {}
    for r in members:
        group, _, seed = r["member"].rpartition("/")
        folder_group = "".join(c if c.isalnum() or c in "._-=," else "_" for c in group)
        h5 = os.path.join(folder, folder_group, seed, "run.h5")
        if r["status"] == "ok" and os.path.exists(h5):
            runs.setdefault(r["group"], []).append(h5)
    return rows, runs


def mean_band(h5_paths, column):
    """Common true-strain grid, mean and SD of a series column over runs (interpolated)."""
    series = [read_series(p)[0] for p in h5_paths]
    end = min(s["strain_true"][-1] for s in series)
    grid = np.linspace(0.0, end, 400)
    values = np.array([np.interp(grid, s["strain_true"], s[column]) for s in series])
    sd = values.std(axis=0, ddof=1) if len(series) > 1 else np.zeros_like(grid)
    return grid, values.mean(axis=0), sd


def panel_label(ax, letter):
    ax.text(-0.14, 1.04, f"({letter})", transform=ax.transAxes, fontsize=12, fontweight="bold",
            va="bottom")


def paper_figure(out, compositions, labels, size_dir, fields_dir):
    colours = ["tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple"]
    fig, axes = plt.subplots(2, 3, figsize=(16, 9.5))
    (ax_a, ax_b, ax_c), (ax_d, ax_e, ax_f) = axes
    names, means, sds, ns, points = [], [], [], [], []
    for k, (folder, label) in enumerate(zip(compositions, labels)):
        rows, runs = member_runs(folder)
        paths = [p for group in runs.values() for p in group]
        if not paths:
            raise OSError(f"no finished runs in {folder}")
        c = colours[k % len(colours)]
        for ax, column in ((ax_a, "stress_GPa"), (ax_b, "cfv_max_nm3")):
            grid, mean, sd = mean_band(paths, column)
            ax.plot(grid, mean, color=c, lw=1.6, label=f"{label} ({len(paths)} seeds)")
            ax.fill_between(grid, mean - sd, mean + sd, color=c, alpha=0.22, lw=0)
        stat = {r["member"]: r for r in rows if r["member"] in STAT_ROWS}
        members = [r for r in rows if r["member"] not in STAT_ROWS and r["status"] == "ok"]
        names.append(label)
        means.append(float(stat["mean"]["threshold_strain"] or "nan"))
        sds.append(float(stat["sd"]["threshold_strain"] or "nan"))
        ns.append((int(stat["n"]["threshold_strain"] or 0), len(members)))
        points.append([(float(r["threshold_strain"]), r["censored"] == "true")
                       for r in members if r["percolated"] == "true"])
    ax_a.set_ylabel("axial stress (GPa)")
    ax_a.set_title("stress–strain, mean ± SD over seeds", fontsize=10)
    ax_b.set_ylabel("largest connected free volume (nm³)")
    ax_b.set_title("largest CFV cluster, mean ± SD over seeds", fontsize=10)
    for ax, where in ((ax_a, "lower center"), (ax_b, "upper left")):
        ax.set_xlabel("true strain")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc=where)

    # (c) threshold strain: bars = mean over percolated seeds, error bars = SD, points = seeds.
    rng = np.random.default_rng(0)  # jitter only
    for k, (m, sd, (n, total), pts) in enumerate(zip(means, sds, ns, points)):
        c = colours[k % len(colours)]
        if np.isfinite(m):
            ax_c.bar(k, m, color=c, alpha=0.45, width=0.6)
            if np.isfinite(sd):
                ax_c.errorbar(k, m, yerr=sd, color="k", capsize=6, lw=1.2)
        else:
            ax_c.text(k, 0.001, "none\npercolated", ha="center", va="bottom", fontsize=8)
        for value, censored in pts:
            ax_c.plot(k + rng.uniform(-0.15, 0.15), value, "o", ms=5, color=c,
                      mfc="none" if censored else c, mec="k", mew=0.6)
        ax_c.annotate(f"n = {n}/{total}", xy=(k, 0), xytext=(0, -28), textcoords="offset points",
                      ha="center", fontsize=8, annotation_clip=False)
    ax_c.set_xticks(range(len(names)))
    ax_c.set_xticklabels(names)
    ax_c.set_xlim(-0.6, len(names) - 0.4)
    ax_c.set_ylim(bottom=0)
    ax_c.set_ylabel("threshold strain of CFV percolation (true)")
    ax_c.set_title("threshold strain: mean ± SD over percolated seeds\n"
                   "points: seeds (open: censored); n = percolated/finished", fontsize=10)
    ax_c.grid(alpha=0.3, axis="y")

    # (d) size study.
    if size_dir:
        _, runs = member_runs(size_dir)
        for k, (group, paths) in enumerate(runs.items()):
            value = group.split("=")[-1]
            grid, mean, sd = mean_band(paths, "stress_GPa")
            c = colours[k % len(colours)]
            ax_d.plot(grid, mean, color=c, lw=1.6, label=f"mean MRO diameter {value} nm ({len(paths)} seeds)")
            ax_d.fill_between(grid, mean - sd, mean + sd, color=c, alpha=0.22, lw=0)
        ax_d.legend(fontsize=8, loc="lower right")
        ax_d.set_title("MRO size study: stress–strain, mean ± SD", fontsize=10)
    else:
        ax_d.text(0.5, 0.5, "no size study given (--size)", ha="center", transform=ax_d.transAxes)
    ax_d.set_xlabel("true strain")
    ax_d.set_ylabel("axial stress (GPa)")
    ax_d.grid(alpha=0.3)

    # (e), (f) field maps of one run at its last snapshot.
    if fields_dir is None:
        _, runs = member_runs(compositions[len(compositions) // 2])
        fields_dir = os.path.dirname(sorted(p for g in runs.values() for p in g)[0])
    with h5py.File(os.path.join(fields_dir, "run.h5"), "r") as f:
        geometry = run_geometry(f)
        last = f["fields"][sorted(f["fields"], key=int)[-1]]
        draw_field(fig, ax_e, last, "von_mises_plastic", geometry)
        draw_field(fig, ax_f, last, "stz_type", geometry)
    run_name = os.path.relpath(fields_dir, os.path.dirname(os.path.dirname(fields_dir)))
    ax_e.set_title(ax_e.get_title() + f"\n{run_name}", fontsize=9)
    for ax, letter in zip(axes.flat, "abcdef"):
        panel_label(ax, letter)
    fig.tight_layout(h_pad=2.5, w_pad=2.0)
    fig.savefig(f"{out}.png", dpi=150, bbox_inches="tight")
    print(f"wrote {out}.png")
    save(fig, f"{out}.pdf")


def figure_main(argv):
    import argparse
    parser = argparse.ArgumentParser(prog="plot_results.py --figure")
    parser.add_argument("--figure", required=True, metavar="OUT", help="output path without extension")
    parser.add_argument("--compositions", nargs="+", required=True, metavar="DIR")
    parser.add_argument("--labels", nargs="+")
    parser.add_argument("--size", metavar="SWEEP_DIR")
    parser.add_argument("--fields", metavar="RUN_DIR")
    args = parser.parse_args(argv)
    labels = args.labels or [os.path.basename(os.path.normpath(d)) for d in args.compositions]
    if len(labels) != len(args.compositions):
        parser.error("--labels: one label per --compositions folder")
    for d in args.compositions + [x for x in (args.size, args.fields) if x]:
        if not os.path.isdir(d):
            print(f"plot_results.py: no such folder: {d}", file=sys.stderr)
            return 1
    try:
        paper_figure(args.figure, args.compositions, labels, args.size, args.fields)
    except (OSError, KeyError, ValueError) as e:
        print(f"plot_results.py: {e}", file=sys.stderr)
        return 1
    return 0


def main(argv):
    if "--figure" in argv:
        return figure_main(argv[1:])
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
