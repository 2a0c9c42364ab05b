#include "sim/ramulator_backend.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "arch/dram_standards.h"
#include "base/error.h"
#include "ramulator/base/base.h"
#include "ramulator/base/config_node.h"
#include "ramulator/base/request.h"
#include "ramulator/controller/controller_base.h"
#include "ramulator/controller/i_controller.h"
#include "ramulator/controller/plugin/i_controller_plugin.h"
#include "ramulator/frontend/i_frontend.h"
#include "ramulator/memory_system/i_memory_system.h"

namespace Ramulator {

class NpusimCommandTap;

// npusim's memory system inside Ramulator: the channels' controllers, each fed and ticked on its
// own by RamulatorBackend (Ramulator's GenericDRAM ticks every controller on every tick and maps
// channels itself; npusim needs each channel's clock to itself to jump over idle time).
class NpusimChannels final : public IMemorySystem, public Implementation {
  RAMULATOR_REGISTER_IMPLEMENTATION(IMemorySystem, NpusimChannels, "NpusimChannels")

 public:
  std::vector<IController*> m_controllers;
  std::vector<NpusimCommandTap*> m_taps;  // one per controller, by channel

  void init() override {
    RAMULATOR_CREATE_CHILD_LIST(m_controllers, IController);
    for (std::size_t i = 0; i < m_controllers.size(); ++i) {
      dynamic_cast<Implementation*>(m_controllers[i])->set_id(fmt::format("Channel {}", i));
      m_controllers[i]->set_channel_id(static_cast<int>(i));
      m_controllers[i]->m_clock_ratio = 1;
    }
    m_taps.assign(m_controllers.size(), nullptr);
  }
  void setup(IFrontEnd*, IMemorySystem*) override {}
  bool send(Request&) override { throw std::logic_error("NpusimChannels: requests go to the controllers"); }
  void tick() override {}
  int get_clock_ratio() override { return 1; }
  float get_tCK() override { return m_controllers.front()->get_tCK(); }
  int get_tx_bytes() override { return m_controllers.front()->get_tx_bytes(); }
};

// Counts every command a controller issues, by command, for the backend's statistics, its
// energy and its refresh bookkeeping. Registers itself with NpusimChannels in setup().
class NpusimCommandTap final : public IControllerPlugin, public Implementation {
  RAMULATOR_REGISTER_IMPLEMENTATION(IControllerPlugin, NpusimCommandTap, "NpusimCommandTap")

 public:
  std::vector<std::int64_t> count;  // by command id
  std::int64_t refreshes = 0;       // REFab + REFpb
  std::vector<char> is_refresh;

  void init() override {}
  void setup(IFrontEnd*, IMemorySystem* memory_system) override {
    auto* ctrl = cast_parent<ControllerBase>();
    const auto& names = ctrl->m_device.m_spec->command_names;
    count.assign(names.size(), 0);
    is_refresh.assign(names.size(), 0);
    for (std::size_t i = 0; i < names.size(); ++i) is_refresh[i] = names[i].rfind("REF", 0) == 0;
    dynamic_cast<NpusimChannels&>(*memory_system).m_taps[static_cast<std::size_t>(ctrl->m_channel_id)] = this;
  }
  void on_issue(const Request& req) override {
    ++count[static_cast<std::size_t>(req.command)];
    refreshes += is_refresh[static_cast<std::size_t>(req.command)];
  }
};

}  // namespace Ramulator

