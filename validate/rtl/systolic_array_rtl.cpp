#include "validate/rtl/systolic_array_rtl.h"

#include <fmt/format.h>

#include <algorithm>
#include <type_traits>

#include "base/checked.h"
#include "base/error.h"
#include "compiler/pe_timing.h"

#if NPUSIM_HAVE_RTL
#include <verilated.h>

#include "validate/rtl/rtl_models.h"
#endif

namespace npusim::validate::rtl {

using arch::Dataflow;

namespace {

// ---- where a tile's operands sit on the array (the operand buffers' side) ----
//
// A fold is one placement of the stationary operand; f enumerates them group-fold major, then
// the spatial chunk, then the reduction chunk (so the k-folds of one output block are adjacent).
class TilePlacement {
 public:
  TilePlacement(const ArrayShape& s, Dataflow df, std::int64_t m, std::int64_t n, std::int64_t k, std::int64_t groups,
                std::span<const std::int8_t> a, std::span<const std::int8_t> b)
      : R_(s.rows), C_(s.cols), V_(s.v), df_(df), m_(m), n_(n), k_(k), groups_(groups), a_(a), b_(b) {
    compiler::PeGeometry g;
    g.rows = R_, g.cols = C_, g.v = V_, g.dataflow = df;
    pack_ = compiler::groups_per_fold(g, m, n, k);
    group_folds_ = ceil_div(groups, pack_);
    const std::int64_t Rk = R_ * V_;
    switch (df) {
      case Dataflow::WeightStationary:
        red_chunks_ = ceil_div(k, Rk), sp_chunks_ = ceil_div(n, C_), stream_ = m;
        break;
      case Dataflow::InputStationary:
        red_chunks_ = ceil_div(k, Rk), sp_chunks_ = ceil_div(m, C_), stream_ = n;
        break;
      case Dataflow::OutputStationary:
        red_chunks_ = ceil_div(n, C_), sp_chunks_ = ceil_div(m, R_), stream_ = ceil_div(k, V_);  // (n, m) chunks
        break;
    }
    folds_ = group_folds_ * sp_chunks_ * red_chunks_;
    c_.assign(static_cast<std::size_t>(groups * m * n), 0);
    col_count_.assign(static_cast<std::size_t>(C_), 0);
  }

  std::int64_t folds() const { return folds_; }
  std::int64_t stream() const { return stream_; }
  std::vector<std::int32_t> take_result() { return std::move(c_); }

  // lanes: R*V int8 for the west edge, C*V for the north edge (lane-major, v inner)
  void west(std::int64_t f, std::int64_t step, std::int8_t* out) const {
    const Fold fd = fold(f);
    for (std::int64_t r = 0; r < R_; ++r)
      for (std::int64_t u = 0; u < V_; ++u) out[r * V_ + u] = west_elem(fd, step, r, u);
  }
  void north(std::int64_t f, std::int64_t step, std::int8_t* out) const {
    const Fold fd = fold(f);
    for (std::int64_t c = 0; c < C_; ++c)
      for (std::int64_t u = 0; u < V_; ++u) out[c * V_ + u] = north_elem(fd, step, c, u);
  }
  // What leaves column `col` of the south edge, in order.
  void south(std::int64_t col, std::int32_t value) {
    const std::int64_t i = col_count_[static_cast<std::size_t>(col)]++;
    if (df_ == Dataflow::OutputStationary) {  // per fold, rows 0..R-1 of the column
      const Fold fd = fold(i / R_);
      const std::int64_t r = i % R_;
      std::int64_t g = fd.group0, mi = 0, ni = 0;
      if (pack_ > 1) {
        const std::int64_t s = r / m_, s2 = col / n_;
        if (s != s2 || s >= pack_) return;  // an off-diagonal block: operands of two groups
        g += s, mi = r % m_, ni = col % n_;
      } else {
        mi = fd.sp * R_ + r, ni = fd.red * C_ + col;
      }
      add(g, mi, ni, value);
      return;
    }
    const Fold fd = fold(i / stream_);
    const std::int64_t t = i % stream_;  // the streamed index: a row of A (ws), a column of B (is)
    const std::int64_t span = df_ == Dataflow::WeightStationary ? n_ : m_;
    std::int64_t g = fd.group0, x = 0;
    if (pack_ > 1) {
      const std::int64_t s = col / span;
      if (s >= pack_) return;
      g += s, x = col % span;
    } else {
      x = fd.sp * C_ + col;
    }
    if (df_ == Dataflow::WeightStationary)
      add(g, t, x, value);
    else
      add(g, x, t, value);
  }

