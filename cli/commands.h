// Each file cmd_*.cpp adds its sub-commands to the app.
#pragma once

#include <CLI/CLI.hpp>

namespace npusim::cli {

void register_run_commands(CLI::App& app);    // run, compile
void register_model_commands(CLI::App& app);  // models, model-info
void register_arch_commands(CLI::App& app);   // check-config, presets, schema
void register_bench_command(CLI::App& app);   // bench

}  // namespace npusim::cli
