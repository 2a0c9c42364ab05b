// env.csv (the measuring machine, the method, the limits every plan was chosen under, the
// versions) and the --list output.
#pragma once

#include <map>
#include <string>

#include "validate/harness/bench/bench.h"

namespace npusim::validate::harness {

void write_env(Bench& B, const std::string& file, const std::map<std::string, std::string>& extra);
// The limits compiler::choose_plan works under, from the device's properties.
compiler::GpuLimits device_limits(const cudaDeviceProp& p);
// --list: the selected suites and their plans under `limits`.
void list_suites(const Options& o, const compiler::GpuLimits& limits, const std::string& source);

}  // namespace npusim::validate::harness
