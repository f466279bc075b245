"""Optuna side of the bench's `tuning` command: the same functions, budgets and seeds as TuningBenchmark.cs.

Run by the bench (python3 with Debian's python3-optuna, 3.1). Prints one JSON object on stdout:
  quality: {function: {"50": [best per seed], "100": [...], "200": [...]}}
  mo:      {"zdt1": [hypervolume per seed]}             (reference point given by --ref)
  cost:    {"100": {"wall": median ms per suggestion, "cpu": mean thread CPU ms}, "300": ..., ...}   (sizes: --sizes)
"""
import argparse
import json
import math
import random
import statistics
import sys
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.ERROR)

BUDGETS = (50, 100, 200)
CENTRES = {"a": (1.0, 1.0, 1.0), "b": (-2.0, 2.0, 0.5), "c": (2.5, -1.5, 0.0), "d": (0.0, 0.0, 2.0)}
HARTMANN_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
HARTMANN_P = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
              [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]
HARTMANN_ALPHA = [1.0, 1.2, 3.0, 3.2]


def branin(t):
    x = t.suggest_float("x", -5, 10)
    y = t.suggest_float("y", 0, 15)
    return (y - 5.1 / (4 * math.pi ** 2) * x ** 2 + 5 / math.pi * x - 6) ** 2 + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x) + 10


def hartmann6(t):
    x = [t.suggest_float(f"x{i}", 0, 1) for i in range(6)]
    total = 0.0
    for i in range(4):
        inner = sum(HARTMANN_A[i][j] * (x[j] - HARTMANN_P[i][j] * 1e-4) ** 2 for j in range(6))
        total -= HARTMANN_ALPHA[i] * math.exp(-inner)
    return total


def rosenbrock4(t):
    x = [t.suggest_float(f"x{i}", -5, 10) for i in range(4)]
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(3))


def mixed(t):
    c = t.suggest_categorical("c", ["a", "b", "c", "d"])
    x = t.suggest_float("x", -5, 5)
    y = t.suggest_float("y", -5, 5)
    n = t.suggest_int("n", 0, 20)
    cx, cy, offset = CENTRES[c]
    return offset + (x - cx) ** 2 + (y - cy) ** 2 + 0.05 * (n - 7) ** 2


def zdt1(t):
    x = [t.suggest_float(f"x{i}", 0, 1) for i in range(4)]
    g = 1 + 9 * sum(x[1:]) / 3
    return x[0], g * (1 - math.sqrt(x[0] / g))


FUNCTIONS = {"branin": branin, "hartmann6": hartmann6, "rosenbrock4": rosenbrock4, "mixed": mixed}


def hypervolume_2d(points, ref):
    inside = sorted(p for p in points if p[0] < ref[0] and p[1] < ref[1])
    volume, y_prev = 0.0, ref[1]
    for x, y in inside:
        if y < y_prev:
            volume += (ref[0] - x) * (y_prev - y)
            y_prev = y
    return volume


def quality(seeds):
    result = {}
    for name, fn in FUNCTIONS.items():
        per_budget = {str(b): [] for b in BUDGETS}
        for seed in range(seeds):
            study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
            study.optimize(fn, n_trials=max(BUDGETS))
            values = [t.value for t in study.trials]
            for b in BUDGETS:
                per_budget[str(b)].append(min(values[:b]))
        result[name] = per_budget
        print(f"optuna quality {name} done", file=sys.stderr, flush=True)
    return result


def multi_objective(seeds, ref):
    hvs = []
    for seed in range(seeds):
        study = optuna.create_study(directions=["minimize", "minimize"], sampler=optuna.samplers.TPESampler(seed=seed))
        study.optimize(zdt1, n_trials=200)
        hvs.append(hypervolume_2d([t.values for t in study.trials], ref))
    print("optuna zdt1 done", file=sys.stderr, flush=True)
    return {"zdt1": hvs}


def cost(sizes):
    """ms per suggestion (ask + 6 suggest_float) with n complete trials of 6 float params in the study."""
    result = {}
    rng = random.Random(0)
    dists = {f"x{i}": optuna.distributions.FloatDistribution(0, 1) for i in range(6)}
    for n in sizes:
        study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0))
        trials = []
        for _ in range(n):
            params = {k: rng.random() for k in dists}
            value = -sum((v - 0.3) ** 2 for v in params.values())
            trials.append(optuna.trial.create_trial(params=params, distributions=dists, value=value))
        study.add_trials(trials)
        # One untimed ask first: TPE's first use imports and caches what later asks reuse.
        trial = study.ask()
        for k in dists:
            trial.suggest_float(k, 0, 1)
        study.tell(trial, state=optuna.trial.TrialState.FAIL)
        repeats = 20 if n <= 1000 else 5
        wall, cpu = [], []
        for _ in range(repeats):
            started, cpu_started = time.perf_counter(), time.thread_time()
            trial = study.ask()
            for k in dists:
                trial.suggest_float(k, 0, 1)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.thread_time() - cpu_started) * 1000)
            # FAIL keeps n complete trials for the next ask (TPE only reads COMPLETE and PRUNED ones).
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
        result[str(n)] = {"wall": statistics.median(wall), "cpu": statistics.mean(cpu)}
        print(f"optuna cost {n} done", file=sys.stderr, flush=True)
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--only", default="quality,cost,mo")
    parser.add_argument("--ref", default="1.1,1.1")
    parser.add_argument("--sizes", default="100,300,1000,3000")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    out = {"version": optuna.__version__}
    if "quality" in parts:
        out["quality"] = quality(args.seeds)
    if "mo" in parts:
        out["mo"] = multi_objective(args.seeds, tuple(float(v) for v in args.ref.split(",")))
    if "cost" in parts:
        out["cost"] = cost([int(v) for v in args.sizes.split(",")])
    print(json.dumps(out))


if __name__ == "__main__":
    main()
