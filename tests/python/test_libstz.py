"""Tests of the Python module libstz (docs/python.md), on tiny grids (seconds in all).

Run by ctest (label python) with PYTHONPATH=<build>/python and STZ_BINARY=<build>/apps/stz:
    /usr/bin/python3 -m pytest tests/python
"""
import os
import re
import signal
import subprocess
import sys
import threading
import time

import h5py
import numpy as np
import pytest

import libstz

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
QUICKSTART = os.path.join(ROOT, "configs", "quickstart.yaml")
# A tiny tension run with a few hundred events (~0.05 s).
TINY = {
    "grid.shape": [24, 12],
    "loading.max_strain": 0.04,
    "output.stats_every_strain": 0.002,
    "output.snapshots_at_strain": [0.02],
    "output.fields": ["von_mises_plastic", "free_volume", "cfv_largest", "stz_type",
                      "domain_id", "stress_GPa", "plastic_strain"],
}
TINY_SET = ["grid.shape=[24, 12]", "loading.max_strain=0.04", "output.stats_every_strain=0.002",
            "output.snapshots_at_strain=[0.02]",
            "output.fields=[von_mises_plastic, free_volume, cfv_largest, stz_type, domain_id, "
            "stress_GPa, plastic_strain]"]
# Two MRO types, for label maps.
TYPES = {
    "matrix": {"modes": 20, "order": 1.0, "barrier_eV": 1.5, "barrier_spread": 0.2},
    "mro_a": {"modes": 12, "order": 1.67, "barrier_eV": 1.5, "orientation": "per_domain"},
    "mro_b": {"modes": 2, "order": 10.0, "barrier_eV": 1.5, "orientation": "per_domain"},
}


def stz_binary():
    path = os.environ.get("STZ_BINARY")
    if not path:
        pytest.skip("STZ_BINARY (the stz command) not set")
    return path


def stz(*args):
    return subprocess.run([stz_binary(), *args], capture_output=True, text=True)


def tiny_config(**extra):
    return libstz.load_config(QUICKSTART, overrides={**TINY, **extra})


def read_run(directory):
    with h5py.File(os.path.join(directory, "run.h5"), "r") as f:
        series = {k: f["series"][k][()] for k in f["series"]}
        summary = dict(f["summary"].attrs)
        fields = [{k: f["fields"][str(i)][k][()] for k in f["fields"][str(i)]}
                  for i in range(int(f["fields"].attrs["count"]))]
        strains = [f["fields"][str(i)].attrs["strain"] for i in range(len(fields))]
        config = f.attrs["config"]
    return series, summary, fields, strains, config


# --- configs ----------------------------------------------------------------------------------

def test_load_config_matches_stz_check():
    config = libstz.load_config(QUICKSTART, overrides={"grid.shape": [32, 16], "run.seed": 5})
    cli = stz("check", QUICKSTART, "--set", "grid.shape=[32,16]", "--seed", "5")
    assert cli.returncode == 0, cli.stderr
    assert config.yaml == cli.stdout
    assert config.seed == 5 and config.grid_shape == [32, 16]


def test_overrides_have_set_semantics():
    # A str value is YAML text, as after --set key=; a list of "key=value" strings works too.
    a = libstz.load_config(QUICKSTART, overrides={"grid.shape": "[32, 16]"})
    b = libstz.load_config(QUICKSTART, overrides=["grid.shape=[32,16]"])
    c = libstz.load_config(QUICKSTART, overrides={"grid.shape": np.array([32, 16])})
    assert a == b == c
    assert a.grid_shape == [32, 16]
    # Overrides on a Config apply on top of it.
    d = libstz.load_config(a, overrides={"loading.max_strain": 0.01,
                                         "output.snapshots_at_strain": []})
    assert d.max_strain == 0.01 and d.grid_shape == [32, 16]


def test_dict_round_trip():
    config = tiny_config()
    again = libstz.load_config(config.to_dict())
    assert again == config
    assert again.yaml == config.yaml
    built = libstz.load_config({"grid": {"shape": [16, 8]}, "types": TYPES,
                                "mro": {"fraction": 0.2, "diameter_nm": {"mean": 2.0, "sd": 0.5}}})
    assert built.to_dict()["types"]["mro_b"]["modes"] == 2


