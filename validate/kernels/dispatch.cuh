// Instantiation of the GEMM kernel for the configurations of tile_rules.h
// (kInstantiatedConfigIds), and the table of launch functions one .cu file exports per type pair.
#pragma once

#include <utility>

#include "validate/kernels/conv2d.cuh"
#include "validate/kernels/gemm.cuh"
#include "validate/kernels/launch_table.h"

namespace npusim::validate::kernels::detail {

template <class T, class OutT, template <class, class> class ALoad>
struct Instantiations {
  template <std::size_t... I>
  static cudaError_t launch(int id, const GemmParams& p, const ConvGeometry& g, cudaStream_t s,
                            std::index_sequence<I...>) {
    cudaError_t e = cudaErrorInvalidValue;
    ((kInstantiatedConfigIds[I] == id ? (e = TiledGemm<kInstantiatedConfigIds[I], T, OutT, ALoad>::launch(p, g, s), true)
                                      : false) ||
     ...);
    return e;
  }
  template <std::size_t... I>
  static cudaError_t prepare(std::index_sequence<I...>) {
    cudaError_t e = cudaSuccess;
    ((e = TiledGemm<kInstantiatedConfigIds[I], T, OutT, ALoad>::prepare(), e == cudaSuccess) && ...);
    return e;
  }
  template <std::size_t... I>
  static cudaError_t resources(int id, KernelResources* r, std::index_sequence<I...>) {
    cudaError_t e = cudaErrorInvalidValue;
    ((kInstantiatedConfigIds[I] == id ? (e = query<kInstantiatedConfigIds[I]>(r), true) : false) || ...);
    return e;
  }
  template <int Id>
  static cudaError_t query(KernelResources* r) {
    using G = TiledGemm<Id, T, OutT, ALoad>;
    cudaFuncAttributes attr{};
    int ctas = 0;
    const cudaError_t e = G::occupancy(&ctas, &attr);
    if (e != cudaSuccess) return e;
    r->ctas_per_sm = ctas;
    r->regs = attr.numRegs;
    r->threads = G::Tl::THREADS;
    r->local_bytes = attr.localSizeBytes;
    r->dynamic_smem = static_cast<std::size_t>(G::kSmemBytes);
    return cudaSuccess;
  }

  static KernelSet table() {
    using Seq = std::make_index_sequence<kInstantiatedConfigIds.size()>;
    return {[](int id, const GemmParams& p, const ConvGeometry& g, cudaStream_t s) { return launch(id, p, g, s, Seq{}); },
            [] { return prepare(Seq{}); },
            [](int id, KernelResources* r) { return resources(id, r, Seq{}); }};
  }
};

}  // namespace npusim::validate::kernels::detail