 private:
  struct Fold {
    std::int64_t group0, sp, red;
  };
  Fold fold(std::int64_t f) const {
    const std::int64_t per_group = sp_chunks_ * red_chunks_;
    const std::int64_t gf = f / per_group, rest = f % per_group;
    return {gf * pack_, rest / red_chunks_, rest % red_chunks_};
  }
  std::int8_t A(std::int64_t g, std::int64_t i, std::int64_t kk) const {
    if (g >= groups_ || i >= m_ || kk >= k_) return 0;
    return a_[static_cast<std::size_t>((g * m_ + i) * k_ + kk)];
  }
  std::int8_t B(std::int64_t g, std::int64_t kk, std::int64_t j) const {
    if (g >= groups_ || kk >= k_ || j >= n_) return 0;
    return b_[static_cast<std::size_t>((g * k_ + kk) * n_ + j)];
  }
  void add(std::int64_t g, std::int64_t i, std::int64_t j, std::int32_t v) {
    if (g >= groups_ || i >= m_ || j >= n_) return;  // padding of a remainder fold
    auto& x = c_[static_cast<std::size_t>((g * m_ + i) * n_ + j)];
    x = static_cast<std::int32_t>(static_cast<std::uint32_t>(x) + static_cast<std::uint32_t>(v));
  }

  // ws: west lane r carries A[t][k0 + r*V + u]; is: B[k0 + r*V + u][t]; os: A[m0 + r][t*V + u]
  std::int8_t west_elem(const Fold& fd, std::int64_t t, std::int64_t r, std::int64_t u) const {
    if (df_ == Dataflow::OutputStationary) {
      const std::int64_t kk = t * V_ + u;
      if (pack_ > 1) {
        const std::int64_t s = r / m_;
        return s < pack_ ? A(fd.group0 + s, r % m_, kk) : std::int8_t{0};
      }
      return A(fd.group0, fd.sp * R_ + r, kk);
    }
    const std::int64_t kk = r * V_ + u;
    std::int64_t g = fd.group0, ki = 0;
    if (pack_ > 1) {
      const std::int64_t s = kk / k_;
      if (s >= pack_) return 0;
      g += s, ki = kk % k_;
    } else {
      ki = fd.red * R_ * V_ + kk;
    }
    return df_ == Dataflow::WeightStationary ? A(g, t, ki) : B(g, ki, t);
  }

  // ws / is: load step l brings block row R-1-l (the chain shifts it down to its row);
  // ws: lane c carries B[k0 + row*V + u][n0 + c]; is: A[m0 + c][k0 + row*V + u].
  // os: lane c carries B[t*V + u][n0 + c].
  std::int8_t north_elem(const Fold& fd, std::int64_t step, std::int64_t c, std::int64_t u) const {
    if (df_ == Dataflow::OutputStationary) {
      const std::int64_t kk = step * V_ + u;
      if (pack_ > 1) {
        const std::int64_t s = c / n_;
        return s < pack_ ? B(fd.group0 + s, kk, c % n_) : std::int8_t{0};
      }
      return B(fd.group0, kk, fd.red * C_ + c);
    }
    const std::int64_t row = R_ - 1 - step;
    const std::int64_t kk = row * V_ + u;
    const std::int64_t span = df_ == Dataflow::WeightStationary ? n_ : m_;
    std::int64_t g = fd.group0, ki = 0, x = 0;
    if (pack_ > 1) {
      const std::int64_t s = kk / k_, s2 = c / span;
      if (s != s2 || s >= pack_) return 0;  // block diagonal: zeros keep the groups apart
      g += s, ki = kk % k_, x = c % span;
    } else {
      ki = fd.red * R_ * V_ + kk, x = fd.sp * C_ + c;
    }
    return df_ == Dataflow::WeightStationary ? B(g, ki, x) : A(g, x, ki);
  }

