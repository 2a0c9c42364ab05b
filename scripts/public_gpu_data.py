#!/usr/bin/env python3
"""Converts public GPU kernel measurements into npusim's generic measurement CSV.

npusim validate --measurements FILE reads these files (validate/data/public/README.md describes the
format). Each converter reads a source exactly as its authors published it and writes only the rows
npusim uses; the provenance and licence of every source live beside the data it produced
(validate/data/public/<source>/PROVENANCE.md, LICENSE). Python 3 standard library only.

  public_gpu_data.py xla MATMUL_INTERPOLATOR_DATA_H OUT_DIR
  public_gpu_data.py neusight-gemm BMM_CSV LINEAR_CSV OUT_DIR
  public_gpu_data.py neusight-ops ELEM_CSV LN_CSV SOFTMAX_CSV OUT_DIR
  public_gpu_data.py neusight-trace-ops LABEL_DIR OUT_DIR
"""

import csv
import math
import os
import re
import statistics
import sys

GEMM_COLUMNS = ["name", "family", "source", "m", "n", "k", "batch", "dtype", "time_us", "timer", "kernel"]
OP_COLUMNS = ["name", "family", "source", "op", "rows", "cols", "inputs", "dtype", "time_us", "timer", "kernel"]


def write_csv(path, columns, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow(r)
    print(f"wrote {path}: {len(rows)} rows")


def us(x):
    return f"{x:.4f}"


# ---- XLA: xla/service/gpu/model/matmul_interpolator_data.h ---------------------------------------
# A text protobuf: entries { key: "<arch>" value { entries { b: m: n: k: flops { key: "<dtypes>" value:
# FLOP/s } ... } } }. The time of a row is 2 b m n k / FLOP/s (how the table was made from the median
# CUPTI kernel time: xla/tools/matmul_perf_table_gen.cc).

XLA_DTYPES = {"bf16xbf16->bf16": "bf16", "f32xf32->f32": "tf32"}  # f32 dots run at TF32 tensor rates


def parse_xla(text):
    arch = None
    entry = {}
    for line in text.splitlines():
        s = line.strip()
        m = re.match(r'key: "(sm_[^"]+)"', s)
        if m:
            arch = m.group(1)
            continue
        m = re.match(r"([bmnk]): (\d+)$", s)
        if m:
            entry[m.group(1)] = int(m.group(2))
            continue
        m = re.match(r'flops \{ key: "([^"]+)" value: (\d+) \}', s)
        if m and arch is not None:
            yield arch, dict(entry), m.group(1), int(m.group(2))


def convert_xla(header, out_dir):
    with open(header) as f:
        text = f.read()
    rows = []
    for arch, e, dt, flops in parse_xla(text):
        if arch != "sm_90" or dt not in XLA_DTYPES:
            continue
        b, m, n, k = e["b"], e["m"], e["n"], e["k"]
        t = 2.0 * b * m * n * k / flops * 1e6
        dtype = XLA_DTYPES[dt]
        rows.append({"name": f"xla.{dtype}.b{b}.{m}x{n}x{k}", "family": "gemm" if b == 1 else "bmm",
                     "source": "xla-sm90", "m": m, "n": n, "k": k, "batch": b, "dtype": dtype, "time_us": us(t),
                     "timer": "kernel", "kernel": ""})
    rows.sort(key=lambda r: (r["dtype"], r["batch"], r["m"], r["n"], r["k"]))
    write_csv(os.path.join(out_dir, "h100_sxm_gemm.csv"), GEMM_COLUMNS, rows)


# ---- NeuSight: scripts/asplos/data/dataset/test/{bmm,linear}.csv --------------------------------
# FP32 with TF32 off (PyTorch 2.1.0, CUDA 12.1): CUDA events around the call, 25 runs, the mean of
# the 5 fastest; latency in ms. bmm (B,M,N) x (B,N,K): N is the reduction. linear: input (B,M,N),
# nn.Linear(N, K) with bias: rows B M, reduction N, outputs K.

NEUSIGHT_DEVICES = {"NVIDIA H100 80GB HBM3": "h100_sxm", "NVIDIA A100 80GB PCIe": "a100_pcie_80gb"}


def kernel_tile(name):
    """The CTA tile of a cuBLAS kernel name as bm x bn of the row-major C (m x n), or ''.

    The name records the tile of cuBLAS's column-major problem (tilesize128x64x8, sgemm_128x32):
    PyTorch's row-major C = A B runs as C^T = B^T A^T, so cuBLAS's M is our n and its N our m.
    """
    m = re.search(r"tilesize(\d+)x(\d+)x(\d+)", name) or re.search(r"sgemm_(\d+)x(\d+)", name)
    if not m:
        return ""
    tile = f"{m.group(2)}x{m.group(1)}"
    return tile + ("_sliced" if "sliced" in name else "")


def convert_neusight_gemm(bmm_csv, linear_csv, out_dir):
    per_device = {d: [] for d in NEUSIGHT_DEVICES.values()}
    for path, family in ((bmm_csv, "bmm"), (linear_csv, "linear")):
        with open(path) as f:
            for r in csv.DictReader(f):
                dev = NEUSIGHT_DEVICES.get(r["Device"])
                if dev is None:
                    continue
                B, M, N, K = int(r["B"]), int(r["M"]), int(r["N"]), int(r["K"])
                if family == "bmm":
                    m, n, k, batch = M, K, N, B
                else:
                    m, n, k, batch = B * M, K, N, 1
                per_device[dev].append({"name": f"neusight.{family}.B{B}.M{M}.N{N}.K{K}", "family": family,
                                        "source": "neusight", "m": m, "n": n, "k": k, "batch": batch,
                                        "dtype": "fp32", "time_us": us(float(r["Latency"]) * 1000.0),
                                        "timer": "events", "kernel": kernel_tile(r["Kernel Name"])})
    for dev, rows in per_device.items():
        rows.sort(key=lambda r: (r["family"], r["batch"], r["m"], r["n"], r["k"]))
        write_csv(os.path.join(out_dir, f"{dev}_fp32_gemm.csv"), GEMM_COLUMNS, rows)


# ---- NeuSight: memory-bound operators (test/{elem,ln,softmax}.csv, A100 80GB PCIe) --------------

ELEM_INPUTS = {"add": 2, "mul": 2, "pow": 2, "div": 2, "addu": 1, "mulu": 1, "powu": 1, "divu": 1, "relu": 1,
               "tanh": 1, "gelu": 1}


def convert_neusight_ops(elem_csv, ln_csv, softmax_csv, out_dir):
    rows = []
    for path in (elem_csv, ln_csv, softmax_csv):
        with open(path) as f:
            for r in csv.DictReader(f):
                if NEUSIGHT_DEVICES.get(r["Device"]) != "a100_pcie_80gb":
                    continue
                name = r["OPName"]
                op = "layernorm" if name == "ln" else "softmax" if name == "softmax" else "elementwise"
                rows.append({"name": f"neusight.{name}.B{r['B']}.H{r['H']}", "family": name, "source": "neusight",
                             "op": op, "rows": int(r["B"]), "cols": int(r["H"]),
                             "inputs": ELEM_INPUTS.get(name, 1), "dtype": "fp32",
                             "time_us": us(float(r["Latency"]) * 1000.0), "timer": "events", "kernel": ""})
    rows.sort(key=lambda r: (r["op"], r["family"], r["rows"], r["cols"]))
    write_csv(os.path.join(out_dir, "a100_pcie_80gb_fp32_ops.csv"), OP_COLUMNS, rows)


# ---- NeuSight: per-operator latencies of whole models on H100 (scripts/asplos/label/...) --------
# Each row of a label file is one node of a torch.fx trace of an FP32 model with its measured
# latency (ms). The memory-bound operators are kept: layer norms, softmax, and elementwise
# operators whose inputs all have the output's shape (or are scalars). One row per distinct
# (operator, shape): the median over the model's layers and the files that hold it.

def parse_shapes(s):
    try:
        return [list(x) if isinstance(x, (list, tuple)) else [] for x in eval(s, {"__builtins__": {}})]
    except Exception:
        return None


def trace_op(r):
    tgt, name = r["target"], r["Name"]
    if r["op"] == "call_module" and re.search(r"(^|_)ln(_\d+|_f)?$", name):
        return "layernorm", "ln", 1
    if "softmax" in tgt:
        return "softmax", "softmax", 1
    for key, fam in (("built-in function add", "add"), ("built-in function mul", "mul"),
                     ("built-in function truediv", "div"), ("method pow", "pow"), ("method tanh", "tanh")):
        if key in tgt:
            return "elementwise", fam, None
    return None


def convert_neusight_trace_ops(label_dir, out_dir):
    groups = {}
    for fn in sorted(os.listdir(label_dir)):
        if not fn.endswith(".csv") or "-inf-" not in fn:
            continue
        with open(os.path.join(label_dir, fn)) as f:
            for r in csv.DictReader(f):
                if r["dtype"] != "torch.float32":
                    continue
                kind = trace_op(r)
                shapes = parse_shapes(r["input_shapes"])
                if kind is None or not shapes or not shapes[0]:
                    continue
                op, fam, inputs = kind
                out = shapes[0]
                if op == "elementwise":
                    big = [s for s in shapes if math.prod(s) > 1]
                    if not big or any(s != big[0] for s in big):
                        continue  # broadcasting: not a plain elementwise stream
                    out, inputs = big[0], len(big)
                cols = out[-1]
                rows = math.prod(out) // cols
                t = float(r["latency"]) * 1000.0
                if t <= 0:
                    continue
                groups.setdefault((op, fam, rows, cols, inputs), []).append(t)
    rows = []
    for (op, fam, nrows, cols, inputs), ts in sorted(groups.items()):
        rows.append({"name": f"neusight-trace.{fam}.{nrows}x{cols}", "family": fam, "source": "neusight-trace",
                     "op": op, "rows": nrows, "cols": cols, "inputs": inputs, "dtype": "fp32",
                     "time_us": us(statistics.median(ts)), "timer": "events", "kernel": ""})
    write_csv(os.path.join(out_dir, "h100_sxm_fp32_ops.csv"), OP_COLUMNS, rows)


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    cmd, args = argv[1], argv[2:]
    if cmd == "xla" and len(args) == 2:
        convert_xla(*args)
    elif cmd == "neusight-gemm" and len(args) == 3:
        convert_neusight_gemm(*args)
    elif cmd == "neusight-ops" and len(args) == 4:
        convert_neusight_ops(*args)
    elif cmd == "neusight-trace-ops" and len(args) == 2:
        convert_neusight_trace_ops(*args)
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
