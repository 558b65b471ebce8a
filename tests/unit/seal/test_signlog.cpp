// sign/verify: records pass through unchanged; every edit, insertion,
// deletion, reordering and cut is found and located; forward security.
#include "lepton/seal/signlog.h"

#include <sodium.h>
#include <zstd.h>

#include <cstring>
#include <filesystem>
#include <memory>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "lepton/error.h"
#include "seal/seal_test_util.h"

using namespace lepton::seal;

namespace {

// Returns at most `step` bytes per read and says "not ready" after each
// read, so the scanner works in tiny batches and groups cross batches.
class TrickleSource : public ByteSource {
 public:
  TrickleSource(std::string_view data, std::size_t step) : data_(data), step_(step) {}
  std::size_t read(char* dst, std::size_t cap) override {
    std::size_t n = std::min({cap, step_, data_.size() - pos_});
    std::memcpy(dst, data_.data() + pos_, n);
    pos_ += n;
    ready_ = false;
    return n;
  }
  bool wait_readable(double) override {
    bool r = ready_;
    ready_ = true;
    return r;
  }
  const std::string& name() const override { return name_; }

 private:
  std::string_view data_;
  std::size_t step_, pos_ = 0;
  bool ready_ = true;
  std::string name_ = "trickle";
};

// A memory source that owns its bytes.
class OwnedSource : public ByteSource {
 public:
  OwnedSource(std::string data, std::string name) : data_(std::move(data)), src_(data_, std::move(name)) {}
  std::size_t read(char* dst, std::size_t cap) override { return src_.read(dst, cap); }
  bool wait_readable(double s) override { return src_.wait_readable(s); }
  const std::string& name() const override { return src_.name(); }

 private:
  std::string data_;
  MemorySource src_;
};

std::vector<std::unique_ptr<ByteSource>> sources(const std::vector<std::pair<std::string, std::string>>& files) {
  std::vector<std::unique_ptr<ByteSource>> v;
  for (const auto& [name, text] : files) v.push_back(std::make_unique<OwnedSource>(text, name));
  return v;
}

std::string sign_text(const std::string& text, Identity& id, SignOptions o = {}) {
  ChainSource in(sources({{"in", text}}));
  StringSink out;
  sign_log(in, out, id, o);
  return out.data;
}

VerifyReport verify_files(const std::vector<std::pair<std::string, std::string>>& files, const PublicKey& key) {
  ChainSource in(sources(files));
  return verify_log(in, key);
}

VerifyReport verify_text(const std::string& text, const PublicKey& key) { return verify_files({{"log", text}}, key); }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string l;
  while (std::getline(in, l)) out.push_back(l + "\n");
  return out;
}

std::string join(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l;
  return s;
}

std::string events(int n, int seed = 0) {
  std::string s;
  for (int i = 0; i < n; ++i)
    s += "{\"ts\":" + std::to_string(1763769600 + i) + ",\"kind\":\"event\",\"user\":\"u" + std::to_string(i % 7) +
         "\",\"seq\":" + std::to_string(i + seed) + "}\n";
  return s;
}

std::string data_only(const std::string& signed_text) {
  std::string s;
  for (const auto& l : lines_of(signed_text))
    if (!is_checkpoint_line(l)) s += l;
  return s;
}

// Parses "log:A-B" or "log:A" into [A, B].
std::pair<std::uint64_t, std::uint64_t> span(const std::string& where) {
  auto colon = where.rfind(':');
  std::string r = where.substr(colon + 1);
  auto dash = r.find('-');
  if (dash == std::string::npos) return {std::stoull(r), std::stoull(r)};
  return {std::stoull(r.substr(0, dash)), std::stoull(r.substr(dash + 1))};
}

class SignLog : public ::testing::Test {
 protected:
  void SetUp() override {
    id = generate_identity();
    opts.every_lines = 10;
    opts.group = 4;
    text = events(47);
    signed_text = sign_text(text, id, opts);
    lines = lines_of(signed_text);
  }
  bool is_cp(std::size_t i) const { return is_checkpoint_line(lines[i]); }

  Identity id;
  SignOptions opts;
  std::string text, signed_text;
  std::vector<std::string> lines;
};

