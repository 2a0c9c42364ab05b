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
  auto& rp = b.m.read_path;
  auto& wp = b.m.write_path;
  rp.assign(static_cast<std::size_t>(P), std::vector<std::vector<std::int32_t>>(static_cast<std::size_t>(channels)));
  wp = rp;
  b.m.hops.assign(static_cast<std::size_t>(P), std::vector<std::int32_t>(static_cast<std::size_t>(channels), 1));
  for (int i = 0; i < P; ++i)
    for (int ch = 0; ch < channels; ++ch) {
      auto& r = rp[static_cast<std::size_t>(i)][static_cast<std::size_t>(ch)];
      auto& w = wp[static_cast<std::size_t>(i)][static_cast<std::size_t>(ch)];
      switch (cfg.interconnect.topology) {
        case Topology::Bus: {
          const std::int32_t bus = b.link("bus");  // half duplex: both directions share it
          r = {bus};
          w = {bus};
          break;
        }
        case Topology::Crossbar:
          r = {b.link(fmt::format("ch{}.out", ch)), b.link(fmt::format("core{}.in", i))};
          w = {b.link(fmt::format("core{}.out", i)), b.link(fmt::format("ch{}.in", ch))};
          break;
        case Topology::Ring: {
          const int N = P + 1;  // node 0 is the memory node
          const int node = i + 1;
          const bool clockwise = node <= N - node;
          const int hops = std::min(node, N - node);
          for (int h = 0; h < hops; ++h) {
            const int from = clockwise ? h : (N - h) % N;
            const int to = clockwise ? h + 1 : (N - h - 1) % N;
            r.push_back(b.link(fmt::format("ring.{}->{}", from, to)));
          }
          b.m.hops[static_cast<std::size_t>(i)][static_cast<std::size_t>(ch)] = hops;
          // writes go back along the same arc, core first
          for (int h = hops - 1; h >= 0; --h) {
            const int from = clockwise ? h : (N - h) % N;
            const int to = clockwise ? h + 1 : (N - h - 1) % N;
            w.push_back(b.link(fmt::format("ring.{}->{}", to, from)));
          }
          break;
        }
        case Topology::Mesh: {
          const int rows = cfg.interconnect.mesh_rows, cols = cfg.interconnect.mesh_cols;
          const int rr = i / cols, cc = i % cols, port = ch % rows;
          // write: X towards column 0 along row rr, then Y along column 0 to the port's row
          for (int c = cc; c > 0; --c) w.push_back(b.link(fmt::format("mesh.{},{}->{},{}", rr, c, rr, c - 1)));
          for (int y = rr; y != port; y += (port > rr ? 1 : -1))
            w.push_back(b.link(fmt::format("mesh.{},0->{},0", y, y + (port > rr ? 1 : -1))));
          w.push_back(b.link(fmt::format("port{}.in", port)));
          // read: the reverse
          r.push_back(b.link(fmt::format("port{}.out", port)));
          for (int y = port; y != rr; y += (rr > port ? 1 : -1))
            r.push_back(b.link(fmt::format("mesh.{},0->{},0", y, y + (rr > port ? 1 : -1))));
          for (int c = 0; c < cc; ++c) r.push_back(b.link(fmt::format("mesh.{},{}->{},{}", rr, c, rr, c + 1)));
          b.m.hops[static_cast<std::size_t>(i)][static_cast<std::size_t>(ch)] = static_cast<std::int32_t>(r.size());
          break;
        }
      }
    }
  // Addresses interleave over the channels, so a core spreads its traffic evenly over them.
  b.m.routes.resize(static_cast<std::size_t>(P));
  for (int i = 0; i < P; ++i) {
    auto& route = b.m.routes[static_cast<std::size_t>(i)];
    double hops = 0;
    for (int ch = 0; ch < channels; ++ch) {
      const auto& r = rp[static_cast<std::size_t>(i)][static_cast<std::size_t>(ch)];
      const auto& w = wp[static_cast<std::size_t>(i)][static_cast<std::size_t>(ch)];
      for (auto l : r) add_share(route.reads, l, 1.0 / channels);
      for (auto l : w) add_share(route.writes, l, 1.0 / channels);
      const std::int32_t h = b.m.hops[static_cast<std::size_t>(i)][static_cast<std::size_t>(ch)];
      hops += double(h) / channels;
      route.max_hops = std::max(route.max_hops, h);
    }
    route.mean_hops = hops;
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
