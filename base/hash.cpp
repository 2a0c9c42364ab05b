#include "base/hash.h"

#include <fmt/format.h>

namespace npusim {

std::string hex64(std::uint64_t h) { return fmt::format("{:016x}", h); }

}  // namespace npusim
