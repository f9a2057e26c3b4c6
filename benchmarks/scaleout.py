#!/usr/bin/env python3
"""Per-epoch time of a distributed batch epoch for 1 ... 1024 workers, from a measured per-row
time and a cost model of the reduction (docs/distributed.md explains the model).

Each worker accumulates rows/P rows (BatchStatistics.accumulate), then the statistics are
combined, applied once and the new codebook reaches every worker:

  compute      rows / P * row_us
  tree         2 * ceil(log2 P) * (latency + stats_bytes / bandwidth) + ceil(log2 P) * merge
               (fixed-order binary tree reduce of the bytes, then broadcast of the same size;
               Spark's treeReduce and Dask's tree reduction have this shape)
  ring         2 (P-1)/P * stats_bytes / bandwidth + 2 (P-1) * latency    (MPI_Allreduce)
  gather-all   (P-1) * (latency + stats_bytes / bandwidth) + (P-1) * merge
               (every worker receives every part and merges them in rank order: what
               mpi::fit_batch's ReduceOrder::fixed does, bit-reproducible)
  plus apply   (the smoothing and update, once per epoch) and, for Spark or Dask, a per-epoch
               stage overhead (scheduling the tasks), given with --stage-ms.

Usage: scaleout.py --row-us 0.85 [--rows 20e6 --units 1600 --features 64 --scalar 4
                   --latency-us 50 --gbit 10 --merge-gflops 2 --apply-ms 2 --stage-ms 0]
"""
import argparse
import math


def main():
    a = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    a.add_argument("--row-us", type=float, required=True, help="measured time per row on one worker (microseconds)")
    a.add_argument("--rows", type=float, default=20e6)
    a.add_argument("--units", type=int, default=1600)
    a.add_argument("--features", type=int, default=64)
    a.add_argument("--scalar", type=int, default=4, help="bytes per scalar: 4 float, 8 double")
    a.add_argument("--latency-us", type=float, default=50.0, help="per message")
    a.add_argument("--gbit", type=float, default=10.0, help="link bandwidth, Gbit/s")
    a.add_argument("--merge-gflops", type=float, default=2.0, help="additions per second when merging, 1e9/s")
    a.add_argument("--apply-ms", type=float, default=2.0, help="smoothing and update, once per epoch")
    a.add_argument("--stage-ms", type=float, default=0.0, help="engine overhead per epoch (task scheduling)")
    a.add_argument("--max-workers", type=int, default=1024)
    o = a.parse_args()

    stats_bytes = 88 + o.units * (o.features * o.scalar + 8)
    bandwidth = o.gbit * 1e9 / 8  # bytes per second
    lat = o.latency_us * 1e-6
    merge = o.units * (o.features + 1) / (o.merge_gflops * 1e9)
    per_message = lat + stats_bytes / bandwidth
    print(f"statistics: {stats_bytes} bytes per worker per epoch; one message {per_message * 1e3:.3f} ms, "
          f"one merge {merge * 1e3:.3f} ms; {o.rows:.3g} rows at {o.row_us} us per row")
    print()
    print("| workers | BMU pass | tree reduce + broadcast | epoch (tree) | ring all-reduce | epoch (ring) "
          "| gather-all | epoch (gather-all) | tree: reduction share |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    p = 1
    while p <= o.max_workers:
        compute = o.rows / p * o.row_us * 1e-6
        levels = math.ceil(math.log2(p)) if p > 1 else 0
        tree = 2 * levels * per_message + levels * merge
        ring = 2 * (p - 1) / p * stats_bytes / bandwidth + 2 * (p - 1) * lat if p > 1 else 0.0
        gather = (p - 1) * (per_message + merge)
        fixed = o.apply_ms * 1e-3 + o.stage_ms * 1e-3
        t_tree, t_ring, t_gather = compute + tree + fixed, compute + ring + fixed, compute + gather + fixed

        def ms(x):
            return f"{x * 1e3:.1f} ms" if x < 1 else f"{x:.2f} s"

        print(f"| {p} | {ms(compute)} | {ms(tree)} | {ms(t_tree)} | {ms(ring)} | {ms(t_ring)} | {ms(gather)} "
              f"| {ms(t_gather)} | {100 * (t_tree - compute) / t_tree:.0f}% |")
        p *= 2


if __name__ == "__main__":
    main()
