#include "validate/harness/suite.h"

#include <array>
#include <cctype>
#include <set>
#include <stdexcept>
#include <tuple>

namespace npusim::validate::harness {

std::string_view name(Category c) {
  switch (c) {
    case Category::projection: return "projection";
    case Category::mlp: return "mlp";
    case Category::attention: return "attention";
    case Category::decode: return "decode";
    case Category::square: return "square";
    case Category::odd: return "odd";
  }
  return "?";
}

namespace {

std::string s(std::int64_t v) { return std::to_string(v); }

// concatenation by appending (GCC 12's -Wrestrict misfires on "literal" + std::string temporaries)
template <class... A>
std::string cat(const A&... parts) {
  std::string out;
  (out.append(parts), ...);
  return out;
}

struct Suite {
  std::vector<GemmShape> shapes;
  std::set<std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t>> seen;
  std::set<std::string> names;
  // adds a shape unless one with the same m, n, k, batch is already in (the first name wins)
  void add(std::string nm, Category c, std::int64_t m, std::int64_t n, std::int64_t k, std::int64_t batch = 1) {
    if (m < 1 || n < 1 || k < 1 || batch < 1) throw std::logic_error(cat("gemm suite: empty shape ", nm));
    if (!seen.insert({m, n, k, batch}).second) return;
    if (!names.insert(nm).second) throw std::logic_error(cat("gemm suite: duplicate name ", nm));
    shapes.push_back({std::move(nm), c, m, n, k, batch});
  }
};

struct Transformer {
  const char* name;
  std::int64_t d, ff, qkv;  // model width, MLP width, fused QKV width
};

}  // namespace

std::vector<GemmShape> gemm_suite() {
  Suite st;
  // squares 256 .. 16384
  for (std::int64_t n : {256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096, 6144, 8192, 12288, 16384})
    st.add(cat("square.", s(n)), Category::square, n, n, n);

  // transformer projections: QKV (fused), attention output, MLP up and down, per token count
  constexpr std::array<Transformer, 5> text{{{"bert-base", 768, 3072, 3 * 768},
                                             {"bert-large", 1024, 4096, 3 * 1024},
                                             {"gpt2-xl", 1600, 6400, 3 * 1600},
                                             {"llama-7b", 4096, 11008, 3 * 4096},
                                             {"llama-13b", 5120, 13824, 3 * 5120}}};
  constexpr std::array<Transformer, 2> vit{{{"vit-b16", 768, 3072, 3 * 768}, {"vit-l16", 1024, 4096, 3 * 1024}}};
  auto projections = [&](const Transformer& t, std::int64_t tokens, const std::string& tag) {
    const std::string p = cat(t.name, ".");
    st.add(cat(p, "qkv.", tag), Category::projection, tokens, t.qkv, t.d);
    st.add(cat(p, "attn_out.", tag), Category::projection, tokens, t.d, t.d);
    st.add(cat(p, "mlp_up.", tag), Category::projection, tokens, t.ff, t.d);
    st.add(cat(p, "mlp_down.", tag), Category::projection, tokens, t.d, t.ff);
  };
  for (const Transformer& t : text)
    for (std::int64_t tokens : {128, 512, 2048, 4096, 8192}) projections(t, tokens, cat("t", s(tokens)));
  for (const Transformer& t : vit)
    for (std::int64_t images : {1, 8, 32}) projections(t, 197 * images, cat("i", s(images)));  // 196 patches + [CLS]

  // MLPs (DLRM-style bottom/top layers and plain fully-connected stacks): batch x (in -> out)
  constexpr std::array<std::pair<std::int64_t, std::int64_t>, 8> layers{
      {{13, 512}, {512, 256}, {479, 1024}, {784, 512}, {1024, 1024}, {1024, 4096}, {4096, 1024}, {2048, 2048}}};
  for (std::int64_t b : {128, 512, 2048, 8192})
    for (auto [in, out] : layers) st.add(cat("mlp.k", s(in), "n", s(out), ".b", s(b)), Category::mlp, b, out, in);

  // attention batched matmuls, batch = sequences x heads: scores Q K^T (s x s x d) and
  // context P V (s x d x s); at most 2^29 score elements
  struct Attn {
    const char* name;
    std::int64_t heads, head_dim;
    std::vector<std::int64_t> seqs, batches;
  };
  const std::array<Attn, 4> attn{{{"bert-base", 12, 64, {128, 256, 512}, {1, 8, 32}},
                                   {"gpt2-xl", 25, 64, {256, 1024}, {1, 8}},
                                   {"llama-7b", 32, 128, {512, 1024, 2048, 4096}, {1, 4}},
                                   {"vit-b16", 12, 64, {197}, {1, 8, 32}}}};
  for (const Attn& a : attn)
    for (std::int64_t seq : a.seqs)
      for (std::int64_t b : a.batches) {
        const std::int64_t bh = b * a.heads;
        if (bh * seq * seq > (std::int64_t{1} << 29)) continue;
        const std::string tag = cat(".s", s(seq), ".b", s(b));
        st.add(cat("attn.", a.name, ".qk", tag), Category::attention, seq, seq, a.head_dim, bh);
        st.add(cat("attn.", a.name, ".pv", tag), Category::attention, seq, a.head_dim, seq, bh);
      }

  // decode: a few tokens (M = 1 .. 16) through the weights of a decoder
  struct Weight {
    const char* name;
    std::int64_t n, k;
  };
  constexpr std::array<Weight, 14> weights{{{"llama-7b.qkv", 12288, 4096},
                                            {"llama-7b.attn_out", 4096, 4096},
                                            {"llama-7b.mlp_up", 11008, 4096},
                                            {"llama-7b.mlp_down", 4096, 11008},
                                            {"llama-7b.lm_head", 32000, 4096},
                                            {"llama-13b.qkv", 15360, 5120},
                                            {"llama-13b.mlp_up", 13824, 5120},
                                            {"llama-13b.mlp_down", 5120, 13824},
                                            {"gpt2-xl.qkv", 4800, 1600},
                                            {"gpt2-xl.mlp_up", 6400, 1600},
                                            {"gpt2-xl.mlp_down", 1600, 6400},
                                            {"gpt2-xl.lm_head", 50257, 1600},
                                            {"gpt2.qkv", 2304, 768},
                                            {"gpt2.mlp_down", 768, 3072}}};
  for (const Weight& w : weights)
    for (std::int64_t m : {1, 2, 4, 8, 12, 16}) st.add(cat("decode.", w.name, ".m", s(m)), Category::decode, m, w.n, w.k);

  // sizes that are not multiples of 128 (nor, some of them, of 8: k = 1021 takes the kernel's
  // element-wise path)
  for (std::int64_t n : {100, 127, 129, 255, 257, 1000, 1001, 1021, 2047, 2049, 3000, 4097, 5000, 7001})
    st.add(cat("odd.sq", s(n)), Category::odd, n, n, n);
  constexpr std::array<std::array<std::int64_t, 3>, 20> mixed{{{1000, 1000, 1021},
                                                              {1021, 1000, 1000},
                                                              {1000, 1021, 1000},
                                                              {3000, 1000, 2000},
                                                              {1000, 3000, 1021},
                                                              {333, 4097, 1000},
                                                              {4097, 333, 1000},
                                                              {2000, 3000, 1000},
                                                              {77, 768, 768},
                                                              {77, 3072, 768},
                                                              {50, 1000, 2048},
                                                              {999, 999, 8191},
                                                              {8191, 8191, 999},
                                                              {1920, 1080, 1000},
                                                              {6000, 6000, 600},
                                                              {300, 300, 30000},
                                                              {130, 130, 10000},
                                                              {12345, 67, 890},
                                                              {17, 5003, 4099},
                                                              {4000, 4000, 4000}}};
  for (const auto& [m, n, k] : mixed) st.add(cat("odd.m", s(m), "n", s(n), "k", s(k)), Category::odd, m, n, k);
  return st.shapes;
}

std::vector<ConvShape> resnet50_convs(std::int64_t batch) {
  std::vector<ConvShape> all;
  auto conv = [&](const std::string& nm, std::int64_t hw, std::int64_t c, std::int64_t k, std::int64_t rs,
                  std::int64_t stride, std::int64_t pad) {
    ConvShape x;
    x.name = x.layers = nm;
    x.n = batch;
    x.h = x.w = hw;
    x.c = c;
    x.k = k;
    x.r = x.s = rs;
    x.stride = stride;
    x.pad = pad;
    all.push_back(x);
    return x.p();
  };
  std::int64_t hw = conv("conv1", 224, 3, 64, 7, 2, 3);  // 112
  hw = (hw + 2 * 1 - 3) / 2 + 1;                         // max pool 3x3 s2 p1: 56
  std::int64_t c = 64;
  struct Stage {
    std::int64_t blocks, width, stride;
  };
  constexpr std::array<Stage, 4> stages{{{3, 64, 1}, {4, 128, 2}, {6, 256, 2}, {3, 512, 2}}};
  for (std::size_t si = 0; si < stages.size(); ++si)
    for (std::int64_t b = 0; b < stages[si].blocks; ++b) {
      const std::string p = cat("layer", s(static_cast<std::int64_t>(si + 1)), ".", s(b));
      const std::int64_t width = stages[si].width, out = 4 * width, stride = b == 0 ? stages[si].stride : 1;
      conv(cat(p, ".conv1"), hw, c, width, 1, 1, 0);
      const std::int64_t hw2 = conv(cat(p, ".conv2"), hw, width, width, 3, stride, 1);
      conv(cat(p, ".conv3"), hw2, width, out, 1, 1, 0);
      if (b == 0) conv(cat(p, ".downsample"), hw, c, out, 1, stride, 0);
      hw = hw2;
      c = out;
    }
  // merge equal shapes, keeping network order of first appearance
  std::vector<ConvShape> unique;
  for (const ConvShape& x : all) {
    bool merged = false;
    for (ConvShape& u : unique)
      if (std::tie(u.h, u.w, u.c, u.k, u.r, u.s, u.stride, u.pad, u.dilation) ==
          std::tie(x.h, x.w, x.c, x.k, x.r, x.s, x.stride, x.pad, x.dilation)) {
        u.layers.append(";").append(x.name);
        ++u.count;
        merged = true;
        break;
      }
    if (!merged) unique.push_back(x);
  }
  return unique;
}

std::vector<ConvShape> conv_suite() {
  std::vector<ConvShape> v = resnet50_convs(1);
  for (ConvShape& x : resnet50_convs(32)) v.push_back(std::move(x));
  return v;
}

compiler::Plan plan_for(const GemmShape& g, DType in, const compiler::GpuLimits& limits) {
  return compiler::choose_plan(g.m, g.n, g.k, bytes(in), limits, g.batch);
}

compiler::Plan plan_for(const ConvShape& c, DType in, const compiler::GpuLimits& limits) {
  return compiler::choose_plan(c.gemm_m(), c.gemm_n(), c.gemm_k(), bytes(in), limits);
}

std::string gpu_slug(std::string_view gpu_name) {
  std::string out;
  for (char ch : gpu_name) {
    const auto u = static_cast<unsigned char>(ch);
    if (std::isalnum(u))
      out += static_cast<char>(std::tolower(u));
    else if (!out.empty() && out.back() != '-')
      out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "unknown-gpu" : out;
}

}  // namespace npusim::validate::harness