  std::int64_t R_, C_, V_;
  Dataflow df_;
  std::int64_t m_, n_, k_, groups_;
  std::span<const std::int8_t> a_, b_;
  std::int64_t pack_ = 1, group_folds_ = 1, red_chunks_ = 1, sp_chunks_ = 1, stream_ = 1, folds_ = 1;
  std::vector<std::int32_t> c_;
  std::vector<std::int64_t> col_count_;
};

}  // namespace

// The verilated top behind one interface: runs a whole tile (the per-cycle loop is inside, so
// it is compiled once per verilated size and costs no virtual call per cycle).
class SystolicArrayRtl::Model {
 public:
  virtual ~Model() = default;
  struct Result {
    std::int64_t first_in = -1, last_out = -1, edges = 0;
  };
  virtual Result run(const ArrayMode& mode, TilePlacement& tile, std::int64_t edge_limit) = 0;
};

#if NPUSIM_HAVE_RTL
namespace {

template <class P>
void put_byte(P& port, std::int64_t byte, std::int8_t value) {
  const auto v = static_cast<std::uint8_t>(value);
  if constexpr (std::is_integral_v<P>) {
    const int sh = static_cast<int>(8 * byte);
    port = static_cast<P>((port & ~(P(0xff) << sh)) | (P(v) << sh));
  } else {
    const int sh = static_cast<int>(8 * (byte % 4));
    auto& w = port.at(static_cast<std::size_t>(byte / 4));
    w = (w & ~(0xffu << sh)) | (std::uint32_t(v) << sh);
  }
}
template <class P>
std::int32_t get_word(const P& port, std::int64_t word) {
  if constexpr (std::is_integral_v<P>)
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(std::uint64_t(port) >> (32 * word)));
  else
    return static_cast<std::int32_t>(port.at(static_cast<std::size_t>(word)));
}
template <class P>
bool get_bit(const P& port, std::int64_t bit) {
  if constexpr (std::is_integral_v<P>)
    return (std::uint64_t(port) >> bit) & 1u;
  else
    return (port.at(static_cast<std::size_t>(bit / 32)) >> (bit % 32)) & 1u;
}

template <class VTop>
class ModelImpl final : public SystolicArrayRtl::Model {
 public:
  ModelImpl(std::int64_t rows, std::int64_t cols, std::int64_t v) : R_(rows), C_(cols), V_(v), top_(&ctx_, "sa") {
    west_.resize(static_cast<std::size_t>(R_ * V_));
    north_.resize(static_cast<std::size_t>(C_ * V_));
  }

  Result run(const ArrayMode& mode, TilePlacement& tile, std::int64_t edge_limit) override {
    Result res;
    // reset for two edges, then a one-cycle start
    top_.rst_n = 0;
    top_.start = 0;
    edge();
    edge();
    top_.rst_n = 1;
    top_.cfg_os = mode.dataflow == Dataflow::OutputStationary;
    top_.cfg_db = mode.double_buffer;
    top_.cfg_ov = mode.fold_overlap;
    top_.cfg_folds = static_cast<std::uint32_t>(tile.folds());
    top_.cfg_stream = static_cast<std::uint32_t>(tile.stream());
    top_.start = 1;
    edge();
    top_.start = 0;
    std::int64_t n = 0;  // edges since start
    while (true) {
      // the requests depend on the controller's state only: as the last rising edge left them
      top_.clk = 0;
      bool in = false;
      if (top_.west_req_valid) {
        tile.west(top_.west_req_fold, top_.west_req_step, west_.data());
        for (std::int64_t i = 0; i < R_ * V_; ++i) put_byte(top_.west_data, i, west_[static_cast<std::size_t>(i)]);
        in = true;
      }
      if (top_.north_req_valid) {
        tile.north(top_.north_req_fold, top_.north_req_step, north_.data());
        for (std::int64_t i = 0; i < C_ * V_; ++i) put_byte(top_.north_data, i, north_[static_cast<std::size_t>(i)]);
        in = true;
      }
      top_.eval();
      top_.clk = 1;
      top_.eval();
      ++n;
      if (in && res.first_in < 0) res.first_in = n;
      for (std::int64_t c = 0; c < C_; ++c)
        if (get_bit(top_.south_valid, c)) {
          tile.south(c, get_word(top_.south_data, c));
          res.last_out = n;
        }
      if (top_.done || n > edge_limit) break;
    }
    res.edges = n + 3;
    if (!top_.done)
      throw Error(fmt::format("RTL {}x{} array: the tile (F={}, T={}) did not finish in {} cycles", R_, C_, tile.folds(),
                              tile.stream(), edge_limit));
    return res;
  }

 private:
  void edge() {
    top_.clk = 0;
    top_.eval();
    top_.clk = 1;
    top_.eval();
  }
  std::int64_t R_, C_, V_;
  VerilatedContext ctx_;
  VTop top_;
  std::vector<std::int8_t> west_, north_;
};

}  // namespace

bool rtl_available() { return true; }

std::vector<ArrayShape> verilated_shapes() {
  std::vector<ArrayShape> v;
#define NPUSIM_RTL_SHAPE(r, c, vv, cls) v.push_back({r, c, vv});
  NPUSIM_RTL_MODELS(NPUSIM_RTL_SHAPE)
#undef NPUSIM_RTL_SHAPE
  return v;
}

