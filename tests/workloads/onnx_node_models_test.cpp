// The ONNX importer on the node test models of Debian's libonnx-testdata: ONNX's reference
// implementation computed their outputs (test_data_set_0/output_*.pb), so the output shapes, and
// for folded constants the elements, are checked against an outside reference. The MACs of the
// GEMM-like ops are checked against the textbook count from the reference output's shape.
//
// Map mode: the node's first input is the model's input (a run-time tensor); its other inputs
// (weights, shapes, axes, scales) become initializers holding the test data, as exporters store
// them. Fold mode: every input becomes an initializer and the node folds at import time.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <numeric>

#include "tests/error_of.h"
#include "tests/workloads/onnx_test_util.h"

namespace npusim::workloads::onnx_test {
namespace {

enum class Macs { None, Conv, ConvTranspose, Gemm, MatMul };

struct Case {
  const char* test;
  Macs macs = Macs::None;
};

std::string test_data(const std::string& test, const std::string& file) {
  return kNodeTests + test + "/test_data_set_0/" + file;
}

std::int64_t product(const google::protobuf::RepeatedField<std::int64_t>& dims, int from = 0) {
  std::int64_t n = 1;
  for (int i = from; i < dims.size(); ++i) n *= dims[i];
  return n;
}

// The model with inputs from index `first_const` on replaced by initializers holding the test data;
// opsets before 7 (ops unchanged since) raised to 7.
proto::ModelProto prepared(const std::string& test, int first_const) {
  proto::ModelProto m = read_model(kNodeTests + test + "/model.onnx");
  for (auto& o : *m.mutable_opset_import())
    if ((o.domain().empty() || o.domain() == "ai.onnx") && o.version() < onnx::kMinOpset) o.set_version(onnx::kMinOpset);
  auto* g = m.mutable_graph();
  google::protobuf::RepeatedPtrField<proto::ValueInfoProto> kept;
  for (int k = 0; k < g->input_size(); ++k) {
    if (k < first_const) {
      *kept.Add() = g->input(k);
      continue;
    }
    proto::TensorProto t = read_tensor(test_data(test, "input_" + std::to_string(k) + ".pb"));
    t.set_name(g->input(k).name());
    *g->add_initializer() = t;
  }
  *g->mutable_input() = kept;
  return m;
}

class NodeModelMap : public ::testing::TestWithParam<Case> {};

TEST_P(NodeModelMap, ShapesAndMacsMatchTheReference) {
  const Case c = GetParam();
  const proto::ModelProto m = prepared(c.test, 1);
  onnx::Importer imp(m, std::string(c.test) + ".onnx", "", ModelParams{});
  imp.import_nodes();
  for (int k = 0; k < m.graph().output_size(); ++k) {
    const proto::TensorProto want = read_tensor(test_data(c.test, "output_" + std::to_string(k) + ".pb"));
    const onnx::Value* v = imp.find_value(m.graph().output(k).name());
    ASSERT_NE(v, nullptr) << c.test << " output " << k;
    EXPECT_EQ(v->shape, Shape(want.dims().begin(), want.dims().end())) << c.test << " output " << k;
  }
  const Graph g = onnx::import_bytes(m.SerializeAsString(), "t.onnx", "", ModelParams{});
  if (c.macs == Macs::None) {
    EXPECT_EQ(g.total_macs(), 0) << c.test;
    return;
  }
  const proto::TensorProto x = read_tensor(test_data(c.test, "input_0.pb"));
  const proto::TensorProto w = read_tensor(test_data(c.test, "input_1.pb"));
  const proto::TensorProto y = read_tensor(test_data(c.test, "output_0.pb"));
  std::int64_t want = 0;
  switch (c.macs) {
    case Macs::Conv: want = product(y.dims()) * product(w.dims(), 1); break;  // out x C/g x k
    case Macs::ConvTranspose: want = product(x.dims()) * product(w.dims(), 1); break;  // in x F/g x k
    case Macs::Gemm: {
      bool trans_a = false;
      for (const auto& a : m.graph().node(0).attribute()) trans_a = trans_a || (a.name() == "transA" && a.i() != 0);
      want = product(y.dims()) * (trans_a ? x.dims(0) : x.dims(1));
      break;
    }
    case Macs::MatMul: want = product(y.dims()) * x.dims(x.dims_size() - 1); break;
    case Macs::None: break;
  }
  EXPECT_EQ(g.total_macs(), want) << c.test;
}

// clang-format off
INSTANTIATE_TEST_SUITE_P(Onnx, NodeModelMap, ::testing::Values(
    Case{"test_basic_conv_with_padding", Macs::Conv}, Case{"test_basic_conv_without_padding", Macs::Conv},
    Case{"test_conv_with_autopad_same", Macs::Conv}, Case{"test_conv_with_strides_and_asymmetric_padding", Macs::Conv},
    Case{"test_conv_with_strides_no_padding", Macs::Conv}, Case{"test_conv_with_strides_padding", Macs::Conv},
    Case{"test_convtranspose", Macs::ConvTranspose}, Case{"test_convtranspose_1d", Macs::ConvTranspose},
    Case{"test_convtranspose_autopad_same", Macs::ConvTranspose}, Case{"test_convtranspose_dilations", Macs::ConvTranspose},
    Case{"test_convtranspose_kernel_shape", Macs::ConvTranspose}, Case{"test_convtranspose_output_shape", Macs::ConvTranspose},
    Case{"test_convtranspose_pad", Macs::ConvTranspose}, Case{"test_convtranspose_pads", Macs::ConvTranspose},
    Case{"test_convtranspose_with_kernel", Macs::ConvTranspose},
    Case{"test_gemm_all_attributes", Macs::Gemm}, Case{"test_gemm_alpha", Macs::Gemm}, Case{"test_gemm_beta", Macs::Gemm},
    Case{"test_gemm_default_matrix_bias", Macs::Gemm}, Case{"test_gemm_default_no_bias", Macs::Gemm},
    Case{"test_gemm_default_scalar_bias", Macs::Gemm}, Case{"test_gemm_default_single_elem_vector_bias", Macs::Gemm},
    Case{"test_gemm_default_vector_bias", Macs::Gemm}, Case{"test_gemm_default_zero_bias", Macs::Gemm},
    Case{"test_gemm_transposeA", Macs::Gemm}, Case{"test_gemm_transposeB", Macs::Gemm},
    Case{"test_matmul_2d", Macs::MatMul}, Case{"test_matmul_3d", Macs::MatMul}, Case{"test_matmul_4d", Macs::MatMul},
    Case{"test_add"}, Case{"test_add_bcast"}, Case{"test_sub"}, Case{"test_sub_bcast"}, Case{"test_mul"},
    Case{"test_mul_bcast"}, Case{"test_div"}, Case{"test_div_bcast"}, Case{"test_pow"}, Case{"test_pow_bcast_array"},
    Case{"test_pow_bcast_scalar"}, Case{"test_relu"}, Case{"test_clip"}, Case{"test_clip_default_min"},
    Case{"test_clip_default_max"}, Case{"test_clip_default_inbounds"}, Case{"test_sigmoid"}, Case{"test_hardsigmoid"},
    Case{"test_hardsigmoid_default"}, Case{"test_hardswish"}, Case{"test_hardswish_expanded"}, Case{"test_erf"},
    Case{"test_tanh"}, Case{"test_exp"}, Case{"test_sqrt"},
    Case{"test_softmax_axis_0"}, Case{"test_softmax_axis_1"}, Case{"test_softmax_axis_2"},
    Case{"test_softmax_default_axis"}, Case{"test_softmax_negative_axis"}, Case{"test_softmax_example"},
    Case{"test_softmax_axis_0_expanded"}, Case{"test_softmax_axis_2_expanded"},
    Case{"test_layer_normalization_2d_axis0"}, Case{"test_layer_normalization_2d_axis1"},
    Case{"test_layer_normalization_3d_axis1_epsilon"}, Case{"test_layer_normalization_4d_axis1"},
    Case{"test_layer_normalization_4d_axis_negative_2"}, Case{"test_layer_normalization_default_axis"},
    Case{"test_layer_normalization_4d_axis1_expanded"}, Case{"test_layer_normalization_default_axis_expanded"},
    Case{"test_layer_normalization_3d_axis0_epsilon_expanded"},
    Case{"test_batchnorm_example"}, Case{"test_batchnorm_epsilon"}, Case{"test_instancenorm_example"},
    Case{"test_instancenorm_epsilon"},
    Case{"test_maxpool_1d_default"}, Case{"test_maxpool_2d_ceil"}, Case{"test_maxpool_2d_default"},
    Case{"test_maxpool_2d_dilations"}, Case{"test_maxpool_2d_pads"}, Case{"test_maxpool_2d_precomputed_pads"},
    Case{"test_maxpool_2d_precomputed_same_upper"}, Case{"test_maxpool_2d_precomputed_strides"},
    Case{"test_maxpool_2d_same_lower"}, Case{"test_maxpool_2d_same_upper"}, Case{"test_maxpool_2d_strides"},
    Case{"test_maxpool_2d_uint8"}, Case{"test_maxpool_3d_default"}, Case{"test_maxpool_with_argmax_2d_precomputed_pads"},
    Case{"test_averagepool_1d_default"}, Case{"test_averagepool_2d_ceil"}, Case{"test_averagepool_2d_default"},
    Case{"test_averagepool_2d_pads"}, Case{"test_averagepool_2d_pads_count_include_pad"},
    Case{"test_averagepool_2d_precomputed_pads"}, Case{"test_averagepool_2d_precomputed_same_upper"},
    Case{"test_averagepool_2d_precomputed_strides"}, Case{"test_averagepool_2d_same_lower"},
    Case{"test_averagepool_2d_same_upper"}, Case{"test_averagepool_2d_strides"}, Case{"test_averagepool_3d_default"},
    Case{"test_globalaveragepool"}, Case{"test_globalaveragepool_precomputed"}, Case{"test_globalmaxpool"},
    Case{"test_globalmaxpool_precomputed"},
    Case{"test_reshape_extended_dims"}, Case{"test_reshape_negative_dim"}, Case{"test_reshape_negative_extended_dims"},
    Case{"test_reshape_one_dim"}, Case{"test_reshape_reduced_dims"}, Case{"test_reshape_reordered_all_dims"},
    Case{"test_reshape_reordered_last_dims"}, Case{"test_reshape_zero_and_negative_dim"}, Case{"test_reshape_zero_dim"},
    Case{"test_transpose_all_permutations_1"},
    Case{"test_transpose_all_permutations_2"}, Case{"test_transpose_all_permutations_3"},
    Case{"test_transpose_all_permutations_4"}, Case{"test_transpose_all_permutations_5"}, Case{"test_transpose_default"},
    Case{"test_concat_1d_axis_0"}, Case{"test_concat_2d_axis_1"}, Case{"test_concat_3d_axis_negative_2"},
    Case{"test_flatten_axis0"}, Case{"test_flatten_axis2"}, Case{"test_flatten_default_axis"},
    Case{"test_flatten_negative_axis4"},
    Case{"test_split_equal_parts_1d"}, Case{"test_split_equal_parts_2d"}, Case{"test_split_equal_parts_default_axis"},
    Case{"test_split_variable_parts_1d"}, Case{"test_split_variable_parts_2d"},
    Case{"test_split_variable_parts_default_axis"},
    Case{"test_slice"}, Case{"test_slice_default_axes"}, Case{"test_slice_default_steps"},
    Case{"test_slice_end_out_of_bounds"}, Case{"test_slice_neg"}, Case{"test_slice_neg_steps"},
    Case{"test_slice_negative_axes"},
    Case{"test_gather_0"}, Case{"test_gather_1"}, Case{"test_gather_2d_indices"}, Case{"test_gather_negative_indices"},
    Case{"test_resize_downsample_scales_cubic"}, Case{"test_resize_downsample_scales_linear"},
    Case{"test_resize_downsample_scales_nearest"}, Case{"test_resize_downsample_sizes_cubic"},
    Case{"test_resize_downsample_sizes_linear_pytorch_half_pixel"}, Case{"test_resize_downsample_sizes_nearest"},
    Case{"test_resize_upsample_scales_cubic"}, Case{"test_resize_upsample_scales_linear"},
    Case{"test_resize_upsample_scales_nearest"}, Case{"test_resize_upsample_sizes_cubic"},
    Case{"test_resize_upsample_sizes_nearest"}, Case{"test_resize_upsample_sizes_nearest_ceil_half_pixel"},
    Case{"test_resize_tf_crop_and_resize"}, Case{"test_upsample_nearest"},
    Case{"test_constant_pad"}, Case{"test_edge_pad"}, Case{"test_reflect_pad"},
    Case{"test_reduce_mean_default_axes_keepdims_example"}, Case{"test_reduce_mean_do_not_keepdims_example"},
    Case{"test_reduce_mean_keepdims_example"}, Case{"test_reduce_mean_negative_axes_keepdims_example"},
    Case{"test_squeeze"}, Case{"test_squeeze_negative_axes"}, Case{"test_unsqueeze_axis_0"},
    Case{"test_unsqueeze_axis_3"}, Case{"test_unsqueeze_two_axes"}, Case{"test_unsqueeze_unsorted_axes"},
    Case{"test_expand_dim_changed"}, Case{"test_tile"}, Case{"test_where_example"}),
    [](const auto& p) { return std::string(p.param.test).substr(5); });
// clang-format on

class NodeModelFold : public ::testing::TestWithParam<const char*> {};

TEST_P(NodeModelFold, ElementsMatchTheReference) {
  const std::string test = GetParam();
  const proto::ModelProto m = prepared(test, 0);
  onnx::Importer imp(m, test + ".onnx", "", ModelParams{});
  imp.import_nodes();
  for (int k = 0; k < m.graph().output_size(); ++k) {
    const proto::TensorProto t = read_tensor(test_data(test, "output_" + std::to_string(k) + ".pb"));
    const onnx::Value want = onnx::decode_tensor(t, "reference", "");
    const onnx::Value* v = imp.find_value(m.graph().output(k).name());
    ASSERT_NE(v, nullptr) << test << " output " << k;
    EXPECT_TRUE(v->is_const) << test;
    EXPECT_EQ(v->shape, want.shape) << test << " output " << k;
    ASSERT_EQ(v->has_data, want.has_data) << test << " output " << k;
    ASSERT_EQ(v->data.size(), want.data.size()) << test << " output " << k;
    for (std::size_t i = 0; i < v->data.size(); ++i)
      EXPECT_NEAR(v->data[i], want.data[i], 1e-3 * (1 + std::fabs(want.data[i]))) << test << " output " << k << " [" << i << "]";
  }
}

INSTANTIATE_TEST_SUITE_P(
    Onnx, NodeModelFold,
    ::testing::Values("test_shape", "test_shape_clip_end", "test_shape_clip_start", "test_shape_end_1",
                      "test_shape_end_negative_1", "test_shape_start_1_end_negative_1", "test_shape_start_negative_1",
                      "test_constantofshape_float_ones", "test_constantofshape_int_zeros",
                      "test_constantofshape_int_shape_zero", "test_range_float_type_positive_delta",
                      "test_range_int32_type_negative_delta", "test_expand_dim_changed", "test_expand_dim_unchanged",
                      "test_concat_2d_axis_0", "test_concat_3d_axis_1", "test_concat_3d_axis_negative_1",
                      "test_gather_0", "test_gather_1", "test_gather_2d_indices", "test_gather_negative_indices",
                      "test_squeeze", "test_unsqueeze_three_axes", "test_unsqueeze_negative_axes",
                      "test_reshape_negative_extended_dims", "test_reshape_allowzero_reordered", "test_slice",
                      "test_slice_neg_steps", "test_slice_start_out_of_bounds", "test_split_variable_parts_2d",
                      "test_split_zero_size_splits", "test_transpose_all_permutations_3", "test_transpose_default",
                      "test_tile", "test_tile_precomputed", "test_where_example", "test_where_long_example",
                      "test_cast_FLOAT_to_DOUBLE", "test_cast_FLOAT16_to_FLOAT", "test_add_bcast", "test_sub",
                      "test_mul_bcast", "test_div", "test_pow_bcast_array", "test_sqrt", "test_exp", "test_relu",
                      "test_sigmoid", "test_tanh", "test_erf", "test_neg", "test_abs", "test_floor", "test_ceil",
                      "test_reciprocal", "test_equal_bcast", "test_less", "test_greater", "test_not_3d",
                      "test_and_bcast3v2d", "test_reduce_sum_keepdims_random", "test_reduce_mean_keepdims_random",
                      "test_reduce_max_do_not_keepdims_random", "test_reduce_min_negative_axes_keepdims_random",
                      "test_reduce_prod_default_axes_keepdims_random", "test_flatten_axis3", "test_identity",
                      "test_dropout_default", "test_min_two_inputs", "test_max_example", "test_mean_example",
                      "test_sum_example", "test_nonzero_example"),
    [](const auto& p) { return std::string(p.param).substr(5); });

// Node tests of ops without a model in npusim: they import as Opaque ops listed in one warning.
TEST(OnnxNodeModels, OpsWithoutAModelAreListedInOneWarning) {
  const proto::ModelProto m = prepared("test_leakyrelu", 1);
  const Graph g = onnx::import_bytes(m.SerializeAsString(), "leaky.onnx", "", ModelParams{});
  ASSERT_EQ(g.warnings().size(), 1u);
  EXPECT_THAT(g.warnings()[0], ::testing::HasSubstr("LeakyRelu x1"));
  EXPECT_EQ(g.ops().back().kind, OpKind::Opaque);
  EXPECT_EQ(g.tensor(g.outputs()[0]).shape, (Shape{3, 4, 5}));
}

}  // namespace
}  // namespace npusim::workloads::onnx_test
