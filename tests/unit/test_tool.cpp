#include "lepton/tool.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

// A pseudo-terminal: `err` writes to its terminal side, read() returns what
// arrived on the other side so far.
class Pty {
 public:
  explicit Pty(unsigned short columns = 80) {
    master_ = ::posix_openpt(O_RDWR | O_NOCTTY);
    if (master_ < 0 || ::grantpt(master_) != 0 || ::unlockpt(master_) != 0) return;
    int slave = ::open(::ptsname(master_), O_RDWR | O_NOCTTY);
    if (slave < 0) return;
    termios t{};
    ::tcgetattr(slave, &t);
    ::cfmakeraw(&t);
    ::tcsetattr(slave, TCSANOW, &t);
    winsize ws{};
    ws.ws_col = columns;
    ws.ws_row = 24;
    ::ioctl(slave, TIOCSWINSZ, &ws);
    err = ::fdopen(slave, "w");
  }
  ~Pty() {
    if (err) std::fclose(err);
    if (master_ >= 0) ::close(master_);
  }
  // Everything written so far: waits up to a second for the first bytes,
  // then until the terminal has been quiet for 50 ms.
  std::string read() {
    std::string got;
    char buf[4096];
    pollfd pfd{master_, POLLIN, 0};
    while (::poll(&pfd, 1, got.empty() ? 1000 : 50) > 0) {
      ssize_t n = ::read(master_, buf, sizeof buf);
      if (n <= 0) break;
      got.append(buf, static_cast<std::size_t>(n));
    }
    return got;
  }
  std::FILE* err = nullptr;

 private:
  int master_ = -1;
};

}  // namespace

TEST(Progress, SilentWhenNotATerminal) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    lepton::Progress p("work", 10, f);
    EXPECT_FALSE(p.active());
    for (int i = 0; i <= 10; ++i) p.update(static_cast<std::uint64_t>(i));
    p.finish();
  }
  EXPECT_EQ(std::ftell(f), 0);
  std::fclose(f);
}

TEST(Progress, NeverOnStandardOutput) {
  lepton::Progress p("work", 10, stdout);
  EXPECT_FALSE(p.active());
}

TEST(Progress, DrawsOnATerminalAndClearsItsLine) {
  Pty pty;
  if (!pty.err) GTEST_SKIP() << "no pseudo-terminal";
  lepton::Progress p("work", 200, pty.err);
  ASSERT_TRUE(p.active());
  p.update(0);
  // Within a tenth of a second: not drawn again, except for the end, once.
  p.update(199);
  p.update(200);
  p.update(200);
  p.finish();
  p.finish();
  const std::string start = "\rwork [                              ] 0/200 (0%)";
  const std::string end = "\rwork [##############################] 200/200 (100%)";
  EXPECT_EQ(pty.read(), start + end + "\r" + std::string(end.size() - 1, ' ') + "\r");
}

TEST(Progress, PercentRoundsDown) {
  Pty pty;
  if (!pty.err) GTEST_SKIP() << "no pseudo-terminal";
  lepton::Progress p("work", 1000, pty.err);
  p.update(999);
  EXPECT_NE(pty.read().find("999/1000 (99%)"), std::string::npos);
}

TEST(Progress, FitsANarrowTerminal) {
  Pty pty(40);
  if (!pty.err) GTEST_SKIP() << "no pseudo-terminal";
  lepton::Progress p("a rather long label", 123456, pty.err);
  p.update(1000);
  std::string got = pty.read();
  EXPECT_LE(got.size(), 40u);  // "\r" and at most 39 columns
  EXPECT_NE(got.find("1000/123456 (0%)"), std::string::npos);
}

TEST(Progress, TotalCanChange) {
  Pty pty;
  if (!pty.err) GTEST_SKIP() << "no pseudo-terminal";
  lepton::Progress p("work", 100, pty.err);
  p.update(10, 20);
  EXPECT_NE(pty.read().find("10/20 (50%)"), std::string::npos);
}

TEST(Progress, DrawsAgainAfterATenthOfASecond) {
  Pty pty;
  if (!pty.err) GTEST_SKIP() << "no pseudo-terminal";
  lepton::Progress p("work", 100, pty.err);
  p.update(1);
  ::usleep(120'000);
  p.update(2);
  std::string got = pty.read();
  EXPECT_NE(got.find("1/100 (1%)"), std::string::npos);
  EXPECT_NE(got.find("2/100 (2%)"), std::string::npos);
}
