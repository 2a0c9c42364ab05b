#include "sim/simulate.h"

#include <fmt/format.h>
#include <pthread.h>
#include <sys/resource.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <systemc>

#include "base/error.h"
#include "base/subprocess.h"
#include "sim/npu.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#endif

// libsystemc's own main() calls sc_main; npusim has its own main() and runs SystemC from
// simulate(), so this one is never called.
int sc_main(int, char**) { return 1; }

namespace npusim::sim {

namespace {

// Debian's libsystemc announces its coroutine switches to AddressSanitizer, but hands control back
// to the main stack with empty bounds: AddressSanitizer then takes any later throw in this process
// for one on an unknown stack and reports a false stack-buffer-overflow. After each sc_start, the
// thread's real stack is announced again. Nothing happens in a build without AddressSanitizer.
void restore_sanitizer_stack() {
#if defined(__SANITIZE_ADDRESS__)
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) != 0) return;
  void* bottom = nullptr;
  std::size_t size = 0;
  const int rc = pthread_attr_getstack(&attr, &bottom, &size);
  pthread_attr_destroy(&attr);
  if (rc != 0) return;
  void* fake_stack = nullptr;
  __sanitizer_start_switch_fiber(&fake_stack, bottom, size);
  __sanitizer_finish_switch_fiber(fake_stack, nullptr, nullptr);
#endif
}

void write_trace(const std::string& path, const compiler::CompiledModel& cm, const std::vector<TraceEvent>& trace) {
  static const char* unit[] = {"DMA loads A", "DMA loads B", "DMA loads (psum, side)", "DMA stores", "PE array",
                               "vector unit"};
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (!f) throw Error(fmt::format("--trace {}: cannot write: {}", path, std::strerror(errno)));
  fmt::print(f, "{{\"displayTimeUnit\": \"ns\", \"otherData\": {{\"time_unit\": \"cycles\"}}, \"traceEvents\": [\n");
  bool first = true;
  for (std::int32_t c = 0; c < cm.arch->cores; ++c)
    for (int u = 0; u < 6; ++u) {
      fmt::print(f, "{}{{\"ph\": \"M\", \"name\": \"thread_name\", \"pid\": {}, \"tid\": {}, \"args\": {{\"name\": \"{}\"}}}}",
                 first ? "" : ",\n", c, u, unit[u]);
      first = false;
    }
  for (const auto& e : trace) {
    const auto& layer = cm.layers[e.layer].layer.name;
    fmt::print(f, ",\n{{\"ph\": \"X\", \"pid\": {}, \"tid\": {}, \"ts\": {:.3f}, \"dur\": {:.3f}, \"name\": \"{} {}\", "
                  "\"args\": {{\"layer\": \"{}\", \"cmd\": {}, \"bytes\": {}}}}}",
               e.core, e.unit, e.start, e.end - e.start, compiler::name_of(e.kind), compiler::name_of(e.data), layer, e.cmd,
               e.bytes);
  }
  fmt::print(f, "\n]}}\n");
  std::fclose(f);
}

// The PE timing variant can time the array (before any simulation starts).
void check_pe_timing(const compiler::CompiledModel& cm, const SimOptions& o) {
  if (!o.pe_timing) throw Error("simulation: no PE-array timing variant given");
  o.pe_timing->check(cm.ctx.pe);
}

}  // namespace

compiler::RunResult simulate_in_process(const compiler::CompiledModel& cm, const SimOptions& o) {
  if (sc_core::sc_get_status() != sc_core::SC_ELABORATION || sc_core::sc_time_stamp() != sc_core::SC_ZERO_TIME)
    throw Error("simulation: SystemC already ran in this process (it elaborates once per process; use simulate())");
  check_pe_timing(cm, o);
  ::setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  sc_core::sc_set_time_resolution(1, sc_core::SC_FS);
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<TraceEvent> trace;
  Npu npu("npu", cm, *o.pe_timing, o.slice_cycles, o.schedule, o.trace_path.empty() ? nullptr : &trace);
  // Run in slices of simulated time; a simulation whose commands stop completing while events
  // keep coming is stopped and reported, so the simulator never hangs.
  const SimClock clock(cm.arch->cycle_ns());
  const sc_core::sc_time slice = clock.time(1e6);
  std::int64_t last = -1, idle_slices = 0;
  do {
    sc_core::sc_start(slice);
    restore_sanitizer_stack();
    const std::int64_t now = npu.progress();
    idle_slices = now == last ? idle_slices + 1 : 0;
    last = now;
    if (idle_slices >= o.stall_slices)
      throw Error(fmt::format("no progress: no command completed for {} million cycles: {}", idle_slices, npu.stuck()));
  } while (sc_core::sc_pending_activity());
  if (!o.trace_path.empty()) write_trace(o.trace_path, cm, trace);
  compiler::RunResult r = npu.result();
  r.sim_wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  r.sim_peak_rss_mib = double(u.ru_maxrss) / 1024.0;
  return r;
}

compiler::RunResult simulate(const compiler::CompiledModel& cm, const SimOptions& o) {
  check_pe_timing(cm, o);
  SpawnOptions so;
  so.stdout_to_stderr = true;  // stdout belongs to the parent's reports: whatever SystemC prints goes to stderr
  const ChildResult child = run_in_child(
      [&] {
        try {
          return compiler::to_json(simulate_in_process(cm, o)).dump();
        } catch (const std::exception& e) {
          return nlohmann::json{{"error", e.what()}}.dump();
        }
      },
      so, "simulation");
  if (child.status.signaled)
    throw Error(fmt::format("simulation of '{}' died with {}", cm.graph.name(), child.status.str()));
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(child.output.value_or(""));
  } catch (const std::exception&) {
    throw Error(fmt::format("simulation of '{}' ended ({}) without a result", cm.graph.name(), child.status.str()));
  }
  if (j.contains("error")) throw Error(j["error"].get<std::string>());
  return compiler::from_json(j, cm.arch);
}

}  // namespace npusim::sim
