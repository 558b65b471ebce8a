#include "lepton/seal/io.h"

#include <zstd.h>

#include <memory>

#include <gtest/gtest.h>

#include "lepton/error.h"

using namespace lepton::seal;

namespace {

std::string zstd_of(const std::string& s) {
  std::string z(ZSTD_compressBound(s.size()), '\0');
  z.resize(ZSTD_compress(z.data(), z.size(), s.data(), s.size(), 3));
  return z;
}

std::string drain(ByteSource& src) {
  std::string out;
  char buf[7];
  while (std::size_t n = src.read(buf, sizeof buf)) out.append(buf, n);
  return out;
}

TEST(SealIo, ChainSourceReadsInputsInTurnAndDecodesZstd) {
  std::string a = "first\nfile\n", b = std::string(100000, 'z') + "\n", c = "tail without newline";
  std::string zb = zstd_of(b);
  std::vector<std::unique_ptr<ByteSource>> v;
  v.push_back(std::make_unique<MemorySource>(a, "a"));
  v.push_back(std::make_unique<MemorySource>(zb, "b.zst"));
  v.push_back(std::make_unique<MemorySource>(c, "c"));
  ChainSource chain(std::move(v));
  EXPECT_EQ(drain(chain), a);
  EXPECT_EQ(chain.name(), "a");
  ASSERT_TRUE(chain.advance());
  EXPECT_EQ(chain.current(), 1u);
  EXPECT_EQ(drain(chain), b);
  ASSERT_TRUE(chain.advance());
  EXPECT_EQ(drain(chain), c);
  EXPECT_FALSE(chain.advance());
  EXPECT_EQ(chain.name_of(1), "b.zst");
}

TEST(SealIo, TruncatedZstdIsAnError) {
  std::string z = zstd_of(std::string(5000, 'q'));
  std::string cut = z.substr(0, z.size() - 3);
  std::vector<std::unique_ptr<ByteSource>> v;
  v.push_back(std::make_unique<MemorySource>(cut, "cut.zst"));
  ChainSource chain(std::move(v));
  EXPECT_THROW(drain(chain), lepton::DataError);
}

TEST(SealIo, BufferedReaderTracksOffsets) {
  std::string data;
  for (int i = 0; i < 5000; ++i) data += static_cast<char>(i % 251);
  MemorySource src(data);
  BufferedReader br(src, 64);
  ASSERT_EQ(br.fill(10), 10u);
  EXPECT_EQ(std::string(br.data(), 10), data.substr(0, 10));
  br.consume(10);
  EXPECT_EQ(br.offset(), 10u);
  ASSERT_EQ(br.fill(1000), 1000u);  // larger than the block: the buffer grows
  EXPECT_EQ(std::string(br.data(), 1000), data.substr(10, 1000));
  br.consume(1000);
  EXPECT_EQ(br.fill(10000), 3990u);  // fewer only at the end
  br.consume(3990);
  EXPECT_TRUE(br.at_end());
  EXPECT_EQ(br.offset(), 5000u);
}

TEST(SealIo, FdSourceNamesMissingFiles) {
  try {
    FdSource src("/nonexistent/seal.lseal");
    FAIL();
  } catch (const lepton::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/seal.lseal: cannot open"), std::string::npos);
  }
}

}  // namespace