namespace {
std::unique_ptr<SystolicArrayRtl::Model> make_model(const ArrayShape& s) {
#define NPUSIM_RTL_MAKE(r, c, vv, cls) \
  if (s == ArrayShape{r, c, vv}) return std::make_unique<ModelImpl<cls>>(r, c, vv);
  NPUSIM_RTL_MODELS(NPUSIM_RTL_MAKE)
#undef NPUSIM_RTL_MAKE
  return nullptr;
}
}  // namespace

#else  // no Verilator in this build

bool rtl_available() { return false; }
std::vector<ArrayShape> verilated_shapes() { return {}; }
namespace {
std::unique_ptr<SystolicArrayRtl::Model> make_model(const ArrayShape&) { return nullptr; }
}  // namespace

#endif

void check_verilated(const ArrayShape& shape, const ArrayMode& mode) {
  if (!rtl_available())
    throw Error("this npusim was built without the PE-array RTL (configured with -DNPUSIM_RTL=OFF or without Verilator)");
  if (mode.fold_overlap && !mode.double_buffer && mode.dataflow != Dataflow::OutputStationary)
    throw Error("RTL array: fold overlap needs the stationary double buffer");
  const auto shapes = verilated_shapes();
  if (std::find(shapes.begin(), shapes.end(), shape) != shapes.end()) return;
  std::string sizes;
  for (const ArrayShape& s : shapes)
    sizes += fmt::format("{}{}x{}{}", sizes.empty() ? "" : ", ", s.rows, s.cols, s.v > 1 ? fmt::format(" (v={})", s.v) : "");
  throw Error(fmt::format("no verilated {}x{} PE array with {} MAC(s) per PE per cycle; verilated sizes: {} "
                          "(validate/rtl/CMakeLists.txt, NPUSIM_RTL_SHAPES)",
                          shape.rows, shape.cols, shape.v, sizes));
}

SystolicArrayRtl::SystolicArrayRtl(const ArrayShape& shape, const ArrayMode& mode) : shape_(shape), mode_(mode) {
  check_verilated(shape, mode);
  model_ = make_model(shape);
  if (!model_) throw Error(fmt::format("RTL array: no model for the verilated {}x{} shape", shape.rows, shape.cols));
}

SystolicArrayRtl::~SystolicArrayRtl() = default;

TileRun SystolicArrayRtl::run(std::int64_t m, std::int64_t n, std::int64_t k, std::int64_t groups,
                              std::span<const std::int8_t> a, std::span<const std::int8_t> b) {
  if (m <= 0 || n <= 0 || k <= 0 || groups <= 0) throw Error("RTL array: empty tile");
  if (static_cast<std::int64_t>(a.size()) != groups * m * k || static_cast<std::int64_t>(b.size()) != groups * k * n)
    throw Error("RTL array: operand sizes do not match the tile");
  TilePlacement tile(shape_, mode_.dataflow, m, n, k, groups, a, b);
  TileRun r;
  r.folds = tile.folds();
  r.stream = tile.stream();
  // a generous bound: every fold loaded, streamed and drained on its own, twice over
  const std::int64_t limit = 2 * tile.folds() * (tile.stream() + 2 * (shape_.rows + shape_.cols)) + 64;
  const Model::Result res = model_->run(mode_, tile, limit);
  total_cycles_ += res.edges;
  r.first_in_edge = res.first_in;
  r.last_out_edge = res.last_out;
  r.cycles = res.last_out - res.first_in + 1;
  r.c = tile.take_result();
  return r;
}

std::vector<std::int32_t> reference_gemm(std::int64_t m, std::int64_t n, std::int64_t k, std::int64_t groups,
                                         std::span<const std::int8_t> a, std::span<const std::int8_t> b) {
  std::vector<std::int32_t> c(static_cast<std::size_t>(groups * m * n), 0);
  for (std::int64_t g = 0; g < groups; ++g)
    for (std::int64_t i = 0; i < m; ++i)
      for (std::int64_t j = 0; j < n; ++j) {
        std::uint32_t acc = 0;
        for (std::int64_t kk = 0; kk < k; ++kk)
          acc += static_cast<std::uint32_t>(std::int32_t{a[static_cast<std::size_t>((g * m + i) * k + kk)]} *
                                            std::int32_t{b[static_cast<std::size_t>((g * k + kk) * n + j)]});
        c[static_cast<std::size_t>((g * m + i) * n + j)] = static_cast<std::int32_t>(acc);
      }
  return c;
}

}  // namespace npusim::validate::rtl
