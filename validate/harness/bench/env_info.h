// The measuring machine: NVML through dlopen (no link-time dependency; absent NVML leaves the
// clock columns empty), nvidia-smi's answer where the tool exists, and the CUDA/cuBLAS versions.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace npusim::validate::harness {

class Nvml {
 public:
  // loads libnvidia-ml.so.1 and finds the device with this PCI bus id (from cudaDeviceGetPCIBusId)
  // or, failing that, this index
  Nvml(const std::string& pci_bus_id, int index);
  ~Nvml();
  Nvml(const Nvml&) = delete;
  Nvml& operator=(const Nvml&) = delete;

  bool ok() const { return device_ != nullptr; }
  const std::string& status() const { return status_; }  // why not ok, or "ok"

  std::optional<unsigned> sm_clock_mhz() const;      // current SM clock
  std::optional<unsigned> mem_clock_mhz() const;     // current memory clock
  std::optional<unsigned> max_sm_clock_mhz() const;
  std::optional<unsigned> max_mem_clock_mhz() const;
  std::optional<unsigned> memory_bus_width() const;  // bits
  std::optional<unsigned> power_mw() const;
  std::optional<unsigned> power_limit_mw() const;
  std::optional<unsigned> temperature_c() const;
  std::optional<unsigned long long> clock_event_reasons() const;  // throttle reasons bitmask
  std::string driver_version() const;
  std::string name() const;

 private:
  void* lib_ = nullptr;
  void* device_ = nullptr;
  std::string status_;
  template <class F>
  F sym(const char* name) const;
};

// `nvidia-smi --query-gpu=...` where the tool is on the PATH, else empty
std::string nvidia_smi_query();

// current UTC time, ISO 8601
std::string utc_timestamp();

}  // namespace npusim::validate::harness
