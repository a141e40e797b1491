#!/usr/bin/python3
"""A small seed study from Python with the libstz module, plotted with matplotlib.

Build (the module lands in build/python):
    cmake -S . -B build && cmake --build build --target stz_python
Sample runs (system interpreter, it has numpy and matplotlib):
    PYTHONPATH=build/python /usr/bin/python3 examples/python_seed_study.py
    PYTHONPATH=build/python /usr/bin/python3 examples/python_seed_study.py --seeds 7 \\
        --shape 128 64 --max-strain 0.08 --out results/py_seed_study
Description:
    Runs one config (default configs/seed_study_x05.yaml, shrunk by --shape/--max-strain) for
    seeds run.seed, run.seed + 1, ... in a thread pool (libstz releases the GIL while it
    simulates, so the runs share the cores), then writes OUT/seed_study.png: stress–strain and
    largest-CFV curves per seed and the CFV threshold strain per seed with its mean ± SD.
    With --label-map the structure is instead a map of random discs built with numpy (as a
    4D-STEM domain segmentation would come from a notebook), the same map for every seed.
    Same seed, same numbers as `stz run --seed N` with the same --set overrides.
"""
import argparse
import concurrent.futures
import math
import os
import sys
import threading

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import libstz  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def disc_label_map(shape, fraction, diameter, seed):
    """Labels 1 and 2 on random discs of `diameter` voxels until `fraction` of the box is
    covered, 0 elsewhere: a stand-in for a segmented 4D-STEM map."""
    rng = np.random.default_rng(seed)
    x, y = np.meshgrid(np.arange(shape[0]), np.arange(shape[1]), indexing="ij")
    labels = np.zeros(shape, dtype=np.int32)
    while (labels > 0).mean() < fraction:
        cx, cy = rng.uniform(0, shape[0]), rng.uniform(0, shape[1])
        dx = np.minimum(abs(x - cx), shape[0] - abs(x - cx))  # periodic box
        dy = np.minimum(abs(y - cy), shape[1] - abs(y - cy))
        labels[(dx * dx + dy * dy <= diameter * diameter / 4) & (labels == 0)] = rng.integers(1, 3)
    return labels


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", default=os.path.join(ROOT, "configs", "seed_study_x05.yaml"))
    parser.add_argument("--seeds", type=int, default=4, help="number of seeds (default 4)")
    parser.add_argument("--shape", type=int, nargs="+", default=[64, 32], help="grid shape")
    parser.add_argument("--max-strain", type=float, default=0.06)
    parser.add_argument("--out", default="results/py_seed_study", help="folder for the PNG")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="runs at a time (each on one OpenMP thread)")
    parser.add_argument("--label-map", action="store_true",
                        help="use a numpy label map of random discs instead of the config's MRO")
    args = parser.parse_args()

    overrides = {"grid.shape": args.shape, "loading.max_strain": args.max_strain,
                 "output.stats_every_strain": args.max_strain / 100,
                 "output.snapshots_at_strain": [], "output.fields": []}
    structure = {}
    if args.label_map:
        overrides["mro.fraction"] = 0.0  # the map sets the MRO fraction
        base = libstz.load_config(args.config, overrides=overrides)
        names = [t for t in base.to_dict()["types"] if t != "matrix"]
        if len(names) < 2:
            sys.exit(f"{args.config}: --label-map needs two MRO types besides matrix")
        structure = {"labels": disc_label_map(args.shape[:2], 0.2, 1.2, seed=1),
                     "label_types": {0: "matrix", 1: names[0], 2: names[1]}}
    else:
        base = libstz.load_config(args.config, overrides=overrides)

    seeds = [base.seed + k for k in range(args.seeds)]
    configs = [libstz.load_config(base, overrides={"run.seed": s}) for s in seeds]

    # Ctrl-C reaches only the main thread: it sets `stop`, and each run's progress callback
    # then ends that run at its next series point.
    stop = threading.Event()

    def check(point):
        if stop.is_set():
            raise KeyboardInterrupt

    def run(config):
        result = libstz.run(config, threads=1, progress=check, **structure)
        print(f"seed {config.seed}: threshold strain {result.summary['threshold_strain']:.4f}, "
              f"peak {result.summary['peak_stress_GPa']:.3f} GPa, "
              f"{result.summary['events_total']} events", flush=True)
        return result

    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.workers))
    try:
        results = list(pool.map(run, configs))
    except KeyboardInterrupt:
        stop.set()
        pool.shutdown(cancel_futures=True)
        sys.exit("interrupted")
    pool.shutdown()

    thresholds = np.array([r.summary["threshold_strain"] for r in results])
    finite = thresholds[np.isfinite(thresholds)]
    mean = finite.mean() if finite.size else math.nan
    sd = finite.std(ddof=1) if finite.size > 1 else math.nan

    fig, (ax_s, ax_c, ax_t) = plt.subplots(1, 3, figsize=(14, 4))
    for seed, r in zip(seeds, results):
        ax_s.plot(r.series["strain_true"], r.series["stress_GPa"], label=f"seed {seed}")
        ax_c.plot(r.series["strain_true"], r.series["cfv_max_nm3"], label=f"seed {seed}")
    ax_s.set(xlabel="true strain", ylabel="stress (GPa)", title="stress–strain")
    ax_c.set(xlabel="true strain", ylabel="largest CFV (nm³)", title="connected free volume")
    ax_c.legend(fontsize="small")
    ax_t.bar([str(s) for s in seeds], np.nan_to_num(thresholds), color="tab:blue")
    if math.isfinite(mean):
        ax_t.axhline(mean, color="k", label=f"mean {mean:.4f} ± {sd:.4f}")
        if math.isfinite(sd):
            ax_t.axhspan(mean - sd, mean + sd, color="k", alpha=0.15)
        ax_t.legend(fontsize="small")
    ax_t.set(xlabel="seed", ylabel="threshold strain", title="CFV percolation threshold")
    fig.suptitle(f"{os.path.basename(args.config)}, {'×'.join(map(str, args.shape))} voxels"
                 + (", numpy label map" if args.label_map else ""), y=1.03)
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "seed_study.png")
    fig.savefig(path + ".tmp.png", dpi=120, bbox_inches="tight")
    os.replace(path + ".tmp.png", path)  # no half-written PNG
    print(f"threshold strain {mean:.4f} ± {sd:.4f} over {finite.size} seeds; wrote {path}")


if __name__ == "__main__":
    main()
