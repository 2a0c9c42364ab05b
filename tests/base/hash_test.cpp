#include <gtest/gtest.h>

#include "base/hash.h"

namespace npusim {
namespace {

TEST(Hash, Fnv1a64TestVectorsAndContinuation) {
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(hex64(fnv1a64("a")), "af63dc4c8601ec8c");  // the FNV-1a 64 test vectors
  EXPECT_EQ(hex64(fnv1a64("foobar")), "85944171f73967e8");
  // hashing in pieces is hashing the whole
  EXPECT_EQ(fnv1a64("bar", fnv1a64("foo")), fnv1a64("foobar"));
  static_assert(fnv1a64("") == kFnv1a64Offset);
}

}  // namespace
}  // namespace npusim
