#include "lepton/seal/keys.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "lepton/error.h"
#include "seal/seal_test_util.h"

using namespace lepton::seal;
using seal_test::fixture;
using seal_test::read_file;

namespace {

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/seal_keys_XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

TEST(SealKeys, PublicStringRoundTrips) {
  Identity id = generate_identity();
  std::string s = format_public(id.pub);
  EXPECT_EQ(s.substr(0, 6), "lseal1");
  EXPECT_EQ(s.size(), 6u + 91u);
  EXPECT_EQ(parse_public(s), id.pub);
  EXPECT_EQ(parse_public("  " + s + "\r"), id.pub);
}

TEST(SealKeys, PublicStringErrorsSayWhat) {
  Identity id = generate_identity();
  std::string s = format_public(id.pub);
  EXPECT_NE(message_of([&] { parse_public("age1xyz"); }).find("not a lepton-seal public string"), std::string::npos);
  EXPECT_NE(message_of([&] { parse_public(s.substr(0, 50)); }).find("expected 68"), std::string::npos);
  std::string typo = s;
  typo[20] = typo[20] == 'A' ? 'B' : 'A';
  EXPECT_NE(message_of([&] { parse_public(typo); }).find("checksum does not match"), std::string::npos);
  EXPECT_NE(message_of([&] { parse_public(s.substr(0, 40) + "!" + s.substr(41)); }).find("not valid base64url"),
            std::string::npos);
}

TEST(SealKeys, RecipientsFileSkipsCommentsAndNamesBadLines) {
  Identity a = generate_identity(), b = generate_identity();
  std::string text = "# ops team\n" + format_public(a.pub) + "\n\n  # security\n" + format_public(b.pub) + "\n";
  auto keys = parse_recipients(text, "teams.txt");
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0], a.pub);
  EXPECT_EQ(keys[1], b.pub);
  std::string bad = format_public(a.pub) + "\nlseal1broken\n";
  EXPECT_NE(message_of([&] { parse_recipients(bad, "teams.txt"); }).find("teams.txt:2: "), std::string::npos);
  EXPECT_NE(message_of([&] { parse_recipients("# nothing\n", "empty.txt"); }).find("no public string"),
            std::string::npos);
  EXPECT_NE(message_of([&] {
              parse_recipients(read_file(fixture("vector/identity.key")), "id.key");
            }).find("secret identity file"),
            std::string::npos);
}

TEST(SealKeys, IdentityTextRoundTripsAndChecksKeys) {
  Identity id = generate_identity();
  std::string text = format_identity(id);
  Identity back = parse_identity(text, "id.key");
  EXPECT_EQ(back.pub, id.pub);
  EXPECT_EQ(back.box_secret.bytes, id.box_secret.bytes);
  ASSERT_TRUE(back.sign_seed);
  EXPECT_EQ(back.sign_seed->bytes, id.sign_seed->bytes);
  EXPECT_FALSE(back.forward);

  // A secret that does not match the public string is caught.
  Identity other = generate_identity();
  std::string mixed = text;
  auto at = mixed.find("box-secret: ") + 12;
  std::string other_box = format_identity(other);
  auto oat = other_box.find("box-secret: ") + 12;
  mixed.replace(at, 43, other_box.substr(oat, 43));
  EXPECT_NE(message_of([&] { parse_identity(mixed, "id.key"); }).find("box-secret does not belong"), std::string::npos);
}

TEST(SealKeys, IdentityParseErrors) {
  std::string text = format_identity(generate_identity());
  EXPECT_NE(message_of([&] { parse_identity("hello\n", "x"); }).find("x:1: "), std::string::npos);
  std::string v2 = text;
  v2.replace(v2.find("identity 1"), 10, "identity 2");
  EXPECT_NE(message_of([&] { parse_identity(v2, "x"); }).find("unsupported identity format version"),
            std::string::npos);
  std::string no_sign = text.substr(0, text.find("sign-secret:"));
  EXPECT_NE(message_of([&] { parse_identity(no_sign, "x"); }).find("no 'sign-secret:' line"), std::string::npos);
  EXPECT_NE(message_of([&] { parse_identity(text + "colour: blue\n", "x"); }).find("unknown field"), std::string::npos);
  EXPECT_NE(message_of([&] { parse_identity(text + text.substr(text.find("public:")), "x"); }).find("appears twice"),
            std::string::npos);
}

