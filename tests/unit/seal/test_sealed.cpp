// The sealed format: round trips, the committed test vector, and the
// tamper suite (every byte flipped, every truncation, chunks dropped,
// duplicated, swapped or spliced, wrong identity). Every tampered stream
// must fail closed with the right problem, and what was written must be
// exactly the plaintext of the chunks that verified before the damage.
#include "lepton/seal/sealed.h"

#include <set>

#include <gtest/gtest.h>

#include "lepton/error.h"
#include "seal/seal_test_util.h"

using namespace lepton::seal;
using seal_test::noisy_text;
using seal_test::open_bytes;
using seal_test::Opened;
using seal_test::seal_bytes;

namespace {

TEST(SealFormat, CommittedTestVectorOpens) {
  std::string plain = seal_test::read_file(seal_test::fixture("vector/plain.ndjson"));
  std::string sealed = seal_test::read_file(seal_test::fixture("vector/sealed.lseal"));
  for (const char* who : {"identity", "other"}) {
    Opened r = open_bytes(sealed, seal_test::vector_identity(who));
    EXPECT_FALSE(r.problem) << who << ": " << r.message;
    EXPECT_EQ(r.out, plain) << who;
  }
  // The layout documented in man lepton-seal and the fixture's README.
  SealedLayout l = sealed_layout(sealed);
  ASSERT_EQ(l.stanzas.size(), 2u);
  EXPECT_EQ(l.stanzas[0].first, 14u);
  EXPECT_EQ(l.stanzas[1].first, 97u);
  EXPECT_EQ(l.ss_header, 180u);
  EXPECT_EQ(l.mac, 204u);
  EXPECT_EQ(l.header_end, 236u);
  ASSERT_EQ(l.chunks.size(), 2u);
  EXPECT_EQ(l.chunks[1].first, 1285u);
  EXPECT_EQ(sealed.substr(0, 12), std::string("\x89LSEAL\r\n\x01\x01\x0a\x00", 12));
}

TEST(SealFormat, RoundTripsAnySize) {
  Identity id = generate_identity();
  for (std::size_t lines : {0, 1, 10, 500, 5000}) {
    std::string plain = noisy_text(lines, lines + 3);
    std::string sealed = seal_bytes(plain, {id.pub});
    Opened r = open_bytes(sealed, id);
    EXPECT_FALSE(r.problem) << lines << ": " << r.message;
    EXPECT_EQ(r.out, plain) << lines;
  }
  // Binary bytes and the default 64 KiB chunks.
  std::string bin;
  for (int i = 0; i < 300000; ++i) bin.push_back(static_cast<char>((i * 7919) ^ (i >> 5)));
  Opened r = open_bytes(seal_bytes(bin, {id.pub}, 64 * 1024), id);
  EXPECT_FALSE(r.problem) << r.message;
  EXPECT_EQ(r.out, bin);
}

TEST(SealFormat, EveryRecipientOpensAndOthersCannot) {
  Identity a = generate_identity(), b = generate_identity(), c = generate_identity(), stranger = generate_identity();
  std::string plain = noisy_text(300);
  std::string sealed = seal_bytes(plain, {a.pub, b.pub, c.pub});
  for (const Identity* id : {&a, &b, &c}) EXPECT_EQ(open_bytes(sealed, *id).out, plain);
  Opened r = open_bytes(sealed, stranger);
  ASSERT_TRUE(r.problem);
  EXPECT_EQ(*r.problem, OpenProblem::kNotRecipient);
  EXPECT_NE(r.message.find("not addressed to this identity (" + format_public(stranger.pub) +
                           "): none of the 3 recipient stanzas opens with it"),
            std::string::npos)
      << r.message;
  EXPECT_TRUE(r.out.empty());
}

TEST(SealFormat, SealingIsRandomised) {
  Identity a = generate_identity();
  std::string plain = noisy_text(50);
  EXPECT_NE(seal_bytes(plain, {a.pub}), seal_bytes(plain, {a.pub}));
}

TEST(SealFormat, CompressesLikeZstd) {
  Identity a = generate_identity();
  std::string plain;
  for (int i = 0; i < 20000; ++i)
    plain += "{\"ts\":" + std::to_string(1763769600 + i * 10) + ",\"metric\":\"cpu.util\",\"host\":\"web-" +
             std::to_string(i % 20) + "\",\"value\":0." + std::to_string(i % 97) + "}\n";
  std::string sealed = seal_bytes(plain, {a.pub}, 64 * 1024);
  EXPECT_LT(sealed.size() * 5, plain.size());  // repetitive records shrink a lot
}

TEST(SealFormat, BadOptionsAreUsageErrors) {
  Identity a = generate_identity();
  EXPECT_THROW(seal_bytes("x", {}), lepton::UsageError);
  EXPECT_THROW(seal_bytes("x", {a.pub}, 1000), lepton::UsageError);
  EXPECT_THROW(seal_bytes("x", {a.pub}, 512), lepton::UsageError);
  EXPECT_THROW(seal_bytes("x", {a.pub}, 32 << 20), lepton::UsageError);
  EXPECT_THROW(seal_bytes("x", {a.pub}, 1024, 0), lepton::UsageError);
  EXPECT_THROW(seal_bytes("x", {a.pub}, 1024, 23), lepton::UsageError);
}

TEST(SealFormat, UnknownVersionAndNonSealedInput) {
  Identity id = seal_test::vector_identity();
  std::string sealed = seal_test::read_file(seal_test::fixture("vector/sealed.lseal"));
  std::string v2 = sealed;
  v2[8] = 2;
  Opened r = open_bytes(v2, id);
  ASSERT_TRUE(r.problem);
  EXPECT_EQ(*r.problem, OpenProblem::kVersion);
  EXPECT_NE(r.message.find("sealed format version 2 is not supported"), std::string::npos) << r.message;
  r = open_bytes("{\"ts\":1}\n", id);
  ASSERT_TRUE(r.problem);
  EXPECT_EQ(*r.problem, OpenProblem::kNotSealed);
  r = open_bytes("", id);
  ASSERT_TRUE(r.problem);
  EXPECT_EQ(*r.problem, OpenProblem::kNotSealed);
}

// The tamper suite works on one multi-chunk stream to two recipients.
class Tamper : public ::testing::Test {
 protected:
  void SetUp() override {
    me = generate_identity();
    other = generate_identity();
    plain = noisy_text(400, 9);  // about 16 KiB that compresses to several 1 KiB chunks
    sealed = seal_bytes(plain, {other.pub, me.pub}, 1024);
    layout = sealed_layout(sealed);
    ASSERT_GE(layout.chunks.size(), 4u);
    // verified[k]: what open writes when the stream stops right before chunk k.
    for (std::size_t k = 0; k <= layout.chunks.size(); ++k) {
      std::size_t cut = k < layout.chunks.size() ? layout.chunks[k].first : sealed.size();
      Opened r = open_bytes(sealed.substr(0, cut), me);
      verified.push_back(r.out);
    }
    ASSERT_EQ(verified.back(), plain);
    ASSERT_TRUE(verified[0].empty());
  }