TEST_F(SignLog, RecordsPassThroughAndVerify) {
  EXPECT_EQ(data_only(signed_text), text);
  // Opening checkpoint, one per 10 records, the final one.
  EXPECT_EQ(lines.size(), 47u + 1 + 4 + 1);
  EXPECT_TRUE(is_cp(0));
  EXPECT_TRUE(is_cp(lines.size() - 1));
  EXPECT_NE(lines.back().find("\"final\":true"), std::string::npos);
  VerifyReport r = verify_text(signed_text, id.pub);
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.records, 47u);
  EXPECT_EQ(r.checkpoints, 6u);
  EXPECT_EQ(r.chains, 1u);
  EXPECT_TRUE(r.final);
  EXPECT_FALSE(r.forward_secure);
}

TEST_F(SignLog, BytesAreKeptExactly) {
  std::string odd = "plain text\r\n\n{\"a\":\"\xc3\xa9\"}\r\n   \nlast line without newline";
  std::string out = sign_text(odd, id, opts);
  EXPECT_EQ(data_only(out), odd + "\n");
  EXPECT_TRUE(verify_text(out, id.pub).ok);
  std::string empty = sign_text("", id, opts);
  EXPECT_EQ(lines_of(empty).size(), 2u);
  VerifyReport r = verify_text(empty, id.pub);
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.records, 0u);
}

TEST_F(SignLog, WrongKeyFails) {
  VerifyReport r = verify_text(signed_text, generate_identity().pub);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.kind, "bad-signature");
  EXPECT_EQ(r.where, "log:1");
}

TEST_F(SignLog, EveryEditIsLocated) {
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto edited = lines;
    std::size_t at = edited[i].find("u") != std::string::npos && !is_cp(i) ? edited[i].find("\"u") + 2 : 30;
    edited[i][at] = edited[i][at] == '1' ? '2' : '1';
    VerifyReport r = verify_text(join(edited), id.pub);
    ASSERT_FALSE(r.ok) << "edit of line " << i + 1 << " not found";
    if (is_cp(i)) {
      EXPECT_TRUE(r.kind == "bad-signature" || r.kind == "bad-checkpoint") << r.kind << " " << r.problem;
      EXPECT_EQ(r.where, "log:" + std::to_string(i + 1));
    } else {
      EXPECT_EQ(r.kind, "changed") << r.problem;
      auto [a, b] = span(r.where);
      EXPECT_LE(a, i + 1);
      EXPECT_GE(b, i + 1);
      EXPECT_LE(b - a, 3u);  // one group of 4
    }
  }
}

TEST_F(SignLog, GroupOfOneNamesTheExactRecord) {
  opts.group = 1;
  auto ls = lines_of(sign_text(text, id, opts));
  for (std::size_t i = 0; i < ls.size(); ++i) {
    if (is_checkpoint_line(ls[i])) continue;
    auto edited = ls;
    edited[i].insert(1, " ");
    VerifyReport r = verify_text(join(edited), id.pub);
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.kind, "changed");
    EXPECT_EQ(r.where, "log:" + std::to_string(i + 1));
    EXPECT_NE(r.problem.find("record changed"), std::string::npos) << r.problem;
  }
}

TEST_F(SignLog, EveryInsertionIsLocated) {
  for (std::size_t i = 0; i <= lines.size(); ++i) {
    auto edited = lines;
    edited.insert(edited.begin() + static_cast<long>(i), "{\"injected\":true}\n");
    VerifyReport r = verify_text(join(edited), id.pub);
    ASSERT_FALSE(r.ok) << "insertion at " << i + 1;
    if (i == 0) {
      EXPECT_EQ(r.kind, "unsigned-head");
      EXPECT_EQ(r.where, "log:1");
    } else if (i == lines.size()) {
      EXPECT_EQ(r.kind, "unsigned-tail");
      EXPECT_EQ(r.where, "log:" + std::to_string(i + 1));
    } else {
      EXPECT_EQ(r.kind, "inserted") << r.problem;
      auto [a, b] = span(r.where);
      EXPECT_LE(a, i + 1);
      EXPECT_GE(b, i + 1);
    }
  }
}