TEST(SealKeys, ForwardStateRoundTrips) {
  Identity id = generate_identity();
  id.sign_seed.reset();
  ForwardState fs;
  fs.log[0] = 7;
  fs.seq = 42;
  fs.prev[31] = 9;
  fs.seed.bytes[3] = 5;
  id.forward = fs;
  Identity back = parse_identity(format_identity(id), "fs.key");
  ASSERT_TRUE(back.forward);
  EXPECT_FALSE(back.sign_seed);
  EXPECT_EQ(back.forward->seq, 42u);
  EXPECT_EQ(back.forward->log, fs.log);
  EXPECT_EQ(back.forward->prev, fs.prev);
  EXPECT_EQ(back.forward->seed.bytes, fs.seed.bytes);
}

TEST(SealKeys, FilesAreCreatedPrivateAndRefusedWhenNot) {
  TempDir dir;
  std::string path = dir.file("id.key");
  Identity id = generate_identity();
  create_identity_file(path, id);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(load_identity(path).pub, id.pub);

  // Never overwritten.
  EXPECT_NE(message_of([&] { create_identity_file(path, generate_identity()); }).find("already exists"),
            std::string::npos);
  EXPECT_EQ(load_identity(path).pub, id.pub);

  ::chmod(path.c_str(), 0644);
  std::string msg = message_of([&] { load_identity(path); });
  EXPECT_NE(msg.find(path + ": secret key file is accessible by group or others (mode 0644)"), std::string::npos)
      << msg;
  EXPECT_NE(msg.find("chmod 600 " + path), std::string::npos);
  ::chmod(path.c_str(), 0640);
  EXPECT_NE(message_of([&] { load_identity(path); }).find("mode 0640"), std::string::npos);
}

TEST(SealKeys, ReplaceIsAtomicAndPrivate) {
  TempDir dir;
  std::string path = dir.file("id.key");
  Identity id = generate_identity();
  create_identity_file(path, id);
  id.sign_seed.reset();
  ForwardState fs;
  fs.seq = 3;
  id.forward = fs;
  replace_identity_file(path, id);
  Identity back = load_identity(path);
  EXPECT_FALSE(back.sign_seed);
  ASSERT_TRUE(back.forward);
  EXPECT_EQ(back.forward->seq, 3u);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // No temporary file is left behind.
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.file(""))) files += e.is_regular_file();
  EXPECT_EQ(files, 1);
}

TEST(SealKeys, LockIsExclusive) {
  TempDir dir;
  std::string path = dir.file("id.key");
  IdentityLock first(path);
  EXPECT_NE(message_of([&] { IdentityLock second(path); }).find("another lepton-seal is signing"), std::string::npos);
}

TEST(SealKeys, PseudonymKeyNeedsEnoughPrivateBytes) {
  TempDir dir;
  std::string path = dir.file("p.key");
  { std::ofstream(path) << "short"; }
  ::chmod(path.c_str(), 0600);
  EXPECT_NE(message_of([&] { load_pseudonym_key(path); }).find("at least 32 secret bytes"), std::string::npos);
  { std::ofstream(path) << std::string(32, 'k'); }
  ::chmod(path.c_str(), 0604);
  EXPECT_NE(message_of([&] { load_pseudonym_key(path); }).find("mode 0604"), std::string::npos);
  ::chmod(path.c_str(), 0600);
  Secret32 k = load_pseudonym_key(path);
  EXPECT_EQ(k.bytes, derive_pseudonym_key(std::string(32, 'k')).bytes);
  EXPECT_NE(k.bytes, derive_pseudonym_key(std::string(32, 'j')).bytes);
}

TEST(SealKeys, ResolveRecipientsTakesStringOrFile) {
  TempDir dir;
  Identity a = generate_identity();
  EXPECT_EQ(resolve_recipients(format_public(a.pub)).at(0), a.pub);
  std::string path = dir.file("ops.pub");
  { std::ofstream(path) << format_public(a.pub) << "\n"; }
  EXPECT_EQ(resolve_recipients(path).at(0), a.pub);
  EXPECT_NE(message_of([&] { resolve_recipients(dir.file("missing.pub")); }).find("nor a readable file"),
            std::string::npos);
}

TEST(SealKeys, CommittedIdentitiesParse) {
  Identity id = seal_test::vector_identity();
  EXPECT_EQ(format_public(id.pub) + "\n", read_file(fixture("vector/identity.pub")));
}

}  // namespace
