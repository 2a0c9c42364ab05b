// The multi-chip system description: which chip, how many per node and how many nodes, and the
// fabrics between them. Loaded like an architecture file (YAML -> --set overrides -> schema
// validation with file:line:col: key.path: problem -> one immutable SystemConfig) with the same
// schema machinery (arch/schema.h); presets in configs/systems/. docs/MULTICHIP.md describes it.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "arch/arch_config.h"
#include "base/error.h"

namespace npusim::system {

// How the chips of one node are wired.
enum class IntraFabric : std::uint8_t {
  Switch,  // every chip on one non-blocking switch (NVSwitch): a port of bandwidth_gb_per_s each way
  Ring,    // a bidirectional ring: two links per chip, bandwidth_gb_per_s shared between them
  Torus,   // a torus of intra_node.shape (e.g. 2x2x2): 2 links per dimension per chip
};
std::string_view name_of(IntraFabric f);

// How the nodes are wired.
enum class InterTopology : std::uint8_t {
  FatTree,        // non-blocking: any NIC reaches any NIC (a full-bisection fat tree)
  RailOptimized,  // NIC k of every node on rail switch k; other rails are reached through a peer
                  // chip of the node that owns that rail's NIC (the intra-node fabric first)
  Torus,          // nodes in a torus of inter_node.shape: 2 links per dimension per node
};
std::string_view name_of(InterTopology t);

struct IntraNodeConfig {
  IntraFabric fabric = IntraFabric::Switch;
  std::string shape_text;           // as written, e.g. "2x2x2"
  std::vector<std::int32_t> shape;  // torus only: sizes per dimension, product = chips_per_node
  double bandwidth_gb_per_s = 0;    // per chip, per direction (1 GB = 1e9 B)
  double latency_us = 0;            // per message (switch) or per hop (ring, torus)
};

struct InterNodeConfig {
  InterTopology topology = InterTopology::FatTree;
  std::string shape_text;
  std::vector<std::int32_t> shape;  // torus only: sizes per dimension, product = nodes
  std::int32_t nics_per_node = 0;
  double bandwidth_gb_per_s = 0;    // per node, per direction, all its NICs (or torus links) together
  double latency_us = 0;            // per message (fat tree, rails) or per hop (torus)
};

struct SystemConfig {
  std::string name;
  std::string description;
  std::string origin;          // file or preset it was loaded from, overrides included
  std::string chip;            // the chip as named in the file (an architecture preset or file)
  arch::ArchConfigPtr arch;    // the chip, loaded
  std::int32_t nodes = 0;
  std::int32_t chips_per_node = 0;
  IntraNodeConfig intra_node;
  InterNodeConfig inter_node;

  std::int32_t chips() const { return nodes * chips_per_node; }
};

using SystemConfigPtr = std::shared_ptr<const SystemConfig>;

// ---- loading ----
// What the command line gives: a system preset (configs/systems/) or YAML file, its --set
// system.KEY=VALUE overrides (without the "system." prefix), and the chip: --arch (empty = the
// file's `chip`) with its own --set overrides.
struct SystemRequest {
  std::string system;                  // empty = kDefaultSystemPreset
  std::vector<std::string> sets;       // KEY=VALUE
  std::string arch;
  std::vector<std::string> arch_sets;  // KEY=VALUE
};
inline constexpr std::string_view kDefaultSystemPreset = "dgx-a100";

// Throws ValidationError holding every problem (file:line:col: key.path: problem), or Error.
SystemConfigPtr load_system(const SystemRequest& r);
SystemConfigPtr load_system(std::string_view yaml, const std::string& source, const SystemRequest& r);
// Every problem in a system file (empty = valid); the chip is loaded too.
std::vector<Diagnostic> check_system(std::string_view yaml, const std::string& source);

// The effective description as YAML (every key), loadable again.
std::string to_yaml(const SystemConfig& s);
// docs/MULTICHIP.md's table of keys.
std::string system_schema_markdown();
// "4x4x4" -> {4, 4, 4}; nullopt when malformed.
std::optional<std::vector<std::int32_t>> parse_shape(std::string_view text);

}  // namespace npusim::system