@pytest.mark.parametrize("overrides,cli_set", [
    ({"grid.shap": [8, 8]}, "grid.shap=[8,8]"),
    ({"loading.max_strain": -1}, "loading.max_strain=-1"),
    ({"loading.mode": "stretch"}, "loading.mode=stretch"),
    ({"grid.shape": "[8, 8"}, "grid.shape=[8, 8"),
])
def test_errors_are_the_cli_lines(overrides, cli_set):
    cli = stz("check", QUICKSTART, "--set", cli_set)
    assert cli.returncode == 1
    line = cli.stderr.strip()
    assert line.startswith("stz: error: ") and "\n" not in line
    with pytest.raises(ValueError) as info:
        libstz.load_config(QUICKSTART, overrides=overrides)
    assert str(info.value) == line[len("stz: error: "):]


def test_error_types():
    with pytest.raises(libstz.IoError) as info:
        libstz.load_config("/nonexistent/config.yaml")
    assert isinstance(info.value, ValueError) and isinstance(info.value, OSError)
    assert "/nonexistent/config.yaml" in str(info.value)
    with pytest.raises(libstz.ConfigError, match=r"^loading\.max_strain = "):
        libstz.load_config({"loading": {"max_strain": "0.01"}})  # a str is not a number
    with pytest.raises(TypeError, match=r"overrides\['grid.shape'\]"):
        libstz.load_config(QUICKSTART, overrides={"grid.shape": object()})
    with pytest.raises(TypeError):
        libstz.load_config(42)


# --- runs -------------------------------------------------------------------------------------

def test_run_gives_the_numbers_and_files_of_stz_run(tmp_path):
    cli_dir, py_dir = str(tmp_path / "cli"), str(tmp_path / "py")
    args = [a for s in TINY_SET for a in ("--set", s)]
    cli = stz("run", QUICKSTART, "-o", cli_dir, "--quiet", "--seed", "3", *args)
    assert cli.returncode == 0, cli.stderr
    result = libstz.run(tiny_config(**{"run.seed": 3}), output_dir=py_dir)
    assert result.output_dir == py_dir
    for name in ("run.h5", "run.xdmf", "series.csv"):
        assert os.path.isfile(os.path.join(py_dir, name))
    with open(os.path.join(cli_dir, "series.csv")) as a, open(os.path.join(py_dir, "series.csv")) as b:
        assert a.read() == b.read()

    series, summary, fields, strains, config = read_run(cli_dir)
    assert series["events"][-1] > 100  # the comparison covers a real trajectory
    assert set(result.series) == set(series)
    for name, values in series.items():
        assert result.series[name].dtype == values.dtype, name
        np.testing.assert_array_equal(result.series[name], values, err_msg=name)
    assert set(result.summary) == set(summary)
    for name, value in summary.items():
        if name != "wall_s":
            np.testing.assert_equal(result.summary[name], value, err_msg=name)
    assert [f["strain"] for f in result.fields] == pytest.approx(strains, abs=0)
    assert [f["is_final"] for f in result.fields] == [False, True]
    for mine, theirs in zip(result.fields, fields):
        for name, values in theirs.items():
            assert mine[name].shape == values.shape, name
            np.testing.assert_array_equal(mine[name], values, err_msg=name)
    # The stored config differs only in the output folder.
    py_config = read_run(py_dir)[4]
    assert py_config.replace(py_dir, cli_dir) == config


