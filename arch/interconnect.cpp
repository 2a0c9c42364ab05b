#include "arch/interconnect.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <map>

namespace npusim::arch {

namespace {

struct Builder {
  NocModel m;
  double bw = 0;
  std::map<std::string, std::int32_t> index;

  std::int32_t link(const std::string& name) {
    auto it = index.find(name);
    if (it != index.end()) return it->second;
    m.links.push_back({name, bw});
    return index[name] = static_cast<std::int32_t>(m.links.size() - 1);
  }
};

void add_share(std::vector<NocShare>& v, std::int32_t link, double f) {
  for (auto& s : v)
    if (s.link == link) {
      s.fraction += f;
      return;
    }
  v.push_back({link, f});
}

}  // namespace

NocModel build_noc(const ArchConfig& cfg) {
  Builder b;
  b.bw = cfg.interconnect.link_bytes_per_cycle;
  b.m.topology = cfg.interconnect.topology;
  const int P = cfg.cores;
  const int channels = cfg.dram.channels;
  b.m.routes.resize(static_cast<std::size_t>(P));
  switch (cfg.interconnect.topology) {
    case Topology::Bus: {
      std::int32_t bus = b.link("bus");
      for (auto& r : b.m.routes) {
        r.reads = {{bus, 1.0}};
        r.writes = {{bus, 1.0}};
        r.mean_hops = 1, r.max_hops = 1;
      }
      break;
    }
    case Topology::Crossbar: {
      for (int i = 0; i < P; ++i) {
        auto& r = b.m.routes[static_cast<std::size_t>(i)];
        r.reads.push_back({b.link(fmt::format("core{}.in", i)), 1.0});
        r.writes.push_back({b.link(fmt::format("core{}.out", i)), 1.0});
        for (int c = 0; c < channels; ++c) {
          r.reads.push_back({b.link(fmt::format("ch{}.out", c)), 1.0 / channels});
          r.writes.push_back({b.link(fmt::format("ch{}.in", c)), 1.0 / channels});
        }
        r.mean_hops = 1, r.max_hops = 1;
      }
      break;
    }
    case Topology::Ring: {
      const int N = P + 1;  // node 0 is memory
      for (int i = 0; i < P; ++i) {
        auto& r = b.m.routes[static_cast<std::size_t>(i)];
        const int node = i + 1;
        const int cw = node;        // memory -> node clockwise hops
        const int ccw = N - node;   // memory -> node counter-clockwise hops
        const bool clockwise = cw <= ccw;
        const int hops = std::min(cw, ccw);
        for (int h = 0; h < hops; ++h) {
          // Reads travel memory -> core; writes the reverse way round the same arc.
          int from = clockwise ? h : (N - h) % N;
          int to = clockwise ? h + 1 : (N - h - 1) % N;
          r.reads.push_back({b.link(fmt::format("ring.{}->{}", from, to)), 1.0});
          r.writes.push_back({b.link(fmt::format("ring.{}->{}", to, from)), 1.0});
        }
        r.mean_hops = hops, r.max_hops = hops;
      }
      break;
    }
    case Topology::Mesh: {
      const int rows = cfg.interconnect.mesh_rows, cols = cfg.interconnect.mesh_cols;
      std::vector<int> per_port(static_cast<std::size_t>(rows), 0);
      for (int c = 0; c < channels; ++c) per_port[static_cast<std::size_t>(c % rows)]++;
      for (int i = 0; i < P; ++i) {
        auto& r = b.m.routes[static_cast<std::size_t>(i)];
        const int rr = i / cols, cc = i % cols;
        double hops_sum = 0;
        int max_hops = 0;
        for (int p = 0; p < rows; ++p) {
          if (per_port[static_cast<std::size_t>(p)] == 0) continue;
          const double f = double(per_port[static_cast<std::size_t>(p)]) / channels;
          // core (rr, cc) -> X to column 0 -> Y to row p -> port p
          std::vector<std::pair<std::string, std::string>> hops;  // (write link, read link)
          for (int c = cc; c > 0; --c)
            hops.emplace_back(fmt::format("mesh.{},{}->{},{}", rr, c, rr, c - 1),
                              fmt::format("mesh.{},{}->{},{}", rr, c - 1, rr, c));
          for (int y = rr; y != p; y += (p > rr ? 1 : -1)) {
            int ny = y + (p > rr ? 1 : -1);
            hops.emplace_back(fmt::format("mesh.{},0->{},0", y, ny), fmt::format("mesh.{},0->{},0", ny, y));
          }
          hops.emplace_back(fmt::format("port{}.in", p), fmt::format("port{}.out", p));
          for (const auto& [w, rd] : hops) {
            add_share(r.writes, b.link(w), f);
            add_share(r.reads, b.link(rd), f);
          }
          hops_sum += f * static_cast<double>(hops.size());
          max_hops = std::max(max_hops, static_cast<int>(hops.size()));
        }
        r.mean_hops = hops_sum, r.max_hops = max_hops;
      }
      break;
    }
  }
  return std::move(b.m);
}

double NocModel::transfer_cycles(std::span<const double> read_bytes, std::span<const double> write_bytes) const {
  std::vector<double> load(links.size(), 0.0);
  for (std::size_t i = 0; i < routes.size() && i < read_bytes.size(); ++i) {
    for (const auto& s : routes[i].reads) load[static_cast<std::size_t>(s.link)] += read_bytes[i] * s.fraction;
    for (const auto& s : routes[i].writes) load[static_cast<std::size_t>(s.link)] += write_bytes[i] * s.fraction;
  }
  double worst = 0;
  for (std::size_t l = 0; l < links.size(); ++l) worst = std::max(worst, load[l] / links[l].bytes_per_cycle);
  return worst;
}

double NocModel::byte_hops(std::span<const double> read_bytes, std::span<const double> write_bytes) const {
  double s = 0;
  for (std::size_t i = 0; i < routes.size() && i < read_bytes.size(); ++i)
    s += (read_bytes[i] + write_bytes[i]) * routes[i].mean_hops;
  return s;
}

}  // namespace npusim::arch
