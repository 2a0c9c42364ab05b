#include "serving/simulator.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <queue>
#include <stdexcept>

#include "base/error.h"
#include "base/scalar_text.h"
#include "serving/kv_cache.h"

namespace npusim::serving {

// ---- names ----

std::string_view name_of(SchedulerKind s) {
  switch (s) {
    case SchedulerKind::Static: return "static";
    case SchedulerKind::Continuous: return "continuous";
    case SchedulerKind::Chunked: return "chunked";
    case SchedulerKind::Disaggregated: return "disaggregated";
  }
  return "?";
}
std::string_view name_of(RouterKind r) {
  switch (r) {
    case RouterKind::RoundRobin: return "round-robin";
    case RouterKind::LeastWork: return "least-work";
    case RouterKind::ShortestQueue: return "shortest-queue";
  }
  return "?";
}
std::string_view name_of(PreemptionKind p) { return p == PreemptionKind::Recompute ? "recompute" : "swap"; }

namespace {
template <class E, std::size_t N>
E choose(std::string_view what, std::string_view value, const std::array<E, N>& all) {
  std::string names;
  for (E e : all) {
    if (name_of(e) == value) return e;
    names += (names.empty() ? "" : ", ") + std::string(name_of(e));
  }
  throw Error(fmt::format("{} {}: expected one of {}", what, value, names));
}
}  // namespace

SchedulerKind parse_scheduler(std::string_view what, std::string_view value) {
  return choose(what, value,
                std::array{SchedulerKind::Static, SchedulerKind::Continuous, SchedulerKind::Chunked,
                           SchedulerKind::Disaggregated});
}
RouterKind parse_router(std::string_view what, std::string_view value) {
  return choose(what, value, std::array{RouterKind::RoundRobin, RouterKind::LeastWork, RouterKind::ShortestQueue});
}
PreemptionKind parse_preemption(std::string_view what, std::string_view value) {
  return choose(what, value, std::array{PreemptionKind::Recompute, PreemptionKind::Swap});
}

Slo Slo::parse(std::string_view what, std::string_view text) {
  Slo slo;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t comma = text.find(',', pos);
    std::string_view item = text.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    pos = comma == std::string_view::npos ? text.size() + 1 : comma + 1;
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos)
      throw Error(fmt::format("{} {}: expected ttft=TIME,tpot=TIME (e.g. ttft=2s,tpot=200ms)", what, text));
    const std::string_view key = item.substr(0, eq);
    std::string_view value = item.substr(eq + 1);
    double scale = 1;
    for (auto [suffix, s] : {std::pair{"ms", 1e-3}, {"us", 1e-6}, {"s", 1.0}}) {
      if (value.size() > std::string_view(suffix).size() && value.ends_with(suffix)) {
        value.remove_suffix(std::string_view(suffix).size());
        scale = s;
        break;
      }
    }
    double v = 0;
    if (!text::parse_real(value, v) || !(v > 0))
      throw Error(fmt::format("{} {}: '{}' is not a positive time (s, ms or us)", what, text, item.substr(eq + 1)));
    if (key == "ttft") {
      slo.ttft_s = v * scale;
    } else if (key == "tpot") {
      slo.tpot_s = v * scale;
    } else {
      throw Error(fmt::format("{} {}: unknown objective '{}' (expected ttft or tpot)", what, text, key));
    }
  }
  return slo;
}

std::int64_t default_batched_tokens(SchedulerKind s, const std::vector<Request>& requests) {
  switch (s) {
    case SchedulerKind::Chunked: return 512;
    case SchedulerKind::Static:
    case SchedulerKind::Continuous:
    case SchedulerKind::Disaggregated: {
      std::int64_t longest = 0;
      for (const Request& r : requests) longest = std::max(longest, r.prompt_tokens + r.output_tokens);
      return std::max<std::int64_t>(2048, longest);
    }
  }
  return 0;
}

// ---- the simulation ----