  // The chunk holding byte `pos`, or -1 in the header.
  int chunk_at(std::size_t pos) const {
    for (std::size_t k = 0; k < layout.chunks.size(); ++k)
      if (pos >= layout.chunks[k].first && pos < layout.chunks[k].second) return static_cast<int>(k);
    return -1;
  }

  Identity me, other;
  std::string plain, sealed;
  SealedLayout layout;
  std::vector<std::string> verified;
};

TEST_F(Tamper, EveryBitFlipFailsClosed) {
  const auto mine = layout.stanzas[1];  // stanza 2 is addressed to `me`
  std::set<OpenProblem> seen;
  for (std::size_t pos = 0; pos < sealed.size(); ++pos) {
    std::string bad = sealed;
    bad[pos] = static_cast<char>(bad[pos] ^ (1 << (pos % 8)));
    Opened r = open_bytes(bad, me);
    ASSERT_TRUE(r.problem) << "flip at " << pos << " was not detected";
    seen.insert(*r.problem);
    int k = chunk_at(pos);
    if (k < 0) {
      // Header: nothing may be written, and the problem names the part.
      EXPECT_TRUE(r.out.empty()) << pos;
      std::set<OpenProblem> ok;
      if (pos < 8)
        ok = {OpenProblem::kNotSealed};
      else if (pos == 8)
        ok = {OpenProblem::kVersion};
      else if (pos < 12)
        ok = {OpenProblem::kHeader, OpenProblem::kHeaderAuth};  // compression, chunk size, reserved
      else if (pos < 14)
        ok = {OpenProblem::kHeader, OpenProblem::kHeaderAuth, OpenProblem::kNotRecipient};  // stanza count
      else if (pos >= mine.first && pos < mine.second)
        ok = pos == mine.first      ? std::set<OpenProblem>{OpenProblem::kNotRecipient}   // type: no longer X25519
             : pos < mine.first + 3 ? std::set<OpenProblem>{OpenProblem::kHeader}         // its length
                                    : std::set<OpenProblem>{OpenProblem::kNotRecipient};  // its body
      else if (pos < layout.stanzas[0].first + 3 && pos > layout.stanzas[0].first)
        ok = {OpenProblem::kHeader};  // the other stanza's length
      else
        ok = {OpenProblem::kHeaderAuth};  // other stanza, stream header, MAC
      EXPECT_TRUE(ok.count(*r.problem)) << "flip at " << pos << ": " << r.message;
    } else {
      // A chunk: the chunks before it are written, nothing after.
      EXPECT_EQ(r.chunk, static_cast<std::uint64_t>(k)) << pos << ": " << r.message;
      EXPECT_EQ(r.offset, layout.chunks[k].first) << pos;
      EXPECT_EQ(r.out, verified[k]) << "flip at " << pos << " wrote unverified bytes";
      std::size_t in_frame = pos - layout.chunks[k].first;
      std::set<OpenProblem> ok;
      if (in_frame < 4)
        ok = {OpenProblem::kChunkHeader, OpenProblem::kChunkAuth, OpenProblem::kTruncated};  // length
      else if (in_frame < 8)
        ok = {OpenProblem::kChunkOrder};  // index
      else
        ok = {OpenProblem::kChunkAuth};  // ciphertext and tag
      EXPECT_TRUE(ok.count(*r.problem)) << "flip at " << pos << ": " << r.message;
      EXPECT_NE(r.message.find("chunk " + std::to_string(k)), std::string::npos) << r.message;
    }
  }
  EXPECT_TRUE(seen.count(OpenProblem::kChunkAuth));
  EXPECT_TRUE(seen.count(OpenProblem::kHeaderAuth));
  EXPECT_TRUE(seen.count(OpenProblem::kNotRecipient));
}

TEST_F(Tamper, EveryTruncationFailsClosed) {
  for (std::size_t cut = 0; cut < sealed.size(); ++cut) {
    Opened r = open_bytes(sealed.substr(0, cut), me);
    ASSERT_TRUE(r.problem) << "cut at " << cut;
    std::size_t complete = 0;  // chunks wholly before the cut
    while (complete < layout.chunks.size() && layout.chunks[complete].second <= cut) ++complete;
    EXPECT_EQ(r.out, verified[complete]) << "cut at " << cut;
    OpenProblem want = cut < 8                   ? OpenProblem::kNotSealed
                       : cut < layout.header_end ? OpenProblem::kHeader
                                                 : OpenProblem::kTruncated;
    EXPECT_EQ(*r.problem, want) << cut << ": " << r.message;
    bool at_boundary = cut == layout.header_end || (complete > 0 && layout.chunks[complete - 1].second == cut);
    if (cut >= layout.header_end && at_boundary) {
      EXPECT_NE(r.message.find("truncated: the stream ends at offset " + std::to_string(cut)), std::string::npos)
          << r.message;
      if (complete > 0) {
        EXPECT_NE(r.message.find("after chunk " + std::to_string(complete - 1) + " without the final chunk"),
                  std::string::npos)
            << r.message;
      }
    }
  }
}

std::string chunk_bytes(const std::string& s, const SealedLayout& l, std::size_t k) {
  return s.substr(l.chunks[k].first, l.chunks[k].second - l.chunks[k].first);
}

std::string rebuild(const std::string& s, const SealedLayout& l, const std::vector<std::size_t>& order) {
  std::string out = s.substr(0, l.header_end);
  for (auto k : order) out += chunk_bytes(s, l, k);
  return out;
}

TEST_F(Tamper, DroppedDuplicatedSwappedChunks) {
  std::size_t n = layout.chunks.size();
  std::vector<std::size_t> all(n);
  for (std::size_t i = 0; i < n; ++i) all[i] = i;
  ASSERT_EQ(open_bytes(rebuild(sealed, layout, all), me).out, plain);

  for (std::size_t k = 0; k < n; ++k) {
    // Drop chunk k.
    auto order = all;
    order.erase(order.begin() + static_cast<long>(k));
    Opened r = open_bytes(rebuild(sealed, layout, order), me);
    ASSERT_TRUE(r.problem) << "drop " << k;
    EXPECT_EQ(*r.problem, k + 1 < n ? OpenProblem::kChunkOrder : OpenProblem::kTruncated) << r.message;
    EXPECT_EQ(r.out, verified[k]);
    if (k + 1 < n) {
      EXPECT_NE(r.message.find("chunk " + std::to_string(k) + " at offset " + std::to_string(layout.chunks[k].first) +
                               ": found chunk " + std::to_string(k + 1)),
                std::string::npos)
          << r.message;
    }

    // Duplicate chunk k right after itself.
    order = all;
    order.insert(order.begin() + static_cast<long>(k) + 1, k);
    r = open_bytes(rebuild(sealed, layout, order), me);
    ASSERT_TRUE(r.problem) << "duplicate " << k;
    EXPECT_EQ(*r.problem, k + 1 < n ? OpenProblem::kChunkOrder : OpenProblem::kTrailing) << r.message;
    EXPECT_EQ(r.out, verified[k + 1]);
    if (k + 1 < n) {
      EXPECT_NE(r.message.find("found a copy of chunk " + std::to_string(k)), std::string::npos);
    }

    // Swap chunks k and k+1.
    if (k + 1 < n) {
      order = all;
      std::swap(order[k], order[k + 1]);
      r = open_bytes(rebuild(sealed, layout, order), me);
      ASSERT_TRUE(r.problem) << "swap " << k;
      EXPECT_EQ(*r.problem, OpenProblem::kChunkOrder) << r.message;
      EXPECT_EQ(r.out, verified[k]);
    }
  }
}

TEST_F(Tamper, ChunksSplicedFromAnotherStreamFail) {
  // Same recipients, different file key: a chunk from stream B in stream A.
  std::string b = seal_bytes(plain, {other.pub, me.pub}, 1024);
  SealedLayout lb = sealed_layout(b);
  std::string spliced =
      sealed.substr(0, layout.chunks[1].first) + chunk_bytes(b, lb, 1) + sealed.substr(layout.chunks[2].first);
  Opened r = open_bytes(spliced, me);
  ASSERT_TRUE(r.problem);
  EXPECT_EQ(*r.problem, OpenProblem::kChunkAuth);
  EXPECT_EQ(r.chunk, 1u);
  EXPECT_EQ(r.out, verified[1]);
  // B's header on A's chunks.
  std::string mixed = b.substr(0, lb.header_end) + sealed.substr(layout.header_end);
  r = open_bytes(mixed, me);
  ASSERT_TRUE(r.problem);
  EXPECT_EQ(*r.problem, OpenProblem::kChunkAuth);
  EXPECT_EQ(r.chunk, 0u);
  EXPECT_TRUE(r.out.empty());
}

TEST_F(Tamper, AppendedBytesAndWrongIdentity) {
  Opened r = open_bytes(sealed + "x", me);
  ASSERT_TRUE(r.problem);
  EXPECT_EQ(*r.problem, OpenProblem::kTrailing);
  EXPECT_NE(r.message.find("unexpected data at offset " + std::to_string(sealed.size())), std::string::npos);
  r = open_bytes(sealed, generate_identity());
  ASSERT_TRUE(r.problem);
  EXPECT_EQ(*r.problem, OpenProblem::kNotRecipient);
  EXPECT_TRUE(r.out.empty());
  // The other recipient still opens it.
  EXPECT_EQ(open_bytes(sealed, other).out, plain);
}

TEST_F(Tamper, OverlongChunkLengthIsRejectedBeforeReading) {
  std::string bad = sealed;
  std::size_t at = layout.chunks[1].first;
  bad[at] = '\x7f';  // about 2 GiB
  Opened r = open_bytes(bad, me);
  ASSERT_TRUE(r.problem);
  EXPECT_EQ(*r.problem, OpenProblem::kChunkHeader);
  EXPECT_NE(r.message.find("chunk 1 at offset " + std::to_string(at) + ": length"), std::string::npos);
  EXPECT_EQ(r.out, verified[1]);
}

}  // namespace
