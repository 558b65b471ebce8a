#include "lepton/input.h"

#include <gtest/gtest.h>
#include <zstd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "lepton/error.h"

using lepton::LineReader;
using lepton::MultiLineReader;

namespace {
std::string write_temp(const std::string& content) {
  char name[] = "/tmp/lepton-input-XXXXXX";
  int fd = mkstemp(name);
  FILE* f = fdopen(fd, "wb");
  std::fwrite(content.data(), 1, content.size(), f);
  std::fclose(f);
  return name;
}

std::vector<std::string> all_lines(const std::string& path) {
  LineReader r(path);
  std::vector<std::string> out;
  std::string_view line;
  while (r.next(line)) out.emplace_back(line);
  return out;
}

std::string zstd_compress(const std::string& plain) {
  std::string out(ZSTD_compressBound(plain.size()), '\0');
  std::size_t n = ZSTD_compress(out.data(), out.size(), plain.data(), plain.size(), 3);
  out.resize(n);
  return out;
}
}  // namespace

TEST(LineReader, SplitsLinesStripsCrAndKeepsLastLine) {
  std::string p = write_temp("a\r\nbb\n\nccc");
  EXPECT_EQ(all_lines(p), (std::vector<std::string>{"a", "bb", "", "ccc"}));
  std::remove(p.c_str());
}

TEST(LineReader, EmptyFile) {
  std::string p = write_temp("");
  EXPECT_TRUE(all_lines(p).empty());
  std::remove(p.c_str());
}

TEST(LineReader, LinesLongerThanTheBuffer) {
  std::string big(5 << 20, 'x');
  std::string p = write_temp("short\n" + big + "\nend\n");
  auto lines = all_lines(p);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[1].size(), big.size());
  EXPECT_EQ(lines[2], "end");
  std::remove(p.c_str());
}

TEST(LineReader, ManyLinesAcrossBlocks) {
  std::string content;
  for (int i = 0; i < 300000; ++i) content += "{\"i\":" + std::to_string(i) + "}\n";
  std::string p = write_temp(content);
  LineReader r(p);
  std::string_view line;
  int i = 0;
  while (r.next(line)) {
    ASSERT_EQ(line, "{\"i\":" + std::to_string(i) + "}");
    ++i;
  }
  EXPECT_EQ(i, 300000);
  EXPECT_EQ(r.line_number(), 300000u);
  std::remove(p.c_str());
}

TEST(LineReader, TransparentZstdIncludingConcatenatedFrames) {
  std::string plain1, plain2;
  for (int i = 0; i < 50000; ++i) plain1 += "line " + std::to_string(i) + "\n";
  plain2 = "tail 1\ntail 2\n";
  std::string p = write_temp(zstd_compress(plain1) + zstd_compress(plain2));
  LineReader r(p);
  std::string_view line;
  int n = 0;
  std::string last;
  while (r.next(line)) {
    ++n;
    last = line;
  }
  EXPECT_TRUE(r.compressed());
  EXPECT_EQ(n, 50002);
  EXPECT_EQ(last, "tail 2");
  std::remove(p.c_str());
}

TEST(LineReader, TruncatedZstdIsAnError) {
  std::string z = zstd_compress(std::string(100000, 'a') + "\n");
  std::string p = write_temp(z.substr(0, z.size() / 2));
  LineReader r(p);
  std::string_view line;
  EXPECT_THROW(
      {
        while (r.next(line)) {
        }
      },
      lepton::DataError);
  std::remove(p.c_str());
}

TEST(LineReader, MissingFileNamesPath) {
  try {
    LineReader r("/nonexistent/lepton.ndjson");
    FAIL();
  } catch (const lepton::DataError& e) {
    EXPECT_EQ(std::string(e.what()), "/nonexistent/lepton.ndjson: cannot open: No such file or directory");
  }
}

TEST(MultiLineReader, ConcatenatesInputsWithPerFileLineNumbers) {
  std::string a = write_temp("a1\na2\n");
  std::string b = write_temp("b1\n");
  MultiLineReader r({a, b});
  std::string_view line;
  ASSERT_TRUE(r.next(line));
  ASSERT_TRUE(r.next(line));
  EXPECT_EQ(line, "a2");
  EXPECT_EQ(r.source(), a);
  ASSERT_TRUE(r.next(line));
  EXPECT_EQ(line, "b1");
  EXPECT_EQ(r.source(), b);
  EXPECT_EQ(r.line_number(), 1u);
  EXPECT_FALSE(r.next(line));
  std::remove(a.c_str());
  std::remove(b.c_str());
}