namespace npusim::sim {

namespace R = Ramulator;
using arch::DramConfig;

void ReadLatencyHistogram::add(std::int64_t ticks) {
  ++n_;
  sum_ += ticks;
  max_ = std::max(max_, ticks);
  if (ticks < static_cast<std::int64_t>(kExact)) {
    ++low_[static_cast<std::size_t>(ticks)];
  } else {
    const auto b = static_cast<std::size_t>((ticks - static_cast<std::int64_t>(kExact)) / 64);
    if (high_.size() <= b) high_.resize(b + 1, 0);
    ++high_[b];
  }
}

std::int64_t ReadLatencyHistogram::quantile(double q) const {
  if (n_ == 0) return 0;
  const auto want = static_cast<std::int64_t>(std::ceil(q * double(n_)));
  std::int64_t seen = 0;
  for (std::size_t i = 0; i < kExact; ++i)
    if ((seen += low_[i]) >= want) return static_cast<std::int64_t>(i);
  for (std::size_t b = 0; b < high_.size(); ++b)
    if ((seen += high_[b]) >= want) return std::min(max_, static_cast<std::int64_t>(kExact + 64 * (b + 1) - 1));
  return max_;
}

struct RamulatorBackend::Channel {
  R::IController* ctrl = nullptr;
  R::NpusimCommandTap* tap = nullptr;
  std::int64_t in_flight = 0;
  std::int64_t guard = 0;  // ticked one by one up to this tick (a row closing after the last request)
  std::int64_t reads = 0, writes = 0;
};

struct RamulatorBackend::Ramulator {
  R::IFrontEnd* frontend = nullptr;
  R::IMemorySystem* memory = nullptr;
  R::NpusimChannels* channels = nullptr;
  ~Ramulator() {
    delete frontend;
    delete memory;
  }
};

namespace {

R::ConfigNode ints(const std::vector<int>& v) {
  R::ConfigNode::Seq s;
  for (int x : v) s.emplace_back(x);
  return R::ConfigNode(std::move(s));
}

// The controller of one channel, as Ramulator's exporter would write it.
R::ConfigNode controller_config(const DramConfig& d) {
  const arch::DramStandardSpec& spec = arch::dram_standard(d.standard);
  const arch::DramPart& part = *arch::find_dram_part(d.standard, d.device, d.speed_grade);
  using Map = R::ConfigNode::Map;
  std::vector<int> count = part.count;
  auto set = [&](const char* level, std::int32_t v) {
    if (int i = spec.level(level); i >= 0 && v > 0) count[static_cast<std::size_t>(i)] = v;
  };
  set("Rank", d.ranks);
  set("BankGroup", d.bank_groups);
  set("Bank", d.banks_per_group);

  R::ConfigNode::Seq constraints;
  for (const arch::DramConstraint& c : spec.constraints) {
    R::ConfigNode::Seq e;
    e.emplace_back(c.level);
    e.push_back(ints(c.preceding));
    e.push_back(ints(c.following));
    e.emplace_back(c.latency(part.timing));
    if (c.window != 1 || c.sibling) e.emplace_back(c.window);
    if (c.sibling) e.emplace_back(true);
    constraints.emplace_back(std::move(e));
  }
  Map dram;
  dram["impl"] = R::ConfigNode(std::string(spec.name));
  dram["org"] = R::ConfigNode(Map{{"dq", R::ConfigNode(part.dq)}, {"count", ints(count)}});
  dram["timing"] = ints(part.timing);
  dram["command_cycles"] = ints(spec.command_cycles);
  dram["channel_width"] = R::ConfigNode(part.channel_width);
  dram["read_latency"] = R::ConfigNode(part.read_latency);
  dram["timing_constraints"] = R::ConfigNode(std::move(constraints));

  static const char* mapper[] = {"RoBaRaCoCh", "ChRaBaRoCo", "MOP4CLXOR"};
  Map row_policy{{"impl", R::ConfigNode("Open")}};
  if (d.page_policy == arch::PagePolicy::ClosedCap)
    row_policy = Map{{"impl", R::ConfigNode("ClosedCAP")}, {"cap", R::ConfigNode(d.page_cap)}};
  Map ctrl;
  ctrl["impl"] = R::ConfigNode(std::string(spec.controller));
  ctrl["scheduler"] =
      R::ConfigNode(Map{{"impl", R::ConfigNode(d.scheduler == arch::DramScheduler::FrFcfs ? "FRFCFS" : "FRFCFS-RowHit")}});
  ctrl["refresh_manager"] =
      R::ConfigNode(Map{{"impl", R::ConfigNode(d.refresh == arch::DramRefresh::AllBank ? "AllBank" : "PerBank")}});
  ctrl["controller_plugins"] = R::ConfigNode(R::ConfigNode::Seq{R::ConfigNode(Map{{"impl", R::ConfigNode("NpusimCommandTap")}})});
  ctrl["row_policy"] = R::ConfigNode(std::move(row_policy));
  ctrl["addr_mapper"] = R::ConfigNode(Map{{"impl", R::ConfigNode(mapper[static_cast<int>(d.mapping)])}});
  ctrl["dram"] = R::ConfigNode(std::move(dram));
  return R::ConfigNode(std::move(ctrl));
}

}  // namespace

RamulatorBackend::RamulatorBackend(const DramConfig& cfg, bool jump_idle)
    : cfg_(cfg), jump_idle_(jump_idle), ram_(std::make_unique<Ramulator>()) {
  if (!cfg.is_standard()) throw Error("the detailed DRAM model needs a standard DRAM (dram.standard)");
  const arch::DramStandardSpec& spec = arch::dram_standard(cfg.standard);
  const arch::DramPart& part = *arch::find_dram_part(cfg.standard, cfg.device, cfg.speed_grade);
  auto timing = [&](std::initializer_list<const char*> names) {
    for (const char* n : names)
      if (int i = spec.timing_index(n); i >= 0) return std::int64_t{part.timing[static_cast<std::size_t>(i)]};
    return std::int64_t{0};
  };
  tx_bytes_ = part.channel_width * spec.prefetch / 8;
  tick_ns_ = double(timing({"tCK_ps"})) / 1000.0;
  write_delay_ = timing({"nCWL"}) + timing({"nBL", "nBL_min"});
  // Refresh: AllBank sends one REFab per refresh-scope node (rank, or pseudo channel for HBM,
  // or the channel for GDDR6) every nREFI ticks; PerBank one REFpb every nREFIpb ticks.
  if (cfg.refresh == arch::DramRefresh::AllBank) {
    refresh_period_ = timing({"nREFI"});
    const int scope = spec.level(spec.level("PseudoChannel") >= 0 ? "PseudoChannel" : "Rank");
    refreshes_per_period_ = 1;
    for (int l = 1; l <= scope; ++l)
      refreshes_per_period_ *= l == spec.level("Rank") && cfg.ranks > 0 ? cfg.ranks : part.count[static_cast<std::size_t>(l)];
  } else {
    refresh_period_ = timing({"nREFIpb"});
    refreshes_per_period_ = 1;
  }
  close_margin_ = cfg.page_policy == arch::PagePolicy::ClosedCap
                      ? timing({"nRAS"}) + timing({"nRTP", "nRTPL"}) + write_delay_ + timing({"nWR"}) + timing({"nRP"})
                      : 0;

  using Map = R::ConfigNode::Map;
  R::ConfigNode::Seq controllers;
  const R::ConfigNode one = controller_config(cfg);
  for (std::int32_t c = 0; c < cfg.channels; ++c) controllers.push_back(one);
  R::ConfigNode config(Map{{"frontend", R::ConfigNode(Map{{"impl", R::ConfigNode("External")},
                                                          {"clock_ratio", R::ConfigNode(1)}})},
                           {"memory_system", R::ConfigNode(Map{{"impl", R::ConfigNode("NpusimChannels")},
                                                               {"controllers", R::ConfigNode(std::move(controllers))}})}});
  try {
    ram_->frontend = R::Factory::create_frontend(config);
    ram_->memory = R::Factory::create_memory_system(config);
    ram_->frontend->connect_memory_system(ram_->memory);
    ram_->memory->connect_frontend(ram_->frontend);
  } catch (const std::exception& e) {
    throw Error(fmt::format("Ramulator 2 refused the {} DRAM {} {}: {}", arch::name_of(cfg.standard), cfg.device,
                            cfg.speed_grade, e.what()));
  }
  ram_->channels = dynamic_cast<R::NpusimChannels*>(ram_->memory);
  for (std::size_t c = 0; c < ram_->channels->m_controllers.size(); ++c) {
    channels_.push_back(std::make_unique<Channel>());
    channels_.back()->ctrl = ram_->channels->m_controllers[c];
    channels_.back()->tap = ram_->channels->m_taps[c];
  }
}

RamulatorBackend::~RamulatorBackend() = default;

std::int32_t RamulatorBackend::channel_of(std::uint64_t addr) const {
  return static_cast<std::int32_t>((addr / static_cast<std::uint64_t>(cfg_.interleave_bytes)) %
                                   static_cast<std::uint64_t>(channels_.size()));
}

bool RamulatorBackend::quiet(const Channel& ch) const {
  // nothing in flight, no row closing, and every refresh due so far issued
  const R::Clk_t clk = ch.ctrl->m_clk;
  return ch.in_flight == 0 && clk >= ch.guard &&
         (refresh_period_ <= 0 || ch.tap->refreshes >= clk / refresh_period_ * refreshes_per_period_);
}

void RamulatorBackend::catch_up(Channel& ch, std::int64_t t) {
  R::Clk_t& clk = ch.ctrl->m_clk;
  while (clk < t) {
    if (jump_idle_ && quiet(ch)) {
      // an idle controller's tick only counts time and starts refreshes at multiples of the
      // refresh period: jump to the tick before the next one (or to t), then tick through it
      const std::int64_t next_ref = refresh_period_ > 0 ? (clk / refresh_period_ + 1) * refresh_period_ : t + 1;
      if (next_ref > t) {
        clk = t;
        return;
      }
      clk = next_ref - 1;
    }
    ch.ctrl->tick();
  }
}

bool RamulatorBackend::send(bool write, std::uint64_t addr, std::uint64_t tag) {
  Channel& ch = *channels_[static_cast<std::size_t>(channel_of(addr))];
  catch_up(ch, now_);
  const auto n = static_cast<std::uint64_t>(channels_.size()), il = static_cast<std::uint64_t>(cfg_.interleave_bytes);
  R::Request req(static_cast<R::Addr_t>(addr), write ? R::Request::Type::Write : R::Request::Type::Read);
  req.intra_channel_addr = static_cast<R::Addr_t>(addr / il / n * il + addr % il);
  req.addr_vec.assign(1, static_cast<int>(channel_of(addr)));
  req.size_bytes = tx_bytes_;
  Channel* chp = &ch;
  req.callback = [this, chp, tag, write](R::Request& r) {
    const std::int64_t at = write ? chp->ctrl->m_clk + write_delay_ : r.depart;
    if (!write) latency_.add(r.depart - r.arrive);
    (write ? chp->writes : chp->reads) += 1;
    completed_.push_back({tag, at, write});
    --chp->in_flight;
    --in_flight_;
    if (chp->in_flight == 0) chp->guard = std::max(chp->guard, chp->ctrl->m_clk + close_margin_);
  };
  ++ch.in_flight;
  ++in_flight_;
  if (ch.ctrl->send(req)) return true;
  --ch.in_flight;
  --in_flight_;
  return false;
}

void RamulatorBackend::tick(std::vector<DramCompletion>& done) {
  ++now_;
  for (auto& c : channels_) {
    Channel& ch = *c;
    if (!jump_idle_ || !quiet(ch)) {
      catch_up(ch, now_ - 1);
      ch.ctrl->tick();
    }
  }
  done.insert(done.end(), completed_.begin(), completed_.end());
  completed_.clear();
}

void RamulatorBackend::skip_to(std::int64_t t) {
  if (in_flight_ != 0) throw Error("internal: the DRAM cannot skip time with requests in flight");
  if (!jump_idle_) {
    std::vector<DramCompletion> none;
    while (now_ < t) tick(none);
  }
  now_ = std::max(now_, t);
}

std::vector<DramChannelStats> RamulatorBackend::channel_stats() {
  std::vector<DramChannelStats> out;
  for (auto& c : channels_) {
    catch_up(*c, now_);
    const R::ConfigNode s = c->ctrl->collect_stats();
    DramChannelStats st;
    st.reads = c->reads;
    st.writes = c->writes;
    st.row_hits = s["row_hits"].as<std::int64_t>(0);
    st.row_misses = s["row_misses"].as<std::int64_t>(0);
    st.row_conflicts = s["row_conflicts"].as<std::int64_t>(0);
    st.refreshes = c->tap->refreshes;
    st.commands = c->tap->count;
    st.bytes = (st.reads + st.writes) * tx_bytes_;
    out.push_back(st);
  }
  return out;
}

}  // namespace npusim::sim
