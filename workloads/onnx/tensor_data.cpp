// Initializers and Constant tensors: shape and type always, elements when small and numeric.
#include <fmt/format.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "base/checked.h"
#include "base/error.h"
#include "workloads/onnx/importer.h"

namespace npusim::workloads::onnx {

bool is_integer_type(int t) {
  switch (t) {
    case kUint8: case kInt8: case kUint16: case kInt16: case kInt32: case kInt64: case kBool: case kUint32:
    case kUint64: return true;
    default: return false;
  }
}

std::string type_name(int t) {
  switch (t) {
    case kFloat: return "float";
    case kUint8: return "uint8";
    case kInt8: return "int8";
    case kUint16: return "uint16";
    case kInt16: return "int16";
    case kInt32: return "int32";
    case kInt64: return "int64";
    case kString: return "string";
    case kBool: return "bool";
    case kFloat16: return "float16";
    case kDouble: return "double";
    case kUint32: return "uint32";
    case kUint64: return "uint64";
    case kComplex64: return "complex64";
    case kComplex128: return "complex128";
    case kBfloat16: return "bfloat16";
    default: return fmt::format("type {}", t);
  }
}

std::string printable(std::string_view name, std::size_t limit) {
  std::string out;
  for (const char c : name.substr(0, limit)) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) out += fmt::format("\\x{:02x}", u);
    else out += c;
  }
  if (name.size() > limit) out += "...";
  return out;
}

std::int64_t Value::elements() const {
  std::int64_t n = 1;
  for (std::int64_t d : shape) n = checked_mul(n, d, fmt::format("tensor '{}' {}", name, shape_str(shape)));
  return n;
}

std::vector<std::int64_t> Value::ints() const {
  std::vector<std::int64_t> out;
  out.reserve(data.size());
  constexpr double kMax = 9.2e18;
  for (double d : data) {
    if (std::isnan(d)) out.push_back(0);
    else if (d >= kMax) out.push_back(std::numeric_limits<std::int64_t>::max());
    else if (d <= -kMax) out.push_back(std::numeric_limits<std::int64_t>::min());
    else out.push_back(static_cast<std::int64_t>(d));
  }
  return out;
}

namespace {

// Bytes per element in raw_data; 0 for types whose elements are not read.
std::int64_t raw_size(int t) {
  switch (t) {
    case kBool: case kUint8: case kInt8: return 1;
    case kUint16: case kInt16: case kFloat16: case kBfloat16: return 2;
    case kFloat: case kInt32: case kUint32: return 4;
    case kDouble: case kInt64: case kUint64: return 8;
    default: return 0;
  }
}

double half_to_double(std::uint16_t h) {
  const int sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  double v;
  if (exp == 0) v = std::ldexp(mant, -24);
  else if (exp == 31) v = mant ? std::numeric_limits<double>::quiet_NaN() : std::numeric_limits<double>::infinity();
  else v = std::ldexp(mant + 1024, exp - 25);
  return sign ? -v : v;
}

template <class T>
T load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;  // ONNX stores little-endian, as the machines npusim runs on
}

double element(int t, const char* p) {
  switch (t) {
    case kBool: case kUint8: return load<std::uint8_t>(p);
    case kInt8: return load<std::int8_t>(p);
    case kUint16: return load<std::uint16_t>(p);
    case kInt16: return load<std::int16_t>(p);
    case kFloat16: return half_to_double(load<std::uint16_t>(p));
    case kBfloat16: return static_cast<double>(std::bit_cast<float>(std::uint32_t{load<std::uint16_t>(p)} << 16));
    case kFloat: return load<float>(p);
    case kInt32: return load<std::int32_t>(p);
    case kUint32: return load<std::uint32_t>(p);
    case kDouble: return load<double>(p);
    case kInt64: return static_cast<double>(load<std::int64_t>(p));
    case kUint64: return static_cast<double>(load<std::uint64_t>(p));
    default: return 0;
  }
}

