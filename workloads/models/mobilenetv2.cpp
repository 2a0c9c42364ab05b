// torchvision MobileNetV2 (width multiplier 1.0, 224x224): a 3x3 stem, 17 inverted-residual
// blocks (1x1 expand + ReLU6, 3x3 depthwise + ReLU6, 1x1 linear projection, residual Add when
// stride 1 and channels match), a 1x1 conv to 1280 + ReLU6, global average pool and the
// 1280x1000 classifier (dropout is the identity at inference). BatchNorm folded into the convs.
#include <fmt/format.h>

#include <array>
#include <string>

#include "workloads/models/models.h"

namespace npusim::workloads::models {
namespace {

TensorId conv(Graph& g, const std::string& name, TensorId x, std::int64_t out, std::int64_t k, std::int64_t stride,
              std::int64_t groups) {
  Graph::ConvSpec s;
  s.out_channels = out;
  s.kh = s.kw = k;
  s.stride = stride;
  s.pad = (k - 1) / 2;
  s.groups = groups;
  s.bias = false;  // BatchNorm follows (folded)
  return g.conv2d(name, x, s);
}

}  // namespace

Graph mobilenetv2(const ModelParams& params) {
  check_params("mobilenetv2", params);
  Graph g("mobilenetv2", params.dtype);
  const std::int64_t n = params.batch;
  TensorId x = g.input("image", {n, 3, 224, 224});
  x = conv(g, "features.0.conv", x, 32, 3, 2, 1);
  x = g.eltwise("features.0.relu6", EltFn::Relu6, x);

  struct Setting {
    std::int64_t t, c, n, s;  // expansion, output channels, repeats, first stride
  };
  constexpr std::array<Setting, 7> settings{
      {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}}};
  std::int64_t in_c = 32;
  int index = 1;
  for (const Setting& st : settings) {
    for (std::int64_t i = 0; i < st.n; ++i, ++index) {
      const std::string p = fmt::format("features.{}", index);
      const std::int64_t stride = i == 0 ? st.s : 1;
      const std::int64_t hidden = in_c * st.t;
      TensorId y = x;
      if (st.t != 1) {
        y = conv(g, p + ".expand", y, hidden, 1, 1, 1);
        y = g.eltwise(p + ".expand_relu6", EltFn::Relu6, y);
      }
      y = conv(g, p + ".dw", y, hidden, 3, stride, hidden);  // depthwise: groups = channels
      y = g.eltwise(p + ".dw_relu6", EltFn::Relu6, y);
      y = conv(g, p + ".project", y, st.c, 1, 1, 1);  // linear bottleneck: no activation
      if (stride == 1 && in_c == st.c) y = g.eltwise(p + ".add", EltFn::Add, y, x);
      x = y;
      in_c = st.c;
    }
  }
  x = conv(g, "features.18.conv", x, 1280, 1, 1, 1);
  x = g.eltwise("features.18.relu6", EltFn::Relu6, x);
  x = g.global_avg_pool("avgpool", x);
  x = g.reshape("flatten", x, {n, 1280});
  x = g.matmul("classifier", x, 1000, /*bias=*/true);
  g.mark_output(x);
  return g;
}

}  // namespace npusim::workloads::models