namespace {

enum class Role : std::uint8_t { Mixed, Prefill, Decode };

struct Seq {
  std::int64_t prompt = 0, output = 0;
  std::int64_t generated = 0, cached = 0;
  std::int64_t blocks = 0, host_blocks = 0, src_blocks = 0;
  std::int32_t replica = -1, source = -1;
  bool in_step = false;
  double last_token_s = 0;
  std::int64_t known() const { return prompt + generated; }
  std::int64_t todo() const { return known() - cached; }
  std::int64_t final_cached() const { return prompt + output - 1; }
};

struct Rep {
  std::int32_t id = 0;
  Role role = Role::Mixed;
  IterationModel* model = nullptr;
  KvCache kv;
  std::deque<std::int64_t> waiting, swapped, incoming;
  std::vector<std::int64_t> running;  // by request id (arrival order)
  bool busy = false;
  std::vector<std::pair<std::int64_t, std::int64_t>> step;  // (sequence, tokens) of the iteration under way
  BatchComposition comp;
  double link_free_s = 0;
  std::int64_t work = 0, assigned = 0;
  ReplicaStats stats;
  // what the pool gauges last saw of it
  std::int64_t seen_used = 0, seen_waiting = 0, seen_running = 0, seen_busy = 0;
  bool dirty = false;
  Rep(KvCache k) : kv(k) {}
};

enum class EventKind : std::uint8_t { StepDone, TransferDone };
struct Event {
  double t;
  std::uint64_t order;
  EventKind kind;
  std::int64_t a;
  bool operator>(const Event& o) const { return t != o.t ? t > o.t : order > o.order; }
};

void insert_sorted(std::vector<std::int64_t>& v, std::int64_t id) { v.insert(std::upper_bound(v.begin(), v.end(), id), id); }
void insert_sorted(std::deque<std::int64_t>& v, std::int64_t id) { v.insert(std::upper_bound(v.begin(), v.end(), id), id); }
void erase_value(std::vector<std::int64_t>& v, std::int64_t id) {
  auto it = std::lower_bound(v.begin(), v.end(), id);
  if (it == v.end() || *it != id) throw std::logic_error("serving: a sequence missing from its running list");
  v.erase(it);
}

class Sim {
 public:
  Sim(const std::vector<Request>& requests, const ServeConfig& c, const std::vector<IterationModel*>& models,
      const ProgressFn& progress)
      : req_(requests), c_(c), progress_(progress) {
    budget_ = c.max_batched_tokens > 0 ? c.max_batched_tokens : default_batched_tokens(c.scheduler, requests);
    const bool disagg = c.scheduler == SchedulerKind::Disaggregated;
    prefill_pool_ = disagg ? (c.prefill_replicas > 0 ? c.prefill_replicas : (c.replicas + 1) / 2) : c.replicas;
    for (std::int32_t i = 0; i < c.replicas; ++i) {
      IterationModel* m = models[static_cast<std::size_t>(i)];
      const ReplicaInfo& info = m->info();
      const double block_bytes = info.kv_bytes_per_token_per_chip * double(c.block_size);
      const std::int64_t host_blocks =
          block_bytes > 0 ? static_cast<std::int64_t>(c.swap_bytes_per_chip / block_bytes) : 0;
      Rep r(KvCache(info.kv_tokens, c.block_size, c.watermark, host_blocks));
      r.id = i;
      r.model = m;
      r.role = !disagg ? Role::Mixed : (i < prefill_pool_ ? Role::Prefill : Role::Decode);
      r.stats.id = i;
      r.stats.role = r.role == Role::Mixed ? "mixed" : r.role == Role::Prefill ? "prefill" : "decode";
      r.stats.kv_blocks = r.kv.total_blocks();
      total_blocks_ += r.kv.total_blocks();
      reps_.push_back(std::move(r));
    }
    check_fits();
    seqs_.resize(requests.size());
    rec_.resize(requests.size());
    const double last = requests.empty() ? 0 : requests.back().arrival_s;
    max_bins_ = std::size_t(std::max(1, c.timeline_bins));
    bin_s_ = std::max(last, 1e-3) / double(max_bins_);
  }

  ServeResult run();

 private:
  void check_fits() const;
  // events
  void arrive(std::int64_t i);
  void step_done(Rep& r, double now);
  void transfer_done(std::int64_t s, double now);
  // scheduling
  void start(Rep& r, double now);
  double form(Rep& r);
  double form_static(Rep& r);
  double form_continuous(Rep& r, bool chunked);
  double form_prefill_only(Rep& r);
  std::int64_t admit_waiting(Rep& r, std::int64_t tokens, bool whole);
  bool decode_running(Rep& r, std::int64_t& tokens, double& swap_s);
  void swap_in(Rep& r, std::int64_t& tokens, double& swap_s);
  double preempt(Rep& r, std::int64_t victim);
  void add_part(Rep& r, std::int64_t s, std::int64_t tokens);
  void complete(Rep& r, std::int64_t s, double now);
  void hand_off(Rep& r, std::int64_t s, double now);
  void start_transfers(Rep& d, double now);
  Rep& route(std::int32_t first, std::int32_t count, std::uint64_t& rr);
  // gauges
  void touch(Rep& r) {
    if (!r.dirty) {
      r.dirty = true;
      dirty_.push_back(r.id);
    }
  }
  void refresh();
  void advance(double now);
  void push(double t, EventKind k, std::int64_t a) { events_.push(Event{t, order_++, k, a}); }

