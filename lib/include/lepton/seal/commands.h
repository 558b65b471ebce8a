// The subcommands of lepton-seal as library calls: main() parses options
// into these structs and runs them inside guarded_main. Each returns the
// exit status (0 ok, 1 data/verification failure) and throws DataError or
// UsageError like the rest of lepton.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace lepton::seal {

struct KeygenCommand {
  std::string output;  ///< identity file to create (mode 0600)
};
/// Writes a new identity and prints its public string on `out`.
int run_keygen(const KeygenCommand& c, std::FILE* out = stdout);

struct SealCommand {
  std::vector<std::string> recipients;       ///< -r: public strings or files of them
  std::vector<std::string> recipient_files;  ///< -R: files of public strings
  std::string input = "-";
  std::string output = "-";
  int level = 3;
  int threads = 2;  ///< zstd worker threads
  std::string chunk_size = "64K";
  std::string flush_every;  ///< duration text; empty = off
};
int run_seal(const SealCommand& c);

struct OpenCommand {
  std::string identity;
  std::string input = "-";
  std::string output = "-";
};
int run_open(const OpenCommand& c);

struct SignCommand {
  std::string identity;
  std::vector<std::string> inputs;
  std::string output = "-";
  std::uint64_t every = 1000;
  std::string interval;  ///< duration text; empty = off
  std::uint32_t group = 16;
  bool forward_secure = false;
  bool line_buffered = false;
};
int run_sign(const SignCommand& c);

struct VerifyCommand {
  std::string key;  ///< public string or a file holding one
  std::vector<std::string> inputs;
  bool quiet = false;
};
/// Prints a `{"kind":"verification",...}` record on `out` (unless quiet)
/// and, on failure, `lepton-seal: error: <file:line>: <problem>` on `err`.
int run_verify(const VerifyCommand& c, std::FILE* out = stdout, std::FILE* err = stderr);

struct RedactCommand {
  std::vector<std::string> inputs;
  std::string output = "-";
  std::string on_error = "fail";
  bool line_buffered = false;
  std::vector<std::string> drop;          ///< comma-separated field lists
  std::vector<std::string> pseudonymize;  ///< comma-separated field lists
  std::string key;
  std::vector<std::string> noise;  ///< FIELD:epsilon=E:sensitivity=S
};
int run_redact(const RedactCommand& c);

/// Parses a size such as 65536, 64K or 1M (binary units).
std::size_t parse_size(const std::string& text, const std::string& option);

}  // namespace lepton::seal
