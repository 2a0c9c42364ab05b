#include "validate/harness/bench/env_info.h"

#include <dlfcn.h>

#include <array>
#include <cstdio>
#include <ctime>

namespace npusim::validate::harness {

namespace {
// the few NVML entry points used (signatures of nvml.h; nvmlReturn_t is an int enum, 0 = success)
using NvmlInit = int (*)();
using NvmlShutdown = int (*)();
using NvmlByBus = int (*)(const char*, void**);
using NvmlByIndex = int (*)(unsigned, void**);
using NvmlClock = int (*)(void*, int, unsigned*);
using NvmlUint = int (*)(void*, unsigned*);
using NvmlTemp = int (*)(void*, int, unsigned*);
using NvmlReasons = int (*)(void*, unsigned long long*);
using NvmlString = int (*)(char*, unsigned);
using NvmlDevString = int (*)(void*, char*, unsigned);
constexpr int kClockSm = 1, kClockMem = 2, kTemperatureGpu = 0;
}  // namespace

template <class F>
F Nvml::sym(const char* name) const {
  return lib_ ? reinterpret_cast<F>(dlsym(lib_, name)) : nullptr;
}

Nvml::Nvml(const std::string& pci_bus_id, int index) {
  lib_ = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!lib_) lib_ = dlopen("libnvidia-ml.so", RTLD_NOW | RTLD_LOCAL);
  if (!lib_) {
    status_ = "libnvidia-ml.so.1 not found";
    return;
  }
  auto init = sym<NvmlInit>("nvmlInit_v2");
  if (!init || init() != 0) {
    status_ = "nvmlInit_v2 failed";
    return;
  }
  void* dev = nullptr;
  if (auto by_bus = sym<NvmlByBus>("nvmlDeviceGetHandleByPciBusId_v2"); by_bus && by_bus(pci_bus_id.c_str(), &dev) == 0) {
    device_ = dev;
  } else if (auto by_index = sym<NvmlByIndex>("nvmlDeviceGetHandleByIndex_v2");
             by_index && by_index(static_cast<unsigned>(index), &dev) == 0) {
    device_ = dev;
  }
  status_ = device_ ? "ok" : "no NVML device for PCI bus " + pci_bus_id;
}

Nvml::~Nvml() {
  if (lib_) {
    if (auto shutdown = sym<NvmlShutdown>("nvmlShutdown")) shutdown();
    dlclose(lib_);
  }
}

namespace {
template <class F, class... A>
std::optional<unsigned> query_uint(F f, A... args) {
  unsigned v = 0;
  if (f && f(args..., &v) == 0) return v;
  return std::nullopt;
}
}  // namespace

std::optional<unsigned> Nvml::sm_clock_mhz() const {
  return ok() ? query_uint(sym<NvmlClock>("nvmlDeviceGetClockInfo"), device_, kClockSm) : std::nullopt;
}
std::optional<unsigned> Nvml::mem_clock_mhz() const {
  return ok() ? query_uint(sym<NvmlClock>("nvmlDeviceGetClockInfo"), device_, kClockMem) : std::nullopt;
}
std::optional<unsigned> Nvml::max_sm_clock_mhz() const {
  return ok() ? query_uint(sym<NvmlClock>("nvmlDeviceGetMaxClockInfo"), device_, kClockSm) : std::nullopt;
}
std::optional<unsigned> Nvml::max_mem_clock_mhz() const {
  return ok() ? query_uint(sym<NvmlClock>("nvmlDeviceGetMaxClockInfo"), device_, kClockMem) : std::nullopt;
}
std::optional<unsigned> Nvml::memory_bus_width() const {
  return ok() ? query_uint(sym<NvmlUint>("nvmlDeviceGetMemoryBusWidth"), device_) : std::nullopt;
}
std::optional<unsigned> Nvml::power_mw() const {
  return ok() ? query_uint(sym<NvmlUint>("nvmlDeviceGetPowerUsage"), device_) : std::nullopt;
}
std::optional<unsigned> Nvml::power_limit_mw() const {
  return ok() ? query_uint(sym<NvmlUint>("nvmlDeviceGetEnforcedPowerLimit"), device_) : std::nullopt;
}
std::optional<unsigned> Nvml::temperature_c() const {
  return ok() ? query_uint(sym<NvmlTemp>("nvmlDeviceGetTemperature"), device_, kTemperatureGpu) : std::nullopt;
}

std::optional<unsigned long long> Nvml::clock_event_reasons() const {
  if (!ok()) return std::nullopt;
  auto f = sym<NvmlReasons>("nvmlDeviceGetCurrentClocksEventReasons");
  if (!f) f = sym<NvmlReasons>("nvmlDeviceGetCurrentClocksThrottleReasons");
  unsigned long long v = 0;
  if (f && f(device_, &v) == 0) return v;
  return std::nullopt;
}

std::string Nvml::driver_version() const {
  std::array<char, 96> buf{};
  auto f = sym<NvmlString>("nvmlSystemGetDriverVersion");
  if (f && f(buf.data(), static_cast<unsigned>(buf.size())) == 0) return buf.data();
  return {};
}

std::string Nvml::name() const {
  std::array<char, 128> buf{};
  auto f = sym<NvmlDevString>("nvmlDeviceGetName");
  if (ok() && f && f(device_, buf.data(), static_cast<unsigned>(buf.size())) == 0) return buf.data();
  return {};
}

std::string nvidia_smi_query() {
  FILE* p = popen(
      "nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,clocks.mem,clocks.max.mem,power.draw,"
      "power.limit,temperature.gpu,pstate --format=csv 2>/dev/null",
      "r");
  if (!p) return {};
  std::string out;
  std::array<char, 512> buf{};
  while (fgets(buf.data(), static_cast<int>(buf.size()), p)) out += buf.data();
  const int rc = pclose(p);
  if (rc != 0) return {};
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

std::string utc_timestamp() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 32> buf{};
  std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf.data();
}

}  // namespace npusim::validate::harness
