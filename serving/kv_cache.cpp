#include "serving/kv_cache.h"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

#include "base/error.h"

namespace npusim::serving {

KvCache::KvCache(std::int64_t capacity_tokens, std::int64_t block_size, double watermark, std::int64_t host_blocks)
    : block_size_(block_size) {
  if (block_size < 1) throw Error(fmt::format("block size {}: must be >= 1 token", block_size));
  if (!(watermark >= 0 && watermark < 1)) throw Error(fmt::format("watermark {}: must be in [0, 1)", watermark));
  if (host_blocks < 0) throw Error(fmt::format("host blocks {}: must be >= 0", host_blocks));
  total_ = capacity_tokens / block_size;
  if (total_ < 1)
    throw Error(fmt::format("the KV cache holds {} tokens, less than one block of {}: the replica has no memory "
                            "left for it (more chips per replica, or a chip with more memory)",
                            capacity_tokens, block_size));
  watermark_ = static_cast<std::int64_t>(std::floor(watermark * double(total_)));
  host_total_ = host_blocks;
}

void KvCache::take(std::int64_t blocks) {
  if (blocks < 0 || blocks > free_blocks())
    throw std::logic_error(fmt::format("KvCache::take({}) with {} free", blocks, free_blocks()));
  used_ += blocks;
}

void KvCache::give(std::int64_t blocks) {
  if (blocks < 0 || blocks > used_) throw std::logic_error(fmt::format("KvCache::give({}) with {} used", blocks, used_));
  used_ -= blocks;
}

void KvCache::swap_out(std::int64_t blocks) {
  if (!can_swap_out(blocks)) throw std::logic_error("KvCache::swap_out without host room");
  give(blocks);
  host_used_ += blocks;
}

void KvCache::swap_in(std::int64_t blocks) {
  if (blocks > host_used_) throw std::logic_error("KvCache::swap_in of blocks not on the host");
  take(blocks);
  host_used_ -= blocks;
}

}  // namespace npusim::serving
