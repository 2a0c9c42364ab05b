// ONNX's shape rules, shared by constant folding and the import of runtime ops.
#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <numeric>

#include "base/checked.h"
#include "base/error.h"
#include "workloads/onnx/importer.h"

namespace npusim::workloads::onnx {

namespace {

std::string list_str(const std::vector<std::int64_t>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += fmt::format("{}{}", i ? ", " : "", v[i]);
  return s + "]";
}

}  // namespace

int norm_axis(std::int64_t axis, std::size_t rank, std::string_view what) {
  const auto r = static_cast<std::int64_t>(rank);
  if (axis < -r || axis >= r)
    throw Error(fmt::format("{} {} is out of range for rank {}", what, axis, rank));
  return static_cast<int>(axis < 0 ? axis + r : axis);
}

std::vector<int> norm_axes(const std::vector<std::int64_t>& axes, std::size_t rank, std::string_view what) {
  std::vector<int> out;
  for (std::int64_t a : axes) out.push_back(norm_axis(a, rank, what));
  std::sort(out.begin(), out.end());
  if (std::adjacent_find(out.begin(), out.end()) != out.end())
    throw Error(fmt::format("{} {} names an axis twice", what, list_str(axes)));
  return out;
}

Shape reshape_shape(const Shape& in, const std::vector<std::int64_t>& spec, bool allowzero) {
  std::int64_t total = 1;
  for (std::int64_t d : in) total = checked_mul(total, d, "reshape input");
  Shape out;
  int infer = -1;
  std::int64_t known = 1;
  for (std::size_t i = 0; i < spec.size(); ++i) {
    std::int64_t d = spec[i];
    if (d == -1) {
      if (infer >= 0) throw Error(fmt::format("shape {} has more than one -1", list_str(spec)));
      infer = static_cast<int>(i);
      out.push_back(1);
      continue;
    }
    if (d == 0 && !allowzero) {
      if (i >= in.size()) throw Error(fmt::format("shape {}: a 0 at position {} copies no input dimension of {}",
                                                  list_str(spec), i, shape_str(in)));
      d = in[i];
    }
    if (d < 0) throw Error(fmt::format("shape {} has the negative size {}", list_str(spec), d));
    out.push_back(d);
    known = checked_mul(known, d, "reshape");
  }
  if (infer >= 0) {
    if (known == 0 || total % known != 0)
      throw Error(fmt::format("cannot reshape {} ({} elements) to {}", shape_str(in), total, list_str(spec)));
    out[static_cast<std::size_t>(infer)] = total / known;
  } else if (known != total) {
    throw Error(fmt::format("cannot reshape {} ({} elements) to {} ({} elements)", shape_str(in), total,
                            shape_str(out), known));
  }
  return out;
}

Shape flatten_shape(const Shape& in, std::int64_t axis) {
  const auto r = static_cast<std::int64_t>(in.size());
  if (axis < -r || axis > r) throw Error(fmt::format("axis {} is out of range for rank {}", axis, r));
  if (axis < 0) axis += r;
  std::int64_t a = 1, b = 1;
  for (std::int64_t i = 0; i < r; ++i)
    (i < axis ? a : b) = checked_mul(i < axis ? a : b, in[static_cast<std::size_t>(i)], "flatten");
  return {a, b};
}

Shape squeeze_shape(const Shape& in, const std::optional<std::vector<std::int64_t>>& axes) {
  Shape out;
  if (!axes) {
    for (std::int64_t d : in)
      if (d != 1) out.push_back(d);
    return out;
  }
  const std::vector<int> ax = norm_axes(*axes, in.size(), "squeeze axis");
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (std::binary_search(ax.begin(), ax.end(), static_cast<int>(i))) {
      if (in[i] != 1) throw Error(fmt::format("cannot squeeze axis {} of {}: its size is not 1", i, shape_str(in)));
      continue;
    }
    out.push_back(in[i]);
  }
  return out;
}

Shape unsqueeze_shape(const Shape& in, const std::vector<std::int64_t>& axes) {
  const std::size_t r = in.size() + axes.size();
  const std::vector<int> ax = norm_axes(axes, r, "unsqueeze axis");
  Shape out;
  std::size_t k = 0;
  for (std::size_t i = 0; i < r; ++i) {
    if (std::binary_search(ax.begin(), ax.end(), static_cast<int>(i))) out.push_back(1);
    else out.push_back(in[k++]);
  }
  return out;
}

Shape transpose_shape(const Shape& in, std::vector<std::int64_t>& perm) {
  if (perm.empty()) {
    perm.resize(in.size());
    std::iota(perm.rbegin(), perm.rend(), 0);
  }
  std::vector<std::int64_t> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; i < sorted.size(); ++i)
    if (sorted[i] != static_cast<std::int64_t>(i) || sorted.size() != in.size())
      throw Error(fmt::format("perm {} is not a permutation of the {} axes of {}", list_str(perm), in.size(),
                              shape_str(in)));
  Shape out;
  for (std::int64_t p : perm) out.push_back(in[static_cast<std::size_t>(p)]);
  return out;
}

