// Whole-file reads and writes with errors a user can act on.
#pragma once

#include <filesystem>
#include <string>

namespace npusim {

// The file's bytes, or throws Error("cannot read 'PATH': reason").
std::string read_file(const std::string& path);
// Writes `text` to `p`, creating its parent folders; throws Error("cannot write 'P'").
void write_text_file(const std::filesystem::path& p, const std::string& text);

}  // namespace npusim