  const std::vector<Request>& req_;
  const ServeConfig& c_;
  const ProgressFn& progress_;
  std::int64_t budget_ = 0;
  std::int32_t prefill_pool_ = 0;
  std::vector<Rep> reps_;
  std::vector<Seq> seqs_;
  std::vector<RequestRecord> rec_;
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> events_;
  std::uint64_t order_ = 0, rr_prefill_ = 0, rr_decode_ = 0;
  std::vector<std::int32_t> dirty_, arrived_;
  std::int64_t done_ = 0, iterations_ = 0;
  // gauges: pool sums and their integrals
  std::int64_t total_blocks_ = 0, used_ = 0, waiting_ = 0, running_ = 0, busy_ = 0, in_system_ = 0;
  double last_t_ = 0, in_system_integral_ = 0, bin_s_ = 1;
  std::size_t max_bins_ = 1;
  std::vector<std::array<double, 5>> bins_;
};

void Sim::check_fits() const {
  const bool whole_prompts = c_.scheduler != SchedulerKind::Chunked;
  for (const Request& q : req_) {
    const Rep& r = reps_.front();
    const std::int64_t kv_tokens = q.prompt_tokens + q.output_tokens - 1;
    if (!r.kv.fits_ever(r.kv.blocks_for(std::max<std::int64_t>(kv_tokens, 1))))
      throw Error(fmt::format("request {} ({} prompt + {} output tokens) needs {} KV blocks of {} tokens; a replica "
                              "holds {} (and keeps {} free at admission): more chips per replica, or a chip with more "
                              "memory",
                              q.id, q.prompt_tokens, q.output_tokens, r.kv.blocks_for(kv_tokens), c_.block_size,
                              r.kv.total_blocks(), r.kv.watermark_blocks()));
    if (whole_prompts && q.prompt_tokens + q.output_tokens > budget_)
      throw Error(fmt::format("request {} ({} prompt + {} output tokens) exceeds the {} tokens an iteration may "
                              "batch (--max-batched-tokens): the {} scheduler prefills whole prompts, and a preempted "
                              "sequence is recomputed whole",
                              q.id, q.prompt_tokens, q.output_tokens, budget_, name_of(c_.scheduler)));
  }
  if (c_.scheduler == SchedulerKind::Chunked && budget_ < c_.max_batch)
    throw Error(fmt::format("--max-batched-tokens {} is smaller than --max-batch {}: every running sequence's decode "
                            "must fit the chunked scheduler's token budget",
                            budget_, c_.max_batch));
  if (c_.max_batch < 1) throw Error(fmt::format("--max-batch {}: must be >= 1", c_.max_batch));
}

void Sim::refresh() {
  for (std::int32_t id : dirty_) {
    Rep& r = reps_[static_cast<std::size_t>(id)];
    const std::int64_t used = r.kv.used_blocks();
    const std::int64_t waiting = std::int64_t(r.waiting.size() + r.swapped.size() + r.incoming.size());
    const std::int64_t running = std::int64_t(r.running.size());
    const std::int64_t busy = r.busy ? 1 : 0;
    used_ += used - r.seen_used;
    waiting_ += waiting - r.seen_waiting;
    running_ += running - r.seen_running;
    busy_ += busy - r.seen_busy;
    r.seen_used = used, r.seen_waiting = waiting, r.seen_running = running, r.seen_busy = busy;
    r.stats.peak_kv_blocks = std::max(r.stats.peak_kv_blocks, used);
    r.dirty = false;
  }
  dirty_.clear();
}

void Sim::advance(double now) {
  if (now <= last_t_) return;
  in_system_integral_ += double(in_system_) * (now - last_t_);
  const std::array<double, 5> v{double(used_) / double(total_blocks_), double(waiting_), double(running_),
                                double(busy_), double(in_system_)};
  double t = last_t_;
  while (t < now) {
    auto b = static_cast<std::size_t>(t / bin_s_);
    if (b >= 4 * max_bins_) {  // coarsen: merge pairs of bins
      for (std::size_t k = 0; k < bins_.size() / 2; ++k)
        for (std::size_t m = 0; m < v.size(); ++m) bins_[k][m] = bins_[2 * k][m] + bins_[2 * k + 1][m];
      if (bins_.size() % 2) {
        bins_[bins_.size() / 2] = bins_.back();
        bins_.resize(bins_.size() / 2 + 1);
      } else {
        bins_.resize(bins_.size() / 2);
      }
      bin_s_ *= 2;
      continue;
    }
    if (bins_.size() <= b) bins_.resize(b + 1, std::array<double, 5>{});
    const double end = std::min(now, double(b + 1) * bin_s_);
    for (std::size_t k = 0; k < v.size(); ++k) bins_[b][k] += v[k] * (end - t);
    if (end <= t) break;  // rounding at a bin edge
    t = end;
  }
  last_t_ = now;
}

Rep& Sim::route(std::int32_t first, std::int32_t count, std::uint64_t& rr) {
  std::int32_t best = first;
  switch (c_.router) {
    case RouterKind::RoundRobin: best = first + static_cast<std::int32_t>(rr++ % std::uint64_t(count)); break;
    case RouterKind::LeastWork:
      for (std::int32_t i = first + 1; i < first + count; ++i)
        if (reps_[std::size_t(i)].work < reps_[std::size_t(best)].work) best = i;
      break;
    case RouterKind::ShortestQueue:
      for (std::int32_t i = first + 1; i < first + count; ++i)
        if (reps_[std::size_t(i)].assigned < reps_[std::size_t(best)].assigned) best = i;
      break;
  }
  return reps_[static_cast<std::size_t>(best)];
}

void Sim::arrive(std::int64_t i) {
  const Request& q = req_[static_cast<std::size_t>(i)];
  Seq& s = seqs_[static_cast<std::size_t>(i)];
  s.prompt = q.prompt_tokens;
  s.output = q.output_tokens;
  RequestRecord& rec = rec_[static_cast<std::size_t>(i)];
  rec.id = q.id;
  rec.arrival_s = q.arrival_s;
  rec.prompt_tokens = q.prompt_tokens;
  rec.output_tokens = q.output_tokens;
  Rep& r = route(0, prefill_pool_, rr_prefill_);
  s.replica = r.id;
  rec.replica = r.id;
  r.assigned++;
  r.stats.requests++;
  r.work += r.role == Role::Prefill ? s.prompt : s.final_cached();
  r.waiting.push_back(i);
  ++in_system_;
  touch(r);
}

void Sim::add_part(Rep& r, std::int64_t i, std::int64_t tokens) {
  Seq& s = seqs_[static_cast<std::size_t>(i)];
  if (tokens == 1 && s.cached > 0 && s.todo() == 1) {
    r.comp.decode.push_back(s.cached);
  } else {
    r.comp.prefill.push_back(PrefillPart{tokens, s.cached, s.cached + tokens == s.known()});
  }
  r.step.emplace_back(i, tokens);
  s.in_step = true;
}

std::int64_t Sim::admit_waiting(Rep& r, std::int64_t tokens, bool whole) {
  std::int64_t admitted = 0;
  while (!r.waiting.empty()) {
    const std::int64_t i = r.waiting.front();
    Seq& s = seqs_[static_cast<std::size_t>(i)];
    std::int64_t t = s.todo();
    if (whole) {
      if (tokens + t > budget_) break;
    } else {
      t = std::min(t, budget_ - tokens);
      if (t <= 0) break;
    }
    if (std::int64_t(r.running.size()) >= c_.max_batch) break;
    const std::int64_t need = r.kv.blocks_for(s.cached + t) - s.blocks;
    if (!r.kv.can_admit(need)) break;
    r.kv.take(need);
    s.blocks += need;
    r.waiting.pop_front();
    insert_sorted(r.running, i);
    add_part(r, i, t);
    tokens += t;
    ++admitted;
  }
  return admitted;
}

double Sim::preempt(Rep& r, std::int64_t victim) {
  Seq& v = seqs_[static_cast<std::size_t>(victim)];
  erase_value(r.running, victim);
  r.stats.preemptions++;
  rec_[static_cast<std::size_t>(victim)].preemptions++;
  if (c_.preemption == PreemptionKind::Swap && r.kv.can_swap_out(v.blocks)) {
    const double s = r.model->swap_seconds(v.cached);
    r.kv.swap_out(v.blocks);
    v.host_blocks = v.blocks;
    v.blocks = 0;
    insert_sorted(r.swapped, victim);
    r.stats.swaps_out++;
    return s;
  }
  // Recomputation (also when the host has no room for the blocks): the cache is dropped and the
  // sequence goes back to the front of the queue with everything it knows to prefill again.
  r.kv.give(v.blocks);
  v.blocks = 0;
  r.work += v.cached;
  v.cached = 0;
  insert_sorted(r.waiting, victim);
  return 0;
}

// Every running sequence in the decode phase gets one token's room and a decode part, preempting
// from the latest-arrived end when blocks run out. Returns whether anything was preempted.
bool Sim::decode_running(Rep& r, std::int64_t& tokens, double& swap_s) {
  bool preempted = false;
  for (std::size_t k = 0; k < r.running.size(); ++k) {
    const std::int64_t i = r.running[k];
    Seq& s = seqs_[static_cast<std::size_t>(i)];
    if (s.in_step || s.todo() != 1 || s.cached == 0) continue;  // a prompt still being prefilled
    const std::int64_t need = r.kv.blocks_for(s.cached + 1) - s.blocks;
    bool self = false;
    while (need > 0 && !r.kv.can_grow(need)) {
      const std::int64_t victim = r.running.back();
      if (seqs_[static_cast<std::size_t>(victim)].in_step) throw std::logic_error("serving: preempting a scheduled sequence");
      swap_s += preempt(r, victim);
      preempted = true;
      if (victim == i) {
        self = true;
        break;
      }
    }
    if (self) break;
    r.kv.take(std::max<std::int64_t>(need, 0));
    s.blocks += std::max<std::int64_t>(need, 0);
    add_part(r, i, 1);
    ++tokens;
  }
  return preempted;
}

void Sim::swap_in(Rep& r, std::int64_t& tokens, double& swap_s) {
  while (!r.swapped.empty() && std::int64_t(r.running.size()) < c_.max_batch && tokens < budget_) {
    const std::int64_t i = r.swapped.front();
    Seq& s = seqs_[static_cast<std::size_t>(i)];
    const std::int64_t grow = r.kv.blocks_for(s.cached + 1) - s.host_blocks;
    if (!r.kv.can_admit(s.host_blocks + std::max<std::int64_t>(grow, 0))) break;
    r.kv.swap_in(s.host_blocks);
    s.blocks = s.host_blocks;
    s.host_blocks = 0;
    r.kv.take(std::max<std::int64_t>(grow, 0));
    s.blocks += std::max<std::int64_t>(grow, 0);
    swap_s += r.model->swap_seconds(s.cached);
    r.swapped.pop_front();
    insert_sorted(r.running, i);
    add_part(r, i, 1);
    ++tokens;
  }
}

double Sim::form_static(Rep& r) {
  if (r.running.empty()) {
    std::int64_t tokens = 0;
    while (!r.waiting.empty() && std::int64_t(r.running.size()) < c_.max_batch) {
      const std::int64_t i = r.waiting.front();
      Seq& s = seqs_[static_cast<std::size_t>(i)];
      const std::int64_t need = r.kv.blocks_for(s.final_cached());  // the whole request, reserved up front
      if (!r.kv.can_admit(need) || tokens + s.todo() > budget_) break;
      tokens += s.todo();
      r.kv.take(need);
      s.blocks = need;
      r.waiting.pop_front();
      r.running.push_back(i);
      add_part(r, i, s.todo());
    }
  } else {
    for (std::int64_t i : r.running) add_part(r, i, 1);
  }
  return 0;
}

double Sim::form_continuous(Rep& r, bool chunked) {
  double swap_s = 0;
  std::int64_t tokens = 0;
  if (!chunked) {
    // vLLM: prompts first, in an iteration of their own, unless sequences wait swapped out.
    if (r.swapped.empty() && admit_waiting(r, 0, /*whole=*/true) > 0) return 0;
    const bool preempted = decode_running(r, tokens, swap_s);
    if (!preempted) swap_in(r, tokens, swap_s);
    return swap_s;
  }
  // Sarathi-Serve: decodes, then prompts under way, then swapped sequences, then new prompts.
  const bool preempted = decode_running(r, tokens, swap_s);
  for (std::int64_t i : r.running) {
    Seq& s = seqs_[static_cast<std::size_t>(i)];
    if (s.in_step || tokens >= budget_) continue;
    const std::int64_t t = std::min(s.todo(), budget_ - tokens);
    const std::int64_t need = r.kv.blocks_for(s.cached + t) - s.blocks;
    if (!r.kv.can_grow(need)) break;
    r.kv.take(need);
    s.blocks += need;
    add_part(r, i, t);
    tokens += t;
  }
  if (!preempted) swap_in(r, tokens, swap_s);
  if (r.swapped.empty()) admit_waiting(r, tokens, /*whole=*/false);
  return swap_s;
}

double Sim::form_prefill_only(Rep& r) {
  admit_waiting(r, 0, /*whole=*/true);
  return 0;
}

double Sim::form(Rep& r) {
  switch (c_.scheduler) {
    case SchedulerKind::Static: return form_static(r);
    case SchedulerKind::Continuous: return form_continuous(r, false);
    case SchedulerKind::Chunked: return form_continuous(r, true);
    case SchedulerKind::Disaggregated: return r.role == Role::Prefill ? form_prefill_only(r) : form_continuous(r, false);
  }
  return 0;
}

void Sim::start(Rep& r, double now) {
  if (r.busy) return;
  r.comp.clear();
  r.step.clear();
  const double swap_s = form(r);
  touch(r);
  if (r.comp.empty()) return;
  const StepCost cost = r.model->step(r.comp);
  const double dur = cost.seconds + swap_s;
  r.busy = true;
  r.stats.iterations++;
  r.stats.busy_s += dur;
  r.stats.energy_j += cost.energy_j;
  r.stats.macs += cost.macs;
  r.stats.max_batch_seen = std::max<std::int64_t>(r.stats.max_batch_seen, std::int64_t(r.step.size()));
  for (const PrefillPart& p : r.comp.prefill) r.stats.prefill_tokens += p.tokens;
  r.stats.decode_tokens += std::int64_t(r.comp.decode.size());
  for (const auto& [i, t] : r.step) {
    RequestRecord& rec = rec_[static_cast<std::size_t>(i)];
    if (rec.scheduled_s < 0) rec.scheduled_s = now;
  }
  ++iterations_;
  push(now + dur, EventKind::StepDone, r.id);
}

void Sim::complete(Rep& r, std::int64_t i, double now) {
  Seq& s = seqs_[static_cast<std::size_t>(i)];
  r.kv.give(s.blocks);
  s.blocks = 0;
  erase_value(r.running, i);
  r.assigned--;
  rec_[static_cast<std::size_t>(i)].finish_s = now;
  --in_system_;
  ++done_;
}

void Sim::hand_off(Rep& r, std::int64_t i, double now) {
  Seq& s = seqs_[static_cast<std::size_t>(i)];
  erase_value(r.running, i);  // its blocks stay here until the copy ends
  r.assigned--;               // (its work here, the prompt, is done)
  Rep& d = route(prefill_pool_, c_.replicas - prefill_pool_, rr_decode_);
  rec_[static_cast<std::size_t>(i)].decode_replica = d.id;
  d.assigned++;
  d.stats.requests++;
  d.work += s.final_cached() - s.cached;
  d.incoming.push_back(i);
  touch(d);
  start_transfers(d, now);
}

void Sim::start_transfers(Rep& d, double now) {
  while (!d.incoming.empty()) {
    const std::int64_t i = d.incoming.front();
    Seq& s = seqs_[static_cast<std::size_t>(i)];
    const std::int64_t need = d.kv.blocks_for(s.cached + 1);
    if (!d.kv.can_admit(need)) break;
    d.kv.take(need);
    s.src_blocks = s.blocks;
    s.source = s.replica;
    s.blocks = need;
    s.replica = d.id;
    d.incoming.pop_front();
    const double begin = std::max(now, d.link_free_s);
    const double end = begin + reps_[static_cast<std::size_t>(s.source)].model->kv_transfer_seconds(s.cached);
    d.link_free_s = end;
    d.stats.kv_transfers++;
    d.stats.kv_transfer_s += end - begin;
    push(end, EventKind::TransferDone, i);
    touch(d);
  }
}

void Sim::step_done(Rep& r, double now) {
  r.busy = false;
  for (const auto& [i, t] : r.step) {
    Seq& s = seqs_[static_cast<std::size_t>(i)];
    s.in_step = false;
    s.cached += t;
    r.work -= t;
    if (s.cached != s.known()) continue;  // a chunk of a prompt: no token yet
    s.generated++;
    RequestRecord& rec = rec_[static_cast<std::size_t>(i)];
    rec.generated++;
    if (s.generated == 1) {
      rec.first_token_s = now;
    } else {
      rec.max_gap_s = std::max(rec.max_gap_s, now - s.last_token_s);
    }
    s.last_token_s = now;
    if (s.generated >= s.output) {
      complete(r, i, now);
    } else if (r.role == Role::Prefill) {
      hand_off(r, i, now);
    }
  }
  r.step.clear();
  touch(r);
  if (r.role == Role::Decode) start_transfers(r, now);
  start(r, now);
}

void Sim::transfer_done(std::int64_t i, double now) {
  Seq& s = seqs_[static_cast<std::size_t>(i)];
  Rep& src = reps_[static_cast<std::size_t>(s.source)];
  src.kv.give(s.src_blocks);
  s.src_blocks = 0;
  s.source = -1;
  touch(src);
  Rep& d = reps_[static_cast<std::size_t>(s.replica)];
  insert_sorted(d.running, i);
  touch(d);
  start(src, now);
  start(d, now);
}

ServeResult Sim::run() {
  const auto wall0 = std::chrono::steady_clock::now();
  std::size_t next = 0;
  std::uint64_t events = 0;
  const std::int64_t total = std::int64_t(req_.size());
  while (next < req_.size() || !events_.empty()) {
    const bool arrival = next < req_.size() && (events_.empty() || req_[next].arrival_s < events_.top().t);
    const double now = arrival ? req_[next].arrival_s : events_.top().t;
    advance(now);
    if (arrival) {
      // Every request arriving at this instant joins its queue before any replica forms a batch.
      arrived_.clear();
      do {
        arrive(std::int64_t(next));
        arrived_.push_back(seqs_[next].replica);
        ++next;
      } while (next < req_.size() && req_[next].arrival_s == now);
      for (std::int32_t id : arrived_) start(reps_[static_cast<std::size_t>(id)], now);
    } else {
      const Event e = events_.top();
      events_.pop();
      if (e.kind == EventKind::StepDone)
        step_done(reps_[static_cast<std::size_t>(e.a)], now);
      else
        transfer_done(e.a, now);
    }
    refresh();
    if (progress_ && (++events & 0xFFF) == 0) progress_(done_, total);
  }
  if (done_ != total)
    throw std::logic_error(fmt::format("serving: {} of {} requests finished with no event left", done_, total));
  if (progress_) progress_(done_, total);

  ServeResult out;
  out.replica = reps_.front().model->info();
  out.requests = std::move(rec_);
  out.end_s = last_t_;
  out.in_system_integral = in_system_integral_;
  out.iterations = iterations_;
  for (const Rep& r : reps_) out.replicas.push_back(r.stats);
  // The timeline: bins merged so that at most 2 x timeline_bins remain.
  const std::size_t want = std::size_t(std::max(1, c_.timeline_bins));
  const std::size_t k = std::max<std::size_t>(1, (bins_.size() + 2 * want - 1) / (2 * want));
  Timeline& tl = out.timeline;
  tl.bin_s = bin_s_ * double(k);
  for (std::size_t b = 0; b < bins_.size(); b += k) {
    std::array<double, 5> sum{};
    for (std::size_t j = b; j < std::min(bins_.size(), b + k); ++j)
      for (std::size_t m = 0; m < sum.size(); ++m) sum[m] += bins_[j][m];
    const double span = std::min(last_t_, double(b + k) * bin_s_) - double(b) * bin_s_;
    const double w = span > 0 ? 1.0 / span : 0;
    tl.kv_utilisation.push_back(sum[0] * w);
    tl.waiting.push_back(sum[1] * w);
    tl.running.push_back(sum[2] * w);
    tl.busy_replicas.push_back(sum[3] * w);
    tl.in_system.push_back(sum[4] * w);
  }
  out.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  return out;
}

}  // namespace

