#include "compiler/schedule.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "base/checked.h"

namespace npusim::compiler {

std::string_view name_of(CmdKind k) {
  switch (k) {
    case CmdKind::Load: return "load";
    case CmdKind::Store: return "store";
    case CmdKind::Compute: return "compute";
    case CmdKind::Vector: return "vector";
    case CmdKind::Barrier: return "barrier";
  }
  return "?";
}
std::string_view name_of(Data d) {
  switch (d) {
    case Data::A: return "A";
    case Data::B: return "B";
    case Data::Psum: return "psum";
    case Data::Side: return "side";
    case Data::Out: return "out";
    case Data::None: return "-";
  }
  return "?";
}
std::string_view name_of(Buf b) {
  switch (b) {
    case Buf::SpadA: return "spad.A";
    case Buf::SpadB: return "spad.B";
    case Buf::SpadOut: return "spad.out";
    case Buf::Acc: return "acc";
    case Buf::Reserved: return "spad.kept";
    case Buf::None: return "-";
  }
  return "?";
}

std::vector<std::uint64_t> dram_layout(const CompiledModel& cm) {
  const auto& ts = cm.graph.tensors();
  std::vector<std::uint64_t> addr(ts.size(), 0);
  std::uint64_t next = 0;
  for (std::size_t i = 0; i < ts.size(); ++i) {
    if (cm.lowered.is_view[i]) continue;
    addr[i] = next;
    next += static_cast<std::uint64_t>(round_up(ts[i].bytes(), 4096));
  }
  // a view sits where its (first) source does
  for (const auto& op : cm.graph.ops()) {
    const auto out = static_cast<std::size_t>(op.output);
    if (cm.lowered.is_view[out]) addr[out] = addr[static_cast<std::size_t>(op.inputs.front())];
  }
  return addr;
}

namespace {

constexpr std::int64_t kNone = -1;

struct Ring {
  Buf buf = Buf::None;
  std::uint32_t slots = 0;
  std::uint32_t next = 0;
  std::vector<std::int64_t> writer, reader;  // last command that filled / used each slot
  Ring(Buf b, std::int64_t n) : buf(b), slots(static_cast<std::uint32_t>(std::max<std::int64_t>(n, 1))) {
    writer.assign(slots, kNone);
    reader.assign(slots, kNone);
  }
  std::uint32_t alloc() {
    std::uint32_t s = next;
    next = (next + 1) % slots;
    return s;
  }
};

struct Emitter {
  CoreProgram& p;
  std::int64_t emit(Command c, std::initializer_list<std::int64_t> deps) {
    c.dep_begin = static_cast<std::uint32_t>(p.deps.size());
    for (std::int64_t d : deps) {
      if (d < 0) continue;
      auto u = static_cast<std::uint32_t>(d);
      if (std::find(p.deps.begin() + c.dep_begin, p.deps.end(), u) == p.deps.end()) p.deps.push_back(u);
    }
    c.dep_count = static_cast<std::uint32_t>(p.deps.size()) - c.dep_begin;
    p.cmds.push_back(c);
    return static_cast<std::int64_t>(p.cmds.size() - 1);
  }
};

Command dma(CmdKind k, Data d, Buf b, std::uint32_t slot, std::int64_t bytes, std::uint64_t addr) {
  Command c;
  c.kind = k, c.data = d, c.buf = b, c.slot = slot, c.bytes = bytes, c.dram_addr = addr;
  return c;
}

std::uint64_t addr_in(std::uint64_t base, std::int64_t tensor_bytes, std::int64_t offset) {
  return base + static_cast<std::uint64_t>(tensor_bytes > 0 ? offset % tensor_bytes : 0);
}

struct Span1 {
  std::int64_t begin, size;
};
Span1 tile_of(std::int64_t extent, std::int64_t tile, std::int64_t j) {
  tile = std::min(tile, extent);
  return {j * tile, std::min(tile, extent - j * tile)};
}

void gemm_core(const CompiledModel& cm, const CompiledLayer& cl, const CoreProblem& p, const std::vector<std::uint64_t>& addr,
               CoreProgram& prog) {
  const Layer& L = cl.layer;
  const Mapping& m = cl.mapping;
  const CostContext& ctx = cm.ctx;
  const std::int64_t ab = ctx.operand_bytes(), ob = ab, accb = ctx.acc_bytes();
  const bool conv = L.conv.has_value();
  const ConvGeometry* cg = conv ? &*L.conv : nullptr;
  const TilePhase tp = gemm_tile_phase(ctx, L, m, p);
  const CoreEval ce = gemm_order_phase(ctx, L, m, tp);
  prog.buffers = ce.buf;
  const BufferPlan& bp = ce.buf;
  Emitter em{prog};

  const std::int64_t kunit = conv ? cg->kh * cg->kw : 1;
  const std::int64_t K_extent = conv ? cg->channels : p.K;
  const std::int64_t tk_unit = conv ? m.tc : m.tk;
  std::int64_t n_r = 1, n_w = 1;
  if (conv) {
    n_r = ceil_div(p.out_rows, std::min(m.conv_m.rows, p.out_rows));
    n_w = ceil_div(cg->out_w, std::min(m.conv_m.cols, cg->out_w));
  }
  struct MTile {
    std::int64_t m0, size, a_rows_cols;  // a_rows_cols: input rows x cols touched (conv)
    ConvRect rect;
  };
  auto m_tile = [&](std::int64_t j) -> MTile {
    if (!conv) {
      Span1 s = tile_of(p.M, m.tm, j);
      return {p.m0 + s.begin, s.size, 0, {}};
    }
    const std::int64_t ii = j / (n_r * n_w), rr = (j / n_w) % n_r, ww = j % n_w;
    Span1 si = tile_of(p.images, m.conv_m.images, ii), sr = tile_of(p.out_rows, m.conv_m.rows, rr),
          sw = tile_of(cg->out_w, m.conv_m.cols, ww);
    const std::int64_t img0 = p.img0 + si.begin, row0 = p.oh0 + sr.begin;
    const std::int64_t rows_in = conv_span(cg->in_h, row0, sr.size, cg->kh, cg->stride_h, cg->pad_top, cg->dil_h);
    const std::int64_t cols_in = conv_span(cg->in_w, sw.begin, sw.size, cg->kw, cg->stride_w, cg->pad_left, cg->dil_w);
    return {(img0 * cg->out_h + row0) * cg->out_w + sw.begin, si.size * sr.size * sw.size, si.size * rows_in * cols_in,
            ConvRect{img0, row0, sw.begin, si.size, sr.size, sw.size}};
  };

  // Tensors are laid out tile-major by the compiler: a tile is contiguous, the next tile follows it.
  const auto a_base = addr[static_cast<std::size_t>(L.a)], b_base = addr[static_cast<std::size_t>(L.b)],
             c_base = addr[static_cast<std::size_t>(L.out)];
  const auto side_base = L.side_inputs.empty() ? c_base : addr[static_cast<std::size_t>(L.side_inputs.front())];
  const std::int64_t a_bytes_t = cm.graph.tensor(L.a).bytes(), b_bytes_t = cm.graph.tensor(L.b).bytes(),
                     c_bytes_t = cm.graph.tensor(L.out).bytes();

  Ring ra(Buf::SpadA, bp.a_slots), rb(Buf::SpadB, bp.b_slots), racc(Buf::Acc, bp.acc_slots),
      rout(Buf::SpadOut, bp.out_slots);
  std::int64_t once_load = kNone;
  if (L.side_once_bytes > 0)
    once_load = em.emit(dma(CmdKind::Load, Data::Side, Buf::Reserved, 0, L.side_once_bytes, 0), {});

  using Key = std::tuple<std::int64_t, std::int64_t, std::int64_t>;
  const Key none{-1, -1, -1};
  Key last_a = none, last_b = none, cur_c = none;
  std::int64_t slice_a = -2, slice_b = -2, slice_c = -2;
  std::map<Key, std::uint32_t> res_a, res_b, res_c;
  std::map<Key, std::int64_t> psum_store;
  std::uint32_t a_slot = 0, b_slot = 0, c_slot = 0;
  bool c_done = true;
  bool first_vector = true;
  std::int64_t last_compute = kNone;
  // Prefetch distance: a load for step s may start once the compute of step s-2 is done (double
  // buffering), so a resident slice streams in just ahead of use instead of flooding the DMA.
  std::int64_t newest_compute = kNone, prefetch_after = kNone;  // prefetch_after: two computes back
  // Step 1 has no compute two steps back: its loads follow step 0's, so the first compute gets the
  // bandwidth first.
  std::int64_t step = 0;
  std::vector<std::int64_t> step0_loads;
  auto load_deps_extra = [&](std::int64_t idx) {
    if (step == 0) step0_loads.push_back(idx);
  };
  auto first_steps_dep = [&]() -> std::int64_t { return step == 1 && !step0_loads.empty() ? step0_loads.back() : kNone; };

  std::array<std::int64_t, 3> trips{};  // by Dim
  trips[static_cast<int>(Dim::M)] = tp.nm;
  trips[static_cast<int>(Dim::N)] = tp.nn;
  trips[static_cast<int>(Dim::K)] = tp.nk;
  const auto& od = m.order.dims;
  auto slice_id = [&](Operand x, std::int64_t gi, const std::array<std::int64_t, 3>& idx) {
    return relevant(x, od[0]) ? gi * (trips[static_cast<int>(od[0])] + 1) + idx[static_cast<int>(od[0])] : gi * 1000003 - 1;
  };

  for (std::int64_t gi = 0; gi < tp.ng; ++gi) {
    const Span1 gs = tile_of(p.G, m.tg, gi);
    for (std::int64_t i0 = 0; i0 < trips[static_cast<int>(od[0])]; ++i0)
      for (std::int64_t i1 = 0; i1 < trips[static_cast<int>(od[1])]; ++i1)
        for (std::int64_t i2 = 0; i2 < trips[static_cast<int>(od[2])]; ++i2) {
          std::array<std::int64_t, 3> idx{};
          idx[static_cast<int>(od[0])] = i0, idx[static_cast<int>(od[1])] = i1, idx[static_cast<int>(od[2])] = i2;
          const std::int64_t im = idx[static_cast<int>(Dim::M)], in = idx[static_cast<int>(Dim::N)],
                             ik = idx[static_cast<int>(Dim::K)];
          const MTile mt = m_tile(im);
          const Span1 ns = tile_of(p.N, m.tn, in);
          const Span1 ks = tile_of(K_extent, tk_unit, ik);
          const std::int64_t g0 = p.g0 + gs.begin, n0 = p.n0 + ns.begin, k0 = ks.begin * kunit, kext = ks.size * kunit;
          const std::int64_t c_elems = gs.size * mt.size * ns.size;
          const Key ka{gi, im, ik}, kb{gi, ik, in}, kc{gi, im, in};

          // ---- output tile: a new visit (or first touch of a resident tile) ----
          if (m.resident == Resident::C) {
            const std::int64_t sid = slice_id(Operand::C, gi, idx);
            if (sid != slice_c) res_c.clear(), slice_c = sid;
            if (!res_c.count(kc)) res_c[kc] = racc.alloc();
            c_slot = res_c[kc];
            cur_c = kc;
          } else if (kc != cur_c) {
            if (cur_c != none && !c_done) {  // evict unfinished partial sums
              const Command& lc = prog.cmds[static_cast<std::size_t>(last_compute)];  // the evicted tile's
              Command st = dma(CmdKind::Store, Data::Psum, Buf::Acc, c_slot, lc.tg * lc.tm * lc.tn * accb,
                               addr_in(c_base, c_bytes_t,
                                       ((std::get<0>(cur_c) * tp.nm + std::get<1>(cur_c)) * tp.nn + std::get<2>(cur_c)) *
                                           tp.out_elems_tile * accb));
              const std::int64_t s = em.emit(st, {racc.writer[c_slot]});
              racc.reader[c_slot] = s;
              psum_store[cur_c] = s;
            }
            c_slot = racc.alloc();
            cur_c = kc;
            c_done = false;
            if (ik > 0) {  // partial sums of earlier k come back
              Command ld = dma(CmdKind::Load, Data::Psum, Buf::Acc, c_slot, c_elems * accb,
                               addr_in(c_base, c_bytes_t, ((gi * tp.nm + im) * tp.nn + in) * tp.out_elems_tile * accb));
              const std::int64_t l = em.emit(ld, {psum_store[kc], racc.reader[c_slot], prefetch_after, first_steps_dep()});
              racc.writer[c_slot] = l;
            }
          }
          c_done = false;

          // ---- operand A ----
          std::int64_t a_dep = kNone;
          if (!m.a_on_chip) {
            const std::int64_t bytes = conv ? mt.a_rows_cols * ks.size * gs.size * ab : gs.size * mt.size * kext * ab;
            auto load_a = [&](std::uint32_t slot) {
              Command c = dma(CmdKind::Load, Data::A, Buf::SpadA, slot, bytes,
                              addr_in(a_base, a_bytes_t, ((gi * tp.nm + im) * tp.nk + ik) * tp.a_tile));
              ra.writer[slot] = em.emit(c, {ra.reader[slot], prefetch_after, first_steps_dep()});
              load_deps_extra(ra.writer[slot]);
            };
            if (m.resident == Resident::A) {
              const std::int64_t sid = slice_id(Operand::A, gi, idx);
              if (sid != slice_a) res_a.clear(), slice_a = sid;
              if (!res_a.count(ka)) {
                res_a[ka] = ra.alloc();
                load_a(res_a[ka]);
              }
              a_slot = res_a[ka];
            } else if (ka != last_a) {
              a_slot = ra.alloc();
              load_a(a_slot);
              last_a = ka;
            }
            a_dep = ra.writer[a_slot];
          }
          // ---- operand B ----
          {
            const std::int64_t bytes = gs.size * kext * ns.size * ab;
            auto load_b = [&](std::uint32_t slot) {
              Command c = dma(CmdKind::Load, Data::B, Buf::SpadB, slot, bytes,
                              addr_in(b_base, b_bytes_t, ((gi * tp.nk + ik) * tp.nn + in) * tp.b_tile));
              rb.writer[slot] = em.emit(c, {rb.reader[slot], prefetch_after, first_steps_dep()});
              load_deps_extra(rb.writer[slot]);
            };
            if (m.resident == Resident::B) {
              const std::int64_t sid = slice_id(Operand::B, gi, idx);
              if (sid != slice_b) res_b.clear(), slice_b = sid;
              if (!res_b.count(kb)) {
                res_b[kb] = rb.alloc();
                load_b(res_b[kb]);
              }
              b_slot = res_b[kb];
            } else if (kb != last_b) {
              b_slot = rb.alloc();
              load_b(b_slot);
              last_b = kb;
            }
          }
          // ---- compute ----
          Command cc;
          cc.kind = CmdKind::Compute;
          cc.buf = Buf::Acc, cc.slot = c_slot;
          cc.g0 = g0, cc.m0 = mt.m0, cc.n0 = n0, cc.k0 = k0;
          cc.tg = gs.size, cc.tm = mt.size, cc.tn = ns.size, cc.tk = kext;
          cc.rect = mt.rect;
          const std::int64_t c = em.emit(cc, {a_dep, rb.writer[b_slot], racc.writer[c_slot], racc.reader[c_slot]});
          if (!m.a_on_chip) ra.reader[a_slot] = c;
          rb.reader[b_slot] = c;
          racc.writer[c_slot] = c;
          last_compute = c;
          prefetch_after = newest_compute;  // the next step's loads wait for the compute before this one
          newest_compute = c;
          ++step;

          // ---- the output tile is complete: post-process and store ----
          if (ik == tp.nk - 1) {
            std::uint32_t o_slot = 0;
            std::int64_t side = kNone;
            if (bp.out_slots > 0) o_slot = rout.alloc();
            if (L.side_per_elem_bytes > 0) {
              side = em.emit(dma(CmdKind::Load, Data::Side, Buf::SpadOut, o_slot, c_elems * L.side_per_elem_bytes,
                                 addr_in(side_base, c_bytes_t,
                                         ((gi * tp.nm + im) * tp.nn + in) * tp.out_elems_tile * L.side_per_elem_bytes)),
                             {rout.reader[o_slot], prefetch_after});
              rout.writer[o_slot] = side;
            }
            Command v;
            v.kind = CmdKind::Vector;
            v.buf = m.out_on_chip ? Buf::Reserved : Buf::SpadOut, v.slot = o_slot;
            v.g0 = g0, v.m0 = mt.m0, v.n0 = n0;
            v.elems = c_elems;
            // reads the accumulators and any side operands, writes the converted results
            v.acc_read = c_elems * accb;
            v.spad_read = c_elems * L.side_per_elem_bytes + (first_vector ? L.side_once_bytes : 0);
            v.spad_write = c_elems * ob;
            first_vector = false;
            for (std::size_t i = 0; i < v.ops.size(); ++i) v.ops[i] = L.ops_per_elem[i] * c_elems;
            const std::int64_t vc = em.emit(v, {c, side, once_load, rout.reader[o_slot]});
            racc.reader[c_slot] = vc;
            if (!m.out_on_chip) {
              Command st = dma(CmdKind::Store, Data::Out, Buf::SpadOut, o_slot, c_elems * ob,
                               addr_in(c_base, c_bytes_t, ((gi * tp.nm + im) * tp.nn + in) * tp.out_elems_tile * ob));
              rout.reader[o_slot] = em.emit(st, {vc});
            } else {
              rout.reader[o_slot] = vc;
            }
            c_done = true;
          }
        }
  }
}

void stream_core_program(const CompiledModel& cm, const CompiledLayer& cl, const CoreProblem& p,
                         const std::vector<std::uint64_t>& addr, CoreProgram& prog) {
  const Layer& L = cl.layer;
  const Mapping& m = cl.mapping;
  const CostContext& ctx = cm.ctx;
  const CoreEval ce = stream_core(ctx, L, m, p);
  prog.buffers = ce.buf;
  Emitter em{prog};
  const std::int64_t ob = ctx.operand_bytes();
  const std::int64_t out_row = L.row_elems * ob;
  const bool vec = L.cls == LayerClass::Vector;
  const bool chunked = m.tn < L.row_elems;
  const std::int64_t once = L.in_once_bytes + L.side_once_bytes;
  const std::int64_t in_row = (m.a_on_chip ? 0 : L.in_row_bytes) + L.row_elems * L.side_per_elem_bytes;
  const auto in_base = L.inputs.empty() ? 0 : addr[static_cast<std::size_t>(L.inputs.front())];
  const auto out_base = addr[static_cast<std::size_t>(L.out)];
  Ring ra(Buf::SpadA, ce.buf.a_slots), rout(Buf::SpadOut, ce.buf.out_slots);
  std::int64_t once_load = kNone;
  if (once > 0) once_load = em.emit(dma(CmdKind::Load, Data::Side, Buf::Reserved, 0, once, 0), {});

  // One unit of work: in_bytes in, a vector step with `ops`, out_bytes out.
  bool first_vector = true;
  // kept: bytes of this step the previous layer left on chip (read in place, not loaded)
  auto step = [&](std::int64_t r0, std::int64_t in_bytes, std::int64_t kept, std::int64_t elems, std::int64_t rows,
                  const VecOps& ops, std::int64_t out_bytes, bool store) {
    std::int64_t ld = kNone;
    std::uint32_t as = 0;
    if (in_bytes > 0) {
      as = ra.alloc();
      ld = em.emit(dma(CmdKind::Load, Data::A, Buf::SpadA, as, in_bytes, in_base + static_cast<std::uint64_t>(r0 * in_row)),
                   {ra.reader[as]});
      ra.writer[as] = ld;
    }
    std::uint32_t os = 0;
    if (ce.buf.out_slots > 0 && store) os = rout.alloc();
    std::int64_t last = ld;
    if (vec) {
      Command v;
      v.kind = CmdKind::Vector;
      v.buf = m.out_on_chip ? Buf::Reserved : Buf::SpadOut, v.slot = os;
      v.m0 = r0, v.elems = elems, v.rows = rows, v.ops = ops;
      v.spad_read = in_bytes + kept + (first_vector ? once : 0);
      v.spad_write = store ? out_bytes : 0;
      first_vector = false;
      last = em.emit(v, {ld, once_load, store ? rout.reader[os] : kNone});
    }
    if (ld >= 0) ra.reader[as] = last;
    if (store && !m.out_on_chip) {
      rout.reader[os] = em.emit(dma(CmdKind::Store, Data::Out, Buf::SpadOut, os, out_bytes,
                                    out_base + static_cast<std::uint64_t>(r0 * out_row)),
                                {last});
    } else if (store) {
      rout.reader[os] = last;
    }
  };

  VecOps zero{};
  if (!chunked) {
    const std::int64_t tr = std::min(m.tm, p.M);
    for (std::int64_t r = 0; r < p.M; r += tr) {
      const std::int64_t rows = std::min(tr, p.M - r);
      VecOps ops{};
      for (std::size_t i = 0; i < ops.size(); ++i) ops[i] = L.ops_per_elem[i] * rows * L.row_elems + L.ops_per_row[i] * rows;
      step(p.m0 + r, rows * in_row, m.a_on_chip ? rows * L.in_row_bytes : 0, rows * L.row_elems, rows, ops,
           rows * out_row, true);
    }
  } else {
    const std::int64_t passes = L.whole_rows ? 2 : 1;
    for (std::int64_t r = 0; r < p.M; ++r)
      for (std::int64_t pass = 0; pass < passes; ++pass)
        for (std::int64_t c0 = 0; c0 < L.row_elems; c0 += m.tn) {
          const std::int64_t csz = std::min(m.tn, L.row_elems - c0);
          const std::int64_t in_bytes = (in_row * (c0 + csz)) / L.row_elems - (in_row * c0) / L.row_elems;
          const std::int64_t kept = m.a_on_chip ? (L.in_row_bytes * (c0 + csz)) / L.row_elems -
                                                      (L.in_row_bytes * c0) / L.row_elems
                                                : 0;
          const bool final_pass = pass == passes - 1;
          const bool last_chunk = c0 + csz >= L.row_elems;
          VecOps ops = zero;
          if (final_pass)
            for (std::size_t i = 0; i < ops.size(); ++i)
              ops[i] = L.ops_per_elem[i] * csz + (last_chunk ? L.ops_per_row[i] : 0);
          step(p.m0 + r, in_bytes, kept, final_pass ? csz : 0, final_pass && last_chunk ? 1 : 0, ops, csz * ob,
               final_pass);
        }
  }
}

}  // namespace

LayerSchedule schedule_layer(const CompiledModel& cm, std::size_t li, const std::vector<std::uint64_t>& addr) {
  const CompiledLayer& cl = cm.layers.at(li);
  LayerSchedule s;
  s.layer = static_cast<std::int32_t>(li);
  s.wait_layers = cl.layer.deps;
  const std::vector<CoreProblem> probs = core_problems(cl.layer, cl.mapping.split, cl.mapping.cores);
  for (std::size_t c = 0; c < probs.size(); ++c) {
    CoreProgram prog;
    prog.core = static_cast<std::int32_t>(c);
    Command barrier;
    barrier.kind = CmdKind::Barrier;
    prog.cmds.push_back(barrier);
    if (cl.layer.cls == LayerClass::Gemm)
      gemm_core(cm, cl, probs[c], addr, prog);
    else
      stream_core_program(cm, cl, probs[c], addr, prog);
    s.cores.push_back(std::move(prog));
  }
  return s;
}

Schedule build_schedule(const CompiledModel& cm) {
  Schedule s;
  s.tensor_addr = dram_layout(cm);
  for (std::size_t i = 0; i < cm.layers.size(); ++i) s.layers.push_back(schedule_layer(cm, i, s.tensor_addr));
  return s;
}

ScheduleTotals totals_of(const CompiledModel& cm, const LayerSchedule& s) {
  ScheduleTotals t;
  const std::int64_t ob = cm.ctx.operand_bytes(), accb = cm.ctx.acc_bytes();
  for (const auto& core : s.cores)
    for (const auto& c : core.cmds) {
      ++t.commands;
      t.macs += c.macs();
      const bool to_acc = c.buf == Buf::Acc;
      switch (c.kind) {
        case CmdKind::Load:
          t.dram_read_bytes += c.bytes;
          (to_acc ? t.acc_bytes : t.sram_write_bytes) += c.bytes;
          break;
        case CmdKind::Store:
          t.dram_write_bytes += c.bytes;
          (to_acc ? t.acc_bytes : t.sram_read_bytes) += c.bytes;
          break;
        case CmdKind::Compute: {
          const PeTraffic tr = pe_traffic(cm.ctx.pe, c.tm, c.tn, c.tk, c.tg);
          t.sram_read_bytes += (tr.a + tr.b) * ob;
          t.acc_bytes += tr.acc * accb;
          break;
        }
        case CmdKind::Vector:
          t.sram_read_bytes += c.spad_read;
          t.sram_write_bytes += c.spad_write;
          t.acc_bytes += c.acc_read;
          break;
        case CmdKind::Barrier: break;
      }
      for (std::size_t i = 0; i < t.vector_ops.size(); ++i) t.vector_ops[i] += c.ops[i];
    }
  return t;
}

std::string dump(const CompiledModel& cm, const LayerSchedule& s) {
  const CompiledLayer& cl = cm.layers.at(static_cast<std::size_t>(s.layer));
  std::string out = fmt::format("layer {} '{}' ({}, {} MACs)  {}\n", s.layer, cl.layer.name, workloads::name_of(cl.layer.op),
                                cl.layer.macs, cl.mapping.str());
  if (!s.wait_layers.empty()) {
    out += "  waits for layers";
    for (auto w : s.wait_layers) out += fmt::format(" {}", w);
    out += "\n";
  }
  for (const auto& core : s.cores) {
    const BufferPlan& b = core.buffers;
    out += fmt::format("  core {}: {} commands; scratchpad A {}x{} B, B {}x{} B, out {}x{} B, kept {} B; accumulator {}x{} B\n",
                       core.core, core.cmds.size(), b.a_slots, b.a_slot, b.b_slots, b.b_slot, b.out_slots, b.out_slot,
                       b.reserved_in + b.reserved_out, b.acc_slots, b.acc_slot);
    for (std::size_t i = 0; i < core.cmds.size(); ++i) {
      const Command& c = core.cmds[i];
      std::string what;
      switch (c.kind) {
        case CmdKind::Load:
          what = fmt::format("load    {:<5} {:>10} B  dram@{:#x} -> {}[{}]", name_of(c.data), c.bytes, c.dram_addr,
                             name_of(c.buf), c.slot);
          break;
        case CmdKind::Store:
          what = fmt::format("store   {:<5} {:>10} B  {}[{}] -> dram@{:#x}", name_of(c.data), c.bytes, name_of(c.buf),
                             c.slot, c.dram_addr);
          break;
        case CmdKind::Compute:
          what = fmt::format("compute g{}+{} m{}+{} n{}+{} k{}+{} -> acc[{}]", c.g0, c.tg, c.m0, c.tm, c.n0, c.tn, c.k0,
                             c.tk, c.slot);
          break;
        case CmdKind::Vector:
          what = fmt::format("vector  {} elems ({}/{}/{} ops) -> {}[{}]", c.elems, c.ops[0], c.ops[1], c.ops[2],
                             name_of(c.buf), c.slot);
          break;
        case CmdKind::Barrier: what = "barrier"; break;
      }
      std::string deps;
      for (auto d : core.deps_of(c)) deps += fmt::format(" #{}", d);
      out += fmt::format("    #{:<5} {}{}\n", i, what, deps.empty() ? "" : "   after" + deps);
    }
  }
  return out;
}

}  // namespace npusim::compiler
