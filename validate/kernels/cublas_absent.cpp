// Stands in for cublas_ref.cu where the CUDA toolkit has no cuBLAS: constructing the peer throws,
// so the harness reports the peers as unavailable instead of measuring anything.
#include <stdexcept>

#include "validate/kernels/cublas_ref.cuh"

namespace npusim::validate::kernels {

struct CublasPeer::Impl {};

CublasPeer::CublasPeer(cudaStream_t) { throw std::runtime_error("npusim-gpu-bench was built without cuBLAS"); }
CublasPeer::~CublasPeer() = default;
CublasVersions CublasPeer::versions() const { return {}; }
bool CublasPeer::gemm(DType, DType, const GemmArgs&, std::string* why) {
  if (why) *why = "built without cuBLAS";
  return false;
}
bool CublasPeer::lt_select(DType, DType, const GemmArgs&, std::string*, std::string* why) {
  if (why) *why = "built without cuBLAS";
  return false;
}
bool CublasPeer::lt_run(const GemmArgs&, std::string* why) {
  if (why) *why = "built without cuBLAS";
  return false;
}
std::size_t CublasPeer::col_bytes(DType, const ConvArgs&) { return 0; }
bool CublasPeer::conv2d(DType, const ConvArgs&, void*, std::string* why) {
  if (why) *why = "built without cuBLAS";
  return false;
}

}  // namespace npusim::validate::kernels