def test_run_in_memory_only(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = libstz.run(tiny_config())
    assert result.output_dir is None
    assert os.listdir(tmp_path) == []
    assert result.summary["series_points"] == len(result.series["strain_eng"]) == 21
    assert result.fields[-1]["stress_GPa"].shape == (24, 12, 6)
    assert result.fields[-1]["cfv_largest"].dtype == np.int8


def test_simulation_steps_to_the_series_of_run():
    config = tiny_config()
    whole = libstz.run(config)
    sim = libstz.Simulation(config)
    assert sim.step() and sim.step(5)
    sim.run_to(0.012)  # an output point: steps never jump over one
    assert sim.strain == pytest.approx(0.012, rel=1e-12)
    sim.run_to(0.013)  # between output points: the step that reaches it may go on to 0.014
    assert 0.013 <= sim.strain <= 0.014 + 1e-15
    series = sim.series
    assert len(series["strain_eng"]) == 7 + (sim.strain >= 0.014 - 1e-15)  # 0, 0.002, ...
    assert sim.stress().shape == (24, 12, 6)
    assert sim.plastic_strain().shape == (24, 12, 6)
    assert sim.free_volume().shape == (24, 12)
    assert sim.field("stz_type").dtype == np.int32
    assert sim.point["strain_eng"] == sim.strain
    with pytest.raises(ValueError, match="^strain = 0.5: "):
        sim.run_to(0.5)
    with pytest.raises(ValueError, match="^field = pressure: one of "):
        sim.field("pressure")
    sim.run()
    assert sim.done and not sim.step()
    for name, values in whole.series.items():
        np.testing.assert_array_equal(sim.series[name], values, err_msg=name)
    np.testing.assert_array_equal(sim.stress(), whole.fields[-1]["stress_GPa"])
    np.testing.assert_array_equal(sim.free_volume(), whole.fields[-1]["free_volume"])


def test_progress_callback_sees_every_series_point():
    points = []
    result = libstz.run(tiny_config(), progress=points.append)
    assert [p["strain_eng"] for p in points] == list(result.series["strain_eng"])
    assert points[-1]["events"] == result.summary["events_total"]


# --- structure from numpy ---------------------------------------------------------------------

def label_map():
    labels = np.zeros((12, 6), dtype=np.int32)
    labels[2:5, 1:4] = 7
    labels[8:11, 2:5] = 9
    return labels


def test_labels_from_numpy_match_the_file_import(tmp_path):
    labels = label_map()
    table = {0: "matrix", 7: "mro_a", 9: "mro_b"}
    path = str(tmp_path / "map.h5")
    with h5py.File(path, "w") as f:
        f["labels"] = labels
    base = {"types": TYPES, **TINY}
    from_numpy = libstz.run(libstz.load_config(QUICKSTART, overrides=base),
                            labels=labels, label_types=table)
    imported = libstz.load_config(QUICKSTART, overrides={
        **base, "mro.map": {"file": path, "labels": table}})
    from_file = libstz.run(imported)
    types = from_numpy.fields[0]["stz_type"]
    assert set(np.unique(types)) == {0, 1, 2}  # the map was stretched over the 24×12 box
    np.testing.assert_array_equal(types, from_file.fields[0]["stz_type"])
    np.testing.assert_array_equal(from_numpy.fields[0]["domain_id"],
                                  from_file.fields[0]["domain_id"])
    for name, values in from_file.series.items():
        np.testing.assert_array_equal(from_numpy.series[name], values, err_msg=name)
    sim = libstz.Simulation(libstz.load_config(QUICKSTART, overrides=base), labels=labels,
                            label_types=table)
    np.testing.assert_array_equal(sim.field("stz_type"), types)


@pytest.mark.parametrize("labels,table,message", [
    (label_map().astype(float), {0: "matrix"}, r"^labels = an array of dtype float64: an integer"),
    (np.zeros((4, 4, 4), dtype=int), {0: "matrix"}, r"^mro\.map|^labels"),
    (label_map(), {0: "matrix", 7: "mro_a"}, r"^label_types = .*9"),
    (label_map(), {0: "matrix", 7: "mro_a", 9: "mro_c"}, r"^label_types\[9\] = mro_c: a type"),
    (label_map(), None, r"^label_types = \(missing\)"),
    (label_map(), {"0": "matrix"}, r"^label_types\['0'\]"),
])
def test_bad_label_arrays(labels, table, message):
    config = libstz.load_config(QUICKSTART, overrides={"types": TYPES, **TINY})
    with pytest.raises(ValueError, match=message):
        libstz.run(config, labels=labels, label_types=table)


def test_labels_need_a_config_without_synthetic_mro():
    config = libstz.load_config(QUICKSTART, overrides={"types": TYPES, "mro.fraction": 0.2, **TINY})
    with pytest.raises(ValueError, match=r"^mro\.fraction = 0\.2: 0 when a label map is given"):
        libstz.Simulation(config, labels=label_map(), label_types={0: "matrix"})


# --- interrupts, callbacks and threads --------------------------------------------------------

def test_exception_in_callback_leaves_no_files(tmp_path):
    def stop(point):
        if point["strain_eng"] >= 0.01:
            raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        libstz.run(tiny_config(), output_dir=str(tmp_path / "out"), progress=stop)
    assert not (tmp_path / "out").exists() or os.listdir(tmp_path / "out") == []


def long_config():
    # Enough events that a run outlasts the 0.05 s timers below many times over, on one output
    # interval: 128x64 to 8 % is ~38 000 events, ~1 s on one thread with the screening engine
    # (48x24 took 0.1 s, so the run could end before the signal check that follows the SIGINT).
    return libstz.load_config(QUICKSTART, overrides={
        "grid.shape": [128, 64], "loading.max_strain": 0.08, "output.stats_every_strain": 0.08,
        "output.snapshots_at_strain": []})


def test_ctrl_c_interrupts_between_series_points():
    sim = libstz.Simulation(long_config(), threads=1)  # ~1 s to the end here
    timer = threading.Timer(0.05, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        sim.run()
    timer.join()
    assert not sim.done and sim.events > 0
    assert len(sim.series["strain_eng"]) == 1  # no series point passed: the check came between
    events = sim.events
    sim.step(10)  # the simulation stays usable
    assert sim.events >= events


def test_ctrl_c_in_run_leaves_no_files(tmp_path):
    out = tmp_path / "out"
    timer = threading.Timer(0.05, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        libstz.run(long_config(), output_dir=str(out), threads=1)
    timer.join()
    assert not out.exists() or os.listdir(out) == []


def test_gil_is_released_while_simulating():
    sim = libstz.Simulation(long_config(), threads=1)
    worker = threading.Thread(target=sim.run_to, args=(0.06,))
    gaps, last = [], time.monotonic()
    worker.start()
    while worker.is_alive():
        time.sleep(0.001)
        now = time.monotonic()
        gaps.append(now - last)
        last = now
    worker.join()
    assert sim.strain >= 0.06 - 1e-12
    # With the GIL held this thread would wake only at the 0.1 s signal checks.
    assert len(gaps) > 5 and float(np.median(gaps)) < 0.05
    with pytest.raises(RuntimeError, match="own progress callback"):
        sim.run(progress=lambda p: sim.step())


def test_concurrent_runs_are_deterministic():
    # Also a regression test: FFTW plans made in two threads at once corrupted the heap while
    # the solver and the kernel convolution had separate planner locks.
    config = tiny_config()
    serial = libstz.run(config, threads=1)
    results = []

    def work():
        for _ in range(4):
            results.append(libstz.run(config, threads=1))
    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 12
    for r in results:
        for name, values in serial.series.items():
            np.testing.assert_array_equal(r.series[name], values, err_msg=name)


# --- the example ------------------------------------------------------------------------------

@pytest.mark.parametrize("extra", [[], ["--label-map"]])
def test_example_seed_study_runs(tmp_path, extra):
    pytest.importorskip("matplotlib")
    script = os.path.join(ROOT, "examples", "python_seed_study.py")
    done = subprocess.run([sys.executable, script, "--seeds", "2", "--shape", "24", "12",
                           "--max-strain", "0.03", "--workers", "2", "--out", str(tmp_path),
                           *extra], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert re.search(r"over [0-2] percolated of 2 seeds", done.stdout), done.stdout
    assert os.path.getsize(tmp_path / "seed_study.png") > 1000
    assert sorted(os.listdir(tmp_path)) == ["seed_study.png"]
