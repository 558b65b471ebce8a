#include "lepton/error.h"

#include <gtest/gtest.h>

#include <cstdio>

using namespace lepton;

TEST(Error, FormatsLocationProblemAndExcerpt) {
  EXPECT_EQ(format_data_error({"in.ndjson", 12}, "bad value", "abc\tdef"), "in.ndjson:12: bad value; got abc\\tdef");
  EXPECT_EQ(format_data_error({"<stdin>", 1}, "empty", ""), "<stdin>:1: empty");
}

TEST(Error, ExcerptShortens) {
  EXPECT_EQ(excerpt(std::string(100, 'a'), 5), "aaaaa...");
  EXPECT_EQ(excerpt("\x01"), "\\x01");
}

TEST(Error, OnErrorParsing) {
  EXPECT_EQ(parse_on_error("fail"), OnError::kFail);
  EXPECT_EQ(parse_on_error("skip"), OnError::kSkip);
  EXPECT_THROW(parse_on_error("ignore"), UsageError);
}

TEST(Diagnostics, FailThrowsSkipCounts) {
  char* buf = nullptr;
  std::size_t len = 0;
  FILE* mem = open_memstream(&buf, &len);
  Diagnostics fail("lepton-x", OnError::kFail, mem);
  EXPECT_THROW(fail.bad_record({"f", 3}, "oops", "x"), DataError);
  Diagnostics skip("lepton-x", OnError::kSkip, mem);
  skip.bad_record({"f", 3}, "oops", "x");
  skip.bad_record({"f", 4}, "oops", "y");
  EXPECT_EQ(skip.skipped(), 2u);
  skip.finish();
  skip.warn("careful");
  std::fclose(mem);
  EXPECT_EQ(std::string(buf, len), "lepton-x: skipped 2 bad records\nlepton-x: warning: careful\n");
  free(buf);
}
