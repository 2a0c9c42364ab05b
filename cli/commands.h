// Each file cmd_*.cpp adds its sub-commands to the app.
#pragma once

#include <CLI/CLI.hpp>

#include <string>


namespace npusim::cli {

void register_run_commands(CLI::App& app);    // run, compile
void register_model_commands(CLI::App& app);  // models, model-info
void register_arch_commands(CLI::App& app);   // check-config, presets, schema
void register_bench_command(CLI::App& app);   // bench
void register_validate_commands(CLI::App& app);  // validate, gpu-plan
void register_sweep_commands(CLI::App& app);  // sweep, merge, pareto, report, export, compare
void register_serve_commands(CLI::App& app);  // serve, serve-plan
void register_train_commands(CLI::App& app);  // train, train-plan, systems

}  // namespace npusim::cli
