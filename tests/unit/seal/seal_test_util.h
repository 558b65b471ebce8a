// Helpers shared by the lepton-seal unit tests.
#pragma once

#include <fstream>
#include <iterator>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "lepton/seal/io.h"
#include "lepton/seal/keys.h"
#include "lepton/seal/sealed.h"

namespace seal_test {

inline std::string fixture(const std::string& rel) { return std::string(LEPTON_TEST_FIXTURES) + "/seal/" + rel; }

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

/// The committed test identities (parsed directly: git does not keep 0600).
inline lepton::seal::Identity vector_identity(const std::string& name = "identity") {
  return lepton::seal::parse_identity(read_file(fixture("vector/" + name + ".key")), name);
}

/// Deterministic text that compresses poorly, so small inputs make many chunks.
inline std::string noisy_text(std::size_t lines, std::uint64_t seed = 1) {
  std::string s;
  std::uint64_t x = seed * 0x9e3779b97f4a7c15ULL + 1;
  for (std::size_t i = 0; i < lines; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    s += "{\"ts\":" + std::to_string(1763769600 + i) + ",\"metric\":\"m\",\"value\":" + std::to_string(x % 100000000) +
         "." + std::to_string((x >> 20) % 1000000) + "}\n";
  }
  return s;
}

inline std::string seal_bytes(const std::string& plain, const std::vector<lepton::seal::PublicKey>& to,
                              std::size_t chunk = 1024, int level = 3) {
  lepton::seal::MemorySource in(plain, "plain");
  lepton::seal::StringSink out;
  lepton::seal::SealOptions o;
  o.recipients = to;
  o.chunk_size = chunk;
  o.level = level;
  lepton::seal::seal_stream(in, out, o);
  return out.data;
}

struct Opened {
  std::string out;
  std::optional<lepton::seal::OpenProblem> problem;
  std::uint64_t chunk = 0;
  std::uint64_t offset = 0;
  std::string message;
};

inline Opened open_bytes(const std::string& sealed, const lepton::seal::Identity& id) {
  lepton::seal::MemorySource in(sealed, "in.lseal");
  lepton::seal::StringSink out;
  Opened r;
  try {
    lepton::seal::open_stream(in, out, id);
  } catch (const lepton::seal::OpenError& e) {
    r.problem = e.problem();
    r.chunk = e.chunk();
    r.offset = e.offset();
    r.message = e.what();
  }
  r.out = out.data;
  return r;
}

}  // namespace seal_test