ServeResult simulate(const std::vector<Request>& requests, const ServeConfig& config,
                     const std::vector<IterationModel*>& models, const ProgressFn& progress) {
  if (config.replicas < 1) throw Error(fmt::format("--replicas {}: must be >= 1", config.replicas));
  if (std::int32_t(models.size()) != config.replicas)
    throw std::logic_error("serving::simulate: one iteration model per replica");
  if (config.scheduler == SchedulerKind::Disaggregated) {
    if (config.replicas < 2)
      throw Error(fmt::format("--replicas {}: disaggregated serving needs at least one prefill and one decode replica",
                              config.replicas));
    if (config.prefill_replicas < 0 || config.prefill_replicas >= config.replicas)
      throw Error(fmt::format("--prefill-replicas {}: must leave at least one of the {} replicas for decoding",
                              config.prefill_replicas, config.replicas));
  }
  for (std::size_t i = 1; i < requests.size(); ++i)
    if (requests[i].arrival_s < requests[i - 1].arrival_s)
      throw std::logic_error("serving::simulate: requests must be sorted by arrival");
  Sim sim(requests, config, models, progress);
  return sim.run();
}

// ---- statistics ----

Dist distribution(std::vector<double> v) {
  Dist d;
  d.count = std::int64_t(v.size());
  if (v.empty()) return d;
  std::sort(v.begin(), v.end());
  double sum = 0;
  for (double x : v) sum += x;
  d.mean = sum / double(v.size());
  auto pct = [&](double p) {
    const double pos = p * double(v.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(pos));
    const std::size_t hi = std::min(lo + 1, v.size() - 1);
    return v[lo] + (v[hi] - v[lo]) * (pos - double(lo));
  };
  d.p50 = pct(0.50);
  d.p90 = pct(0.90);
  d.p99 = pct(0.99);
  d.min = v.front();
  d.max = v.back();
  return d;
}