TEST_F(SignLog, EveryDeletionIsLocated) {
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto edited = lines;
    edited.erase(edited.begin() + static_cast<long>(i));
    VerifyReport r = verify_text(join(edited), id.pub);
    ASSERT_FALSE(r.ok) << "deletion of line " << i + 1;
    if (is_cp(i)) {
      std::set<std::string> kinds = {"checkpoint-order", "head-cut", "cut", "unsigned-head", "unsigned-tail"};
      EXPECT_TRUE(kinds.count(r.kind)) << r.kind << ": " << r.problem;
      if (i > 0 && i + 1 < lines.size()) {
        EXPECT_EQ(r.kind, "checkpoint-order") << r.problem;
        EXPECT_NE(r.problem.find("deleted"), std::string::npos);
      }
    } else {
      EXPECT_EQ(r.kind, "deleted") << r.problem;
      auto [a, b] = span(r.where);
      // The first difference is at the line after the gap, or the one before a checkpoint.
      EXPECT_LE(a, i + 1);
      EXPECT_GE(b + 1, i);
    }
  }
}

TEST_F(SignLog, ReorderedRecordsAndCheckpoints) {
  // Two records in one segment.
  auto edited = lines;
  std::swap(edited[2], edited[7]);
  VerifyReport r = verify_text(join(edited), id.pub);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.kind, "changed");
  EXPECT_EQ(span(r.where).first, 2u);
  // Two records across segments.
  edited = lines;
  std::swap(edited[5], edited[16]);
  r = verify_text(join(edited), id.pub);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.kind, "changed");
  // Two checkpoints (lines 12 and 23, sequence 1 and 2).
  ASSERT_TRUE(is_cp(11));
  ASSERT_TRUE(is_cp(22));
  edited = lines;
  std::swap(edited[11], edited[22]);
  r = verify_text(join(edited), id.pub);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.kind, "checkpoint-order");
  EXPECT_EQ(r.where, "log:12");
  EXPECT_NE(r.problem.find("checkpoint 2 where 1 was expected"), std::string::npos) << r.problem;
  // A duplicated checkpoint.
  edited = lines;
  edited.insert(edited.begin() + 12, lines[11]);
  r = verify_text(join(edited), id.pub);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.kind, "checkpoint-order");
  EXPECT_EQ(r.where, "log:13");
  EXPECT_NE(r.problem.find("checkpoint 1 appears again where 2 was expected"), std::string::npos) << r.problem;
}

TEST_F(SignLog, ForgedAndForeignCheckpoints) {
  // A checkpoint signed by somebody else.
  Identity mallory = generate_identity();
  std::string forged = sign_text(events(10), mallory, opts);
  auto forged_lines = lines_of(forged);
  auto edited = lines;
  edited[11] = forged_lines[11];
  VerifyReport r = verify_text(join(edited), id.pub);
  ASSERT_FALSE(r.ok);
  EXPECT_TRUE(r.kind == "foreign-checkpoint" || r.kind == "bad-signature") << r.kind;
  // A genuine checkpoint from another log of the same signer.
  std::string other = sign_text(events(47, 1000), id, opts);
  edited = lines;
  edited[22] = lines_of(other)[22];
  r = verify_text(join(edited), id.pub);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.kind, "foreign-checkpoint");
  EXPECT_EQ(r.where, "log:23");
}

TEST_F(SignLog, EveryCutIsReported) {
  for (std::size_t keep = 0; keep < lines.size(); ++keep) {
    std::vector<std::string> head(lines.begin(), lines.begin() + static_cast<long>(keep));
    VerifyReport r = verify_text(join(head), id.pub);
    ASSERT_FALSE(r.ok) << "cut after " << keep << " lines";
    std::string want = keep == 0 ? "no-checkpoint" : is_cp(keep - 1) ? "cut" : "unsigned-tail";
    EXPECT_EQ(r.kind, want) << r.problem;
    if (keep > 0 && is_cp(keep - 1)) {
      EXPECT_EQ(r.where, "log:" + std::to_string(keep));
      EXPECT_NE(r.problem.find("cut after this checkpoint"), std::string::npos);
    }
    // Cut in the middle of the next line too.
    std::string partial = join(head) + lines[keep].substr(0, lines[keep].size() / 2);
    r = verify_text(partial, id.pub);
    ASSERT_FALSE(r.ok);
    if (is_cp(keep)) {
      EXPECT_EQ(r.kind, "cut") << r.problem;
      EXPECT_NE(r.problem.find("cut inside this checkpoint"), std::string::npos);
    }
  }
  EXPECT_TRUE(verify_text(join(lines), id.pub).ok);
}

