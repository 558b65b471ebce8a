#include "lepton/output.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "lepton/error.h"

TEST(Output, WritesLinesToFile) {
  char name[] = "/tmp/lepton-output-XXXXXX";
  close(mkstemp(name));
  {
    lepton::Output out(name);
    out.write_line("{\"a\":1}");
    out.buffer().append("{\"b\":2}");
    out.end_line();
  }
  std::ifstream in(name);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), "{\"a\":1}\n{\"b\":2}\n");
  std::remove(name);
}

TEST(Output, ClosedPipeThrowsBrokenPipe) {
  std::signal(SIGPIPE, SIG_IGN);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  close(fds[0]);
  {
    lepton::Output out(fds[1], "pipe");
    out.set_line_buffered(true);
    EXPECT_THROW(out.write_line("x"), lepton::BrokenPipe);
  }  // the destructor must not throw again
  close(fds[1]);
}

TEST(Output, UnwritablePathIsDataError) { EXPECT_THROW(lepton::Output("/nonexistent/dir/out"), lepton::DataError); }