// Reads `bytes` bytes at `offset` of an external data file; false (with `why`) when it cannot.
bool read_external(const proto::TensorProto& t, const std::string& base_dir, std::int64_t bytes, std::string& out,
                   std::string& why) {
  std::string location;
  std::int64_t offset = 0, length = -1;
  for (const auto& kv : t.external_data()) {
    try {
      if (kv.key() == "location") location = kv.value();
      else if (kv.key() == "offset") offset = std::stoll(kv.value());
      else if (kv.key() == "length") length = std::stoll(kv.value());
    } catch (const std::exception&) {
      throw Error(fmt::format("external data of '{}': {} '{}' is not a number", t.name(), kv.key(), kv.value()));
    }
  }
  if (location.empty()) throw Error(fmt::format("external data of '{}' names no location", t.name()));
  const std::filesystem::path rel(location);
  if (rel.is_absolute() || location.find("..") != std::string::npos)
    throw Error(fmt::format("external data of '{}': location '{}' must be a path inside the model's folder", t.name(),
                            location));
  if (offset < 0 || (length >= 0 && length < bytes))
    throw Error(fmt::format("external data of '{}': offset {} and length {} do not hold its {} bytes", t.name(), offset,
                            length, bytes));
  if (base_dir.empty()) {
    why = fmt::format("its external data file '{}' is not read here", location);
    return false;
  }
  const std::filesystem::path file = std::filesystem::path(base_dir) / rel;
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    why = fmt::format("its external data file '{}' cannot be read", file.string());
    return false;
  }
  out.resize(static_cast<std::size_t>(bytes));
  in.seekg(offset);
  in.read(out.data(), bytes);
  if (in.gcount() != bytes) {
    why = fmt::format("its external data file '{}' ends before offset {} + {} bytes", file.string(), offset, bytes);
    return false;
  }
  return true;
}

}  // namespace

Value decode_tensor(const proto::TensorProto& t, const std::string& name, const std::string& base_dir) {
  Value v;
  v.name = name;
  v.elem = t.data_type();
  v.is_const = true;
  for (std::int64_t d : t.dims()) {
    if (d < 0) throw Error(fmt::format("tensor '{}' has a negative dimension {}", name, d));
    v.shape.push_back(d);
  }
  const std::int64_t n = v.elements();
  const std::int64_t size = raw_size(v.elem);
  if (size == 0) {
    v.why_no_data = fmt::format("its type {} is not read", type_name(v.elem));
    return v;
  }
  if (n > kMaxConstElements) {
    v.why_no_data = fmt::format("it has {} elements (weights are not read)", n);
    // The sizes of the stored data are still checked where they are at hand.
    if (t.has_raw_data() && static_cast<std::int64_t>(t.raw_data().size()) != n * size)
      throw Error(fmt::format("tensor '{}' {}: raw data has {} bytes, expected {}", name, shape_str(v.shape),
                              t.raw_data().size(), n * size));
    return v;
  }
  const bool external = t.data_location() == proto::TensorProto::EXTERNAL;
  std::string ext;
  const std::string* raw = nullptr;
  if (external) {
    if (!read_external(t, base_dir, n * size, ext, v.why_no_data)) return v;
    raw = &ext;
  } else if (t.has_raw_data()) {
    raw = &t.raw_data();
  }
  v.data.reserve(static_cast<std::size_t>(n));
  if (raw) {
    if (static_cast<std::int64_t>(raw->size()) != n * size)
      throw Error(fmt::format("tensor '{}' {}: raw data has {} bytes, expected {}", name, shape_str(v.shape),
                              raw->size(), n * size));
    for (std::int64_t i = 0; i < n; ++i) v.data.push_back(element(v.elem, raw->data() + i * size));
  } else {
    auto take = [&](const auto& field) {
      if (static_cast<std::int64_t>(field.size()) != n)
        throw Error(fmt::format("tensor '{}' {} of type {}: {} stored elements, expected {}", name, shape_str(v.shape),
                                type_name(v.elem), field.size(), n));
      for (auto x : field) v.data.push_back(static_cast<double>(x));
    };
    switch (v.elem) {
      case kFloat: take(t.float_data()); break;
      case kDouble: take(t.double_data()); break;
      case kInt64: take(t.int64_data()); break;
      case kUint32: case kUint64: take(t.uint64_data()); break;
      case kFloat16: case kBfloat16: {
        take(t.int32_data());
        for (double& d : v.data) {
          const auto bits = static_cast<std::uint16_t>(static_cast<std::int64_t>(d));
          d = v.elem == kFloat16 ? half_to_double(bits)
                                 : static_cast<double>(std::bit_cast<float>(std::uint32_t{bits} << 16));
        }
        break;
      }
      default: take(t.int32_data()); break;
    }
  }
  v.has_data = true;
  return v;
}

}  // namespace npusim::workloads::onnx