TEST_F(SignLog, HeadCutIsReported) {
  std::vector<std::string> tail(lines.begin() + 12, lines.end());
  VerifyReport r = verify_text(join(tail), id.pub);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.kind, "unsigned-head");
  std::vector<std::string> from_cp(lines.begin() + 11, lines.end());
  r = verify_text(join(from_cp), id.pub);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.kind, "head-cut");
  EXPECT_NE(r.problem.find("the log starts at checkpoint 1"), std::string::npos);
}

TEST_F(SignLog, AppendedRunsAreSeparateChains) {
  std::string second = sign_text(events(5, 50), id, opts);
  VerifyReport r = verify_text(signed_text + second, id.pub);
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.chains, 2u);
  EXPECT_EQ(r.records, 52u);
  // A first run cut before its end, then another run.
  std::string cut = join(std::vector<std::string>(lines.begin(), lines.begin() + 23));
  r = verify_text(cut + second, id.pub);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.kind, "cut");
  EXPECT_EQ(r.where, "log:24");
  // Lines appended after the final checkpoint.
  r = verify_text(signed_text + "{\"late\":1}\n", id.pub);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.kind, "unsigned-tail");
  EXPECT_NE(r.problem.find("after the final checkpoint"), std::string::npos);
}

TEST_F(SignLog, RotatedFilesVerifyTogether) {
  std::string a = join(std::vector<std::string>(lines.begin(), lines.begin() + 17));
  std::string b = join(std::vector<std::string>(lines.begin() + 17, lines.end()));
  VerifyReport r = verify_files({{"audit.log.1", a}, {"audit.log", b}}, id.pub);
  EXPECT_TRUE(r.ok) << r.problem;
  auto edited = lines_of(b);
  edited[2][5] = 'X';
  r = verify_files({{"audit.log.1", a}, {"audit.log", join(edited)}}, id.pub);
  ASSERT_FALSE(r.ok);
  // The group holding the edit starts in the older file.
  EXPECT_EQ(r.where, "audit.log.1:17 to audit.log:3");
  // A zstd-compressed rotated file.
  std::string z(ZSTD_compressBound(a.size()), '\0');
  z.resize(ZSTD_compress(z.data(), z.size(), a.data(), a.size(), 3));
  r = verify_files({{"audit.log.1.zst", z}, {"audit.log", b}}, id.pub);
  EXPECT_TRUE(r.ok) << r.problem;
}

TEST_F(SignLog, InputThatIsAlreadySignedIsRefused) {
  try {
    sign_text(signed_text, id, opts);
    FAIL() << "no error";
  } catch (const lepton::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("in:1: input already holds a checkpoint record"), std::string::npos)
        << e.what();
  }
}

TEST_F(SignLog, SmallBatchesGiveTheSameDigests) {
  // Long input read in tiny pieces: groups and segments cross batches.
  std::string big = events(3000);
  opts.every_lines = 1000;
  opts.group = 16;
  std::string normal = sign_text(big, id, opts);
  std::vector<std::unique_ptr<ByteSource>> v;
  v.push_back(std::make_unique<TrickleSource>(big, 333));
  ChainSource in(std::move(v));
  StringSink out;
  sign_log(in, out, id, opts);
  auto digests = [](const std::string& s) {
    std::string d;
    for (const auto& l : lines_of(s))
      if (is_checkpoint_line(l)) d += l.substr(l.find("\"lines\""), l.find("\"prev\"") - l.find("\"lines\"")) + "\n";
    return d;
  };
  EXPECT_EQ(digests(normal), digests(out.data));
  EXPECT_EQ(data_only(out.data), big);
  std::vector<std::unique_ptr<ByteSource>> w;
  w.push_back(std::make_unique<TrickleSource>(out.data, 101));
  ChainSource vin(std::move(w));
  VerifyReport r = verify_log(vin, id.pub);
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.records, 3000u);
}

TEST_F(SignLog, HugeLinesAndSegmentsSpanningBatches) {
  std::string big;
  for (int i = 0; i < 40; ++i)
    big += "{\"blob\":\"" + std::string(static_cast<std::size_t>(100000 + i * 7919), 'x') + "\"}\n";
  opts.every_lines = 0;  // one segment
  opts.group = 3;
  std::string out = sign_text(big, id, opts);
  VerifyReport r = verify_text(out, id.pub);
  EXPECT_TRUE(r.ok) << r.problem;
  auto ls = lines_of(out);
  ls[30][50000] = 'y';
  r = verify_text(join(ls), id.pub);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.where, "log:29-31");
}

