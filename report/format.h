// Numbers and names as the text reports print them.
#pragma once

#include <cstddef>
#include <string>

namespace npusim::report {

std::string human_bytes(double bytes);  // 1.5 MiB
std::string human_count(double n);      // 4.09G, 25.6M
std::string human_seconds(double s);    // 1.23 s, 45.6 ms, 7.89 us
// `s` cut to `width` characters, the last replaced by "~" when cut.
std::string fit(const std::string& s, std::size_t width);

}  // namespace npusim::report