Shape concat_shape(const std::vector<const Shape*>& ins, std::int64_t axis) {
  if (ins.empty()) throw Error("concat of no inputs");
  const Shape& first = *ins.front();
  const int a = norm_axis(axis, first.size(), "axis");
  Shape out = first;
  out[static_cast<std::size_t>(a)] = 0;
  for (const Shape* s : ins) {
    if (s->size() != first.size())
      throw Error(fmt::format("inputs {} and {} differ in rank", shape_str(first), shape_str(*s)));
    for (std::size_t i = 0; i < s->size(); ++i)
      if (static_cast<int>(i) != a && (*s)[i] != first[i])
        throw Error(fmt::format("inputs {} and {} differ outside axis {}", shape_str(first), shape_str(*s), a));
    out[static_cast<std::size_t>(a)] = checked_add(out[static_cast<std::size_t>(a)], (*s)[static_cast<std::size_t>(a)], "concat");
  }
  return out;
}

Shape gather_shape(const Shape& data, const Shape& indices, int axis) {
  Shape out(data.begin(), data.begin() + axis);
  out.insert(out.end(), indices.begin(), indices.end());
  out.insert(out.end(), data.begin() + axis + 1, data.end());
  return out;
}

Shape broadcast_or_throw(const Shape& a, const Shape& b) {
  const std::optional<Shape> s = broadcast_shapes(a, b);
  if (!s) throw Error(fmt::format("shapes {} and {} do not broadcast", shape_str(a), shape_str(b)));
  return *s;
}

SliceSpec slice_spec(const Shape& in, const std::vector<std::int64_t>& starts, const std::vector<std::int64_t>& ends,
                     const std::optional<std::vector<std::int64_t>>& axes_in,
                     const std::optional<std::vector<std::int64_t>>& steps_in) {
  const std::size_t r = in.size();
  std::vector<std::int64_t> axes = axes_in.value_or(std::vector<std::int64_t>{});
  if (!axes_in)
    for (std::size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<std::int64_t>(i));
  const std::vector<std::int64_t> steps = steps_in.value_or(std::vector<std::int64_t>(starts.size(), 1));
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
    throw Error(fmt::format("starts {}, ends {}, axes {} and steps {} differ in length", list_str(starts),
                            list_str(ends), list_str(axes), list_str(steps)));
  SliceSpec s;
  s.starts.assign(r, 0);
  s.steps.assign(r, 1);
  s.out = in;
  std::vector<bool> seen(r, false);
  for (std::size_t i = 0; i < starts.size(); ++i) {
    const auto a = static_cast<std::size_t>(norm_axis(axes[i], r, "slice axis"));
    if (seen[a]) throw Error(fmt::format("slice axes {} name axis {} twice", list_str(axes), a));
    seen[a] = true;
    const std::int64_t dim = in[a], step = steps[i];
    if (step == 0) throw Error("a slice step must not be 0");
    // numpy's clamping: negative indices count from the end, then clamp to the valid range.
    auto clamp = [&](std::int64_t v, std::int64_t lo, std::int64_t hi) {
      if (v < 0) v = v < -dim ? -1 : v + dim;  // (-dim - 1 and below stay below the range)
      return std::clamp(v, lo, hi);
    };
    // positive steps: starts and ends in [0, dim]; negative: starts in [0, dim-1], ends in [-1, dim-1]
    const std::int64_t b = step > 0 ? clamp(starts[i], 0, dim) : clamp(starts[i], 0, dim - 1);
    const std::int64_t e = step > 0 ? clamp(ends[i], 0, dim) : clamp(ends[i], -1, dim - 1);
    std::int64_t n = 0;
    if (step > 0 && e > b) n = (e - b + step - 1) / step;
    if (step < 0 && b > e) n = (b - e + (-step) - 1) / (-step);
    s.starts[a] = b;
    s.steps[a] = step;
    s.out[a] = n;
  }
  return s;
}

std::vector<std::int64_t> split_sizes(std::int64_t dim, std::size_t outputs,
                                      const std::optional<std::vector<std::int64_t>>& split,
                                      std::optional<std::int64_t> num_outputs) {
  if (split) {
    if (split->size() != outputs)
      throw Error(fmt::format("split {} has {} parts for {} outputs", list_str(*split), split->size(), outputs));
    std::int64_t sum = 0;
    for (std::int64_t s : *split) {
      if (s < 0) throw Error(fmt::format("split {} has a negative part", list_str(*split)));
      sum = checked_add(sum, s, "split");
    }
    if (sum != dim) throw Error(fmt::format("split {} adds up to {}, the axis has {}", list_str(*split), sum, dim));
    return *split;
  }
  const std::int64_t n = num_outputs.value_or(static_cast<std::int64_t>(outputs));
  if (n <= 0 || static_cast<std::size_t>(n) != outputs)
    throw Error(fmt::format("num_outputs {} differs from the node's {} outputs", n, outputs));
  // Equal parts; since opset 18 the last part may be smaller (ceil).
  const std::int64_t part = (dim + n - 1) / n;
  if (!num_outputs && dim % n != 0)
    throw Error(fmt::format("an axis of {} does not split into {} equal parts", dim, n));
  std::vector<std::int64_t> out;
  std::int64_t left = dim;
  for (std::int64_t i = 0; i < n; ++i) {
    out.push_back(std::min(part, left));
    left -= out.back();
  }
  return out;
}

Shape reduce_shape(const Shape& in, const std::vector<int>& axes, bool keepdims) {
  Shape out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const bool reduced = axes.empty() || std::binary_search(axes.begin(), axes.end(), static_cast<int>(i));
    if (!reduced) out.push_back(in[i]);
    else if (keepdims) out.push_back(1);
  }
  return out;
}

Shape tensor_shape(const Shape& s) { return s.empty() ? Shape{1} : s; }

}  // namespace npusim::workloads::onnx