TEST(SignLogForward, KeysEvolveAndOldOnesAreGone) {
  Identity id = generate_identity();
  PublicKey pub = id.pub;
  SignOptions o;
  o.every_lines = 5;
  o.group = 2;
  o.forward_secure = true;
  std::string run1 = sign_text(events(12), id, o);
  EXPECT_FALSE(id.sign_seed);  // the root key is erased
  ASSERT_TRUE(id.forward);
  EXPECT_EQ(id.forward->seq, 4u);  // checkpoints 0 (opening), 1, 2 and 3 (final) are used
  for (const auto& l : lines_of(run1)) {
    if (is_checkpoint_line(l)) {
      EXPECT_NE(l.find("\"next\":"), std::string::npos);
    }
  }
  VerifyReport r = verify_text(run1, pub);
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_TRUE(r.forward_secure);

  // The chain continues in a second run; the two files verify as one.
  std::string run2 = sign_text(events(7, 100), id, o);
  r = verify_files({{"run1", run1}, {"run2", run2}}, pub);
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.chains, 1u);
  r = verify_text(run2, pub);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.kind, "head-cut");

  // Without --forward-secure the evolved identity cannot sign.
  SignOptions plain = o;
  plain.forward_secure = false;
  EXPECT_THROW(sign_text("x\n", id, plain), lepton::DataError);

  // A thief with today's key re-signs yesterday's checkpoint 1 after
  // changing a record: the signature does not verify.
  auto ls = lines_of(run1);
  ASSERT_TRUE(is_checkpoint_line(ls[6]));
  std::string err;
  auto cp = parse_checkpoint(ls[6], err);
  ASSERT_TRUE(cp) << err;
  std::string prefix = ls[6].substr(0, cp->signed_prefix);
  std::string msg = "lepton-seal checkpoint v1\n" + prefix;
  std::uint8_t pk[32], sk[64], sig[64];
  crypto_sign_seed_keypair(pk, sk, id.forward->seed.bytes.data());
  crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), sk);
  ls[6] = prefix + ",\"sig\":\"" + detail::b64(sig, 64) + "\"}\n";
  r = verify_text(join(ls), pub);
  ASSERT_FALSE(r.ok);
  EXPECT_EQ(r.kind, "bad-signature");
  EXPECT_EQ(r.where, "log:7");
}

TEST(SignLogForward, IdentityFileIsUpdatedEachCheckpoint) {
  char tmpl[] = "/tmp/seal_fs_XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  std::string path = dir + "/id.key";
  Identity id = generate_identity();
  create_identity_file(path, id);
  SignOptions o;
  o.every_lines = 3;
  o.forward_secure = true;
  o.identity_path = path;
  std::string out = sign_text(events(9), id, o);
  Identity disk = load_identity(path);
  EXPECT_FALSE(disk.sign_seed);
  ASSERT_TRUE(disk.forward);
  EXPECT_EQ(disk.forward->seq, 5u);
  EXPECT_EQ(disk.forward->seed.bytes, id.forward->seed.bytes);
  EXPECT_TRUE(verify_text(out, disk.pub).ok);
  std::filesystem::remove_all(dir);
}

TEST(SignLogParse, CheckpointErrors) {
  std::string problem;
  EXPECT_FALSE(parse_checkpoint("{\"kind\":\"checkpoint\"", problem));
  EXPECT_NE(problem.find("not valid JSON"), std::string::npos);
  EXPECT_FALSE(parse_checkpoint("{\"kind\":\"checkpoint\",\"v\":2}", problem));
  EXPECT_NE(problem.find("checkpoint format version 2 is not supported"), std::string::npos);
  Identity id = generate_identity();
  SignOptions o;
  o.every_lines = 3;
  auto ls = lines_of(sign_text(events(3), id, o));
  auto cp = parse_checkpoint(ls[4], problem);
  ASSERT_TRUE(cp) << problem;
  EXPECT_EQ(cp->seq, 1u);
  EXPECT_EQ(cp->lines, 3u);
  EXPECT_EQ(cp->digests.size(), 1u);
  EXPECT_TRUE(checkpoint_signature_ok(ls[4], *cp, id.pub.sign));
  std::string moved = ls[4];
  moved.replace(moved.find("\"lines\":3"), 9, "\"lines\":99");
  EXPECT_FALSE(parse_checkpoint(moved, problem));
  EXPECT_NE(problem.find("digests"), std::string::npos) << problem;
}

}  // namespace
