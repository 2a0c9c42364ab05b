// A paged KV cache as vLLM keeps one (Kwon et al., SOSP'23): the replica's KV memory is cut into
// blocks of `block_size` tokens; a sequence holds ceil(tokens / block_size) blocks; a new
// sequence is admitted only while the free blocks stay above a watermark (a fraction of all
// blocks kept for the running sequences to grow into); host memory holds the blocks of swapped
// sequences. Counts only: which physical block holds what does not change any time.
#pragma once

#include <cstdint>

namespace npusim::serving {

class KvCache {
 public:
  // Throws Error for a block size < 1, fewer than one block, or a watermark outside [0, 1).
  KvCache(std::int64_t capacity_tokens, std::int64_t block_size, double watermark, std::int64_t host_blocks);

  std::int64_t block_size() const { return block_size_; }
  std::int64_t total_blocks() const { return total_; }
  std::int64_t free_blocks() const { return total_ - used_; }
  std::int64_t used_blocks() const { return used_; }
  std::int64_t watermark_blocks() const { return watermark_; }
  std::int64_t host_free_blocks() const { return host_total_ - host_used_; }
  std::int64_t host_used_blocks() const { return host_used_; }
  double utilisation() const { return double(used_) / double(total_); }

  std::int64_t blocks_for(std::int64_t tokens) const { return (tokens + block_size_ - 1) / block_size_; }
  // Whether `blocks` more can be taken: for admitting a sequence, leaving the watermark free;
  // for a running sequence growing, down to zero.
  bool can_admit(std::int64_t blocks) const { return free_blocks() - blocks >= watermark_; }
  bool can_grow(std::int64_t blocks) const { return free_blocks() >= blocks; }
  // Whether a sequence of `blocks` could ever be admitted (into an empty cache).
  bool fits_ever(std::int64_t blocks) const { return total_ - blocks >= watermark_; }

  void take(std::int64_t blocks);     // throws std::logic_error when not free (a scheduler bug)
  void give(std::int64_t blocks);
  bool can_swap_out(std::int64_t blocks) const { return host_free_blocks() >= blocks; }
  void swap_out(std::int64_t blocks);  // device -> host
  void swap_in(std::int64_t blocks);   // host -> device (take() must have room)

 private:
  std::int64_t block_size_, total_, watermark_, host_total_;
  std::int64_t used_ = 0, host_used_ = 0;
};

}  // namespace npusim::serving