Summary summarize(const std::vector<Request>& requests, const ServeResult& r, const ServeConfig& c) {
  Summary s;
  s.requests_in = std::int64_t(requests.size());
  for (const Request& q : requests) {
    s.prompt_tokens_in += q.prompt_tokens;
    s.output_tokens_in += q.output_tokens;
  }
  std::vector<double> ttft, tpot, e2e, queue;
  std::int64_t good = 0;
  double sum_e2e = 0;
  for (const RequestRecord& q : r.requests) {
    if (q.finish_s < 0) continue;
    ++s.requests_out;
    s.prompt_tokens_out += q.prompt_tokens;
    s.output_tokens_out += q.generated;
    ttft.push_back(q.ttft());
    e2e.push_back(q.e2e());
    queue.push_back(q.queue());
    sum_e2e += q.e2e();
    bool ok = c.slo.ttft_s <= 0 || q.ttft() <= c.slo.ttft_s;
    if (q.has_tpot()) {
      tpot.push_back(q.tpot());
      ok = ok && (c.slo.tpot_s <= 0 || q.tpot() <= c.slo.tpot_s);
    }
    good += ok ? 1 : 0;
  }
  s.requests = s.requests_out;
  s.ttft_s = distribution(std::move(ttft));
  s.tpot_s = distribution(std::move(tpot));
  s.e2e_s = distribution(std::move(e2e));
  s.queue_s = distribution(std::move(queue));
  const double t0 = requests.empty() ? 0 : requests.front().arrival_s;
  s.duration_s = r.end_s - t0;
  const double dur = s.duration_s > 0 ? s.duration_s : 1;
  s.throughput_tokens_per_s = double(s.output_tokens_out) / dur;
  s.prompt_tokens_per_s = double(s.prompt_tokens_out) / dur;
  s.requests_per_s = double(s.requests_out) / dur;
  s.goodput_rps = double(good) / dur;
  s.slo_attainment = s.requests_out > 0 ? double(good) / double(s.requests_out) : 0;
  const ReplicaInfo& info = r.replica;
  double busy = 0, macs = 0, energy = 0;
  for (const ReplicaStats& rs : r.replicas) {
    busy += rs.busy_s;
    macs += rs.macs;
    energy += rs.energy_j + info.idle_watts_per_chip * info.chips() * std::max(0.0, s.duration_s - rs.busy_s);
    s.preemptions += rs.preemptions;
  }
  const double replicas = double(r.replicas.size());
  s.chip_utilisation = busy / (replicas * dur);
  s.mac_utilisation =
      info.peak_macs_per_s_per_chip > 0 ? macs / (info.peak_macs_per_s_per_chip * info.chips() * replicas * dur) : 0;
  s.energy_j = info.energy_modelled ? energy : 0;
  s.energy_per_token_j = s.output_tokens_out > 0 ? s.energy_j / double(s.output_tokens_out) : 0;
  // Little's law, L = lambda W, over [first arrival, last completion]: L from the integral of the
  // requests in the system, W from the requests' own records.
  s.mean_in_system = r.in_system_integral / dur;
  s.arrival_rate_per_s = double(s.requests_in) / dur;
  s.mean_e2e_s = s.requests_out > 0 ? sum_e2e / double(s.requests_out) : 0;
  const double lw = s.arrival_rate_per_s * s.mean_e2e_s;
  s.littles_law_error = lw > 0 ? std::abs(s.mean_in_system - lw) / lw : 0;
  return s;
}

}  // namespace npusim::serving
