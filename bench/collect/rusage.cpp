// bench_collect_rusage: runs a command with stdout on /dev/null and prints
// "user_seconds sys_seconds maxrss_kib" from wait4(2). A small C++ program,
// because the kernel folds the parent's resident size into the child's
// maxrss at exec: a Python or bash wrapper would report its own size.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_collect_rusage COMMAND [ARG...]\n");
    return 2;
  }
  pid_t pid = fork();
  if (pid < 0) return 1;
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    execvp(argv[1], argv + 1);
    _exit(127);
  }
  int status = 0;
  rusage ru{};
  if (wait4(pid, &status, 0, &ru) != pid) return 1;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "bench_collect_rusage: %s failed\n", argv[1]);
    return 1;
  }
  std::printf("%ld.%06ld %ld.%06ld %ld\n", static_cast<long>(ru.ru_utime.tv_sec),
              static_cast<long>(ru.ru_utime.tv_usec), static_cast<long>(ru.ru_stime.tv_sec),
              static_cast<long>(ru.ru_stime.tv_usec), ru.ru_maxrss);
  return 0;
}
