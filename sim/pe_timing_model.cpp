#include "sim/pe_timing_model.h"

namespace npusim::sim {

namespace {

class FormulaTiming final : public PeArrayTiming {
 public:
  explicit FormulaTiming(const compiler::PeGeometry& g) : geom_(g) {}
  std::int64_t tile_cycles(const compiler::Command& c, std::uint64_t, std::uint64_t) override {
    return compiler::pe_tile_timing(geom_, c.tm, c.tn, c.tk, c.tg).cycles;
  }
  void add_counters(compiler::RunResult&) const override {}

 private:
  const compiler::PeGeometry geom_;
};

class FormulaModel final : public PeTimingModel {
 public:
  std::string_view name() const override { return "formula"; }
  void check(const compiler::PeGeometry&) const override {}
  std::unique_ptr<PeArrayTiming> make(const compiler::PeGeometry& g, std::string) const override {
    return std::make_unique<FormulaTiming>(g);
  }
};

}  // namespace

std::shared_ptr<const PeTimingModel> formula_pe_timing() {
  static const std::shared_ptr<const PeTimingModel> model = std::make_shared<const FormulaModel>();
  return model;
}

}  // namespace npusim::sim
