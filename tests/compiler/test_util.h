// Helpers shared by the compiler tests.
#pragma once

#include <string>
#include <vector>

#include "arch/loader.h"
#include "compiler/compile.h"
#include "configs/embedded.h"
#include "workloads/zoo.h"

namespace npusim::test {

inline arch::ArchConfigPtr preset(const std::string& name, std::vector<std::string> sets = {}) {
  std::vector<Override> ov;
  for (const auto& s : sets) ov.push_back(parse_override(s));
  const EmbeddedText* p = find_arch_preset(name);
  if (!p) throw Error("no preset " + name);
  return arch::load_arch(p->text, p->file, ov);
}

inline compiler::CompiledModel compile_model(const std::string& model, const std::string& arch,
                                             std::vector<std::string> sets = {}, compiler::CompileOptions opt = {},
                                             std::int64_t batch = 1, std::int64_t seq = 0) {
  auto a = preset(arch, std::move(sets));
  workloads::ModelParams p;
  p.batch = batch;
  p.seq = seq;
  p.dtype = a->datatypes.default_dtype;
  return compiler::compile(workloads::load_model(model, p), a, opt, batch);
}

inline const std::vector<std::string>& preset_names() {
  static const std::vector<std::string> names = {"edge-npu", "tpu-v1", "dc-npu", "eyeriss"};
  return names;
}

}  // namespace npusim::test
