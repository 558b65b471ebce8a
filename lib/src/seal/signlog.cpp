#include "lepton/seal/signlog.h"

#include <sodium.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "lepton/error.h"
#include "lepton/json.h"
#include "lepton/signals.h"
#include "lepton/time.h"

namespace lepton::seal {

namespace {

constexpr std::string_view kPrefix = R"({"kind":"checkpoint")";
constexpr std::string_view kSigField = R"(,"sig":")";
constexpr std::string_view kDomain = "lepton-seal checkpoint v1\n";
constexpr std::size_t kBatch = 1 << 20;  // bytes scanned and hashed per batch
constexpr std::uint32_t kMaxGroup = 1 << 20;

// Hands out the input in batches of whole lines (all from one input). A
// batch stays valid until the next call. The last line of an input may
// lack '\n'; with `terminate` the scanner appends one (sign does, so the
// bytes it hashes are the bytes it writes).
class LineScanner {
 public:
  LineScanner(ChainSource& in, bool terminate) : in_(in), terminate_(terminate), buf_(2 * kBatch + 1) {}

  bool next_batch(std::string_view& batch) {
    for (;;) {
      if (scan_ < end_) {
        const void* nl = ::memrchr(buf_.data() + scan_, '\n', end_ - scan_);
        if (nl != nullptr) {
          std::size_t stop = static_cast<std::size_t>(static_cast<const char*>(nl) - buf_.data()) + 1;
          batch = std::string_view(buf_.data() + begin_, stop - begin_);
          begin_ = stop;
          scan_ = end_;
          batch_input_ = input_;
          return true;
        }
        scan_ = end_;
      }
      if (input_eof_) {
        if (begin_ < end_) {  // the input's last line, without '\n'
          if (terminate_) buf_.data()[end_++] = '\n';
          batch = std::string_view(buf_.data() + begin_, end_ - begin_);
          begin_ = scan_ = end_;
          batch_input_ = input_;
          return true;
        }
        if (!in_.advance()) return false;
        input_eof_ = false;
        input_ = in_.current();
        continue;
      }
      refill();
    }
  }

  /// True when no batch is ready without reading.
  bool needs_input() const { return scan_ == end_ && !input_eof_; }
  /// Waits up to `seconds` for input (see ByteSource::wait_readable).
  bool wait(double seconds) { return !needs_input() || in_.wait_readable(seconds); }
  /// Input index of the last batch.
  std::size_t input() const { return batch_input_; }
  const std::string& name_of(std::size_t i) const { return in_.name_of(i); }

 private:
  void refill() {
    if (begin_ > 0) {
      std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
      scan_ -= begin_;
      end_ -= begin_;
      begin_ = 0;
    }
    if (buf_.size() - end_ < kBatch / 2) buf_.grow(buf_.size() * 2, end_);
    // One blocking read, then more while data is at hand, for big batches.
    for (bool first = true; end_ < kBatch || first; first = false) {
      if (!first && !in_.wait_readable(0)) break;
      std::size_t n = in_.read(buf_.data() + end_, buf_.size() - end_ - 1);  // room for a final '\n'
      if (n == 0) {
        input_eof_ = true;
        break;
      }
      end_ += n;
    }
  }

  ChainSource& in_;
  bool terminate_;
  detail::RawBuffer buf_;
  std::size_t begin_ = 0, scan_ = 0, end_ = 0;
  bool input_eof_ = false;
  std::size_t input_ = 0, batch_input_ = 0;
};

// Runs independent jobs on the calling thread and one helper thread.
class TwoThreads {
 public:
  TwoThreads() = default;
  TwoThreads(const TwoThreads&) = delete;
  TwoThreads& operator=(const TwoThreads&) = delete;
  ~TwoThreads() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard<std::mutex> lk(m_);
      quit_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  // Calls f(i) for every i in [0, n).
  void run(std::size_t n, const std::function<void(std::size_t)>& f) {
    if (n < 4) {
      for (std::size_t i = 0; i < n; ++i) f(i);
      return;
    }
    if (!thread_.joinable()) thread_ = std::thread([this] { loop(); });
    std::size_t half = n / 2;
    {
      std::lock_guard<std::mutex> lk(m_);
      job_ = [&f, half, n] {
        for (std::size_t i = half; i < n; ++i) f(i);
      };
      pending_ = true;
    }
    cv_.notify_all();
    for (std::size_t i = 0; i < half; ++i) f(i);
    std::unique_lock<std::mutex> lk(m_);
    done_.wait(lk, [this] { return !pending_; });
  }

 private:
  void loop() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock<std::mutex> lk(m_);
        cv_.wait(lk, [this] { return pending_ || quit_; });
        if (quit_) return;
        job = job_;
      }
      job();
      {
        std::lock_guard<std::mutex> lk(m_);
        pending_ = false;
      }
      done_.notify_all();
    }
  }

  std::thread thread_;
  std::mutex m_;
  std::condition_variable cv_, done_;
  std::function<void()> job_;
  bool pending_ = false, quit_ = false;
};

// A group of lines to hash on either thread.
struct Job {
  const char* data;
  std::size_t size;
  std::uint8_t* out;  // 16 bytes
};

void run_jobs(TwoThreads& pool, const std::vector<Job>& jobs) {
  pool.run(jobs.size(), [&jobs](std::size_t i) {
    const Job& j = jobs[i];
    crypto_generichash(j.out, 16, reinterpret_cast<const unsigned char*>(j.data), j.size, nullptr, 0);
  });
}

// A group that continues from one batch into the next: hashed on the
// calling thread with a running state.
struct CarriedGroup {
  bool open = false;
  crypto_generichash_state st{};
  void add(const char* data, std::size_t size) {
    if (!open) crypto_generichash_init(&st, nullptr, 0, 16);
    open = true;
    crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(data), size);
  }
  void finish(std::uint8_t* out) {
    crypto_generichash_final(&st, out, 16);
    open = false;
  }
};

std::string b64_digests(const std::vector<Bytes16>& d) {
  if (d.empty()) return {};
  return detail::b64(d.front().data(), d.size() * 16);
}

Bytes32 hash_line(std::string_view line) {
  Bytes32 h{};
  crypto_generichash(h.data(), h.size(), reinterpret_cast<const unsigned char*>(line.data()), line.size(), nullptr, 0);
  return h;
}

std::string_view strip_newline(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  return line;
}

// An Ed25519 signing key from a seed, wiped on destruction.
struct SigningKey {
  std::uint8_t sk[crypto_sign_SECRETKEYBYTES]{};
  Bytes32 pk{};
  void load(const Secret32& seed) { crypto_sign_seed_keypair(pk.data(), sk, seed.bytes.data()); }
  ~SigningKey() { sodium_memzero(sk, sizeof sk); }
};

bool parse_uint(const JsonValue* v, std::uint64_t& out) {
  if (v == nullptr || !v->is_number() || v->raw.empty() || v->raw.size() > 19) return false;
  std::uint64_t x = 0;
  for (char c : v->raw) {
    if (c < '0' || c > '9') return false;
    x = x * 10 + static_cast<std::uint64_t>(c - '0');
  }
  out = x;
  return true;
}

template <std::size_t N>
bool parse_b64_field(const JsonValue* v, std::array<std::uint8_t, N>& out) {
  if (v == nullptr || !v->is_string()) return false;
  auto bytes = detail::unb64(v->str);
  if (!bytes || bytes->size() != N) return false;
  std::memcpy(out.data(), bytes->data(), N);
  return true;
}

}  // namespace

bool is_checkpoint_line(std::string_view line) { return line.substr(0, kPrefix.size()) == kPrefix; }

std::optional<Checkpoint> parse_checkpoint(std::string_view line, std::string& problem) {
  line = strip_newline(line);
  JsonDocument doc;
  if (!doc.parse(line)) {
    problem = fmt::format("not valid JSON ({} at byte {})", doc.error(), doc.error_offset() + 1);
    return std::nullopt;
  }
  if (!doc.root().is_object()) {
    problem = "not a JSON object";
    return std::nullopt;
  }
  Checkpoint cp;
  auto bad = [&](std::string_view field, std::string_view what) {
    problem = fmt::format("field '{}' {}", field, what);
    return std::nullopt;
  };
  const JsonValue* kind = doc.get("kind");
  if (kind == nullptr || !kind->is_string() || kind->str != "checkpoint") return bad("kind", "is not \"checkpoint\"");
  std::uint64_t u = 0;
  if (!parse_uint(doc.get("v"), u)) return bad("v", "is missing or not a version number");
  if (u != 1) {
    problem = fmt::format("checkpoint format version {} is not supported (this lepton-seal reads version 1)", u);
    return std::nullopt;
  }
  cp.v = 1;
  const JsonValue* ts = doc.get("ts");
  if (ts == nullptr || !ts->is_number()) return bad("ts", "is missing or not a number");
  cp.ts = ts->number;
  if (!parse_b64_field(doc.get("log"), cp.log)) return bad("log", "is not 16 bytes of base64url");
  if (!parse_uint(doc.get("seq"), cp.seq)) return bad("seq", "is missing or not a whole number");
  if (!parse_uint(doc.get("lines"), cp.lines)) return bad("lines", "is missing or not a whole number");
  if (!parse_uint(doc.get("bytes"), cp.bytes)) return bad("bytes", "is missing or not a whole number");
  if (!parse_uint(doc.get("group"), u) || u == 0 || u > kMaxGroup) return bad("group", "is not from 1 to 1048576");
  cp.group = static_cast<std::uint32_t>(u);
  const JsonValue* dg = doc.get("digests");
  if (dg == nullptr || !dg->is_string()) return bad("digests", "is missing or not a string");
  auto raw = detail::unb64(dg->str);
  if (!raw || raw->size() % 16 != 0) return bad("digests", "is not base64url of 16-byte digests");
  std::uint64_t want = (cp.lines + cp.group - 1) / cp.group;
  if (raw->size() / 16 != want)
    return bad("digests", fmt::format("holds {} digests where {} lines in groups of {} need {}", raw->size() / 16,
                                      cp.lines, cp.group, want));
  cp.digests.resize(raw->size() / 16);
  if (!raw->empty()) std::memcpy(cp.digests.data(), raw->data(), raw->size());
  if (!parse_b64_field(doc.get("prev"), cp.prev)) return bad("prev", "is not 32 bytes of base64url");
  const JsonValue* fin = doc.get("final");
  if (fin == nullptr || !fin->is_bool()) return bad("final", "is missing or not true/false");
  cp.final = fin->boolean();
  if (const JsonValue* next = doc.get("next")) {
    Bytes32 k{};
    if (!parse_b64_field(next, k)) return bad("next", "is not 32 bytes of base64url");
    cp.next = k;
  }
  if (!parse_b64_field(doc.get("sig"), cp.sig)) return bad("sig", "is not 64 bytes of base64url");
  // The signature must be the last field, so the signed prefix is exact.
  std::size_t at = line.rfind(kSigField);
  if (at == std::string_view::npos || line.size() != at + kSigField.size() + 86 + 2 ||
      line.substr(line.size() - 2) != "\"}") {
    problem = "the signature is not the last field";
    return std::nullopt;
  }
  cp.signed_prefix = at;
  return cp;
}

bool checkpoint_signature_ok(std::string_view line, const Checkpoint& cp, const Bytes32& key) {
  ensure_sodium();
  std::string msg(kDomain);
  msg.append(line.substr(0, cp.signed_prefix));
  return crypto_sign_verify_detached(cp.sig.data(), reinterpret_cast<const unsigned char*>(msg.data()), msg.size(),
                                     key.data()) == 0;
}

SignStats sign_log(ChainSource& in, ByteSink& out, Identity& id, const SignOptions& o) {
  ensure_sodium();
  if (o.group == 0 || o.group > kMaxGroup) throw UsageError(fmt::format("--group must be from 1 to {}", kMaxGroup));
  SignStats stats;

  // Where the chain stands and which key signs next.
  Bytes16 log{};
  std::uint64_t seq = 0;
  Bytes32 prev{};
  Secret32 seed;
  if (o.forward_secure && id.forward) {
    log = id.forward->log;
    seq = id.forward->seq;
    prev = id.forward->prev;
    seed = id.forward->seed;
  } else {
    if (!id.sign_seed)
      throw DataError(fmt::format(
          "this identity's root signing key was erased by forward-secure signing (its chain is at checkpoint {}); "
          "sign with --forward-secure to continue that chain, or make a new identity with keygen",
          id.forward ? id.forward->seq : 0));
    randombytes_buf(log.data(), log.size());
    seed = *id.sign_seed;
  }
  SigningKey key;
  key.load(seed);

  struct Segment {
    std::uint64_t lines = 0, bytes = 0;
    std::vector<Bytes16> digests;
  };
  Segment cur;
  std::uint32_t group_lines = 0;  // lines in the open group
  CarriedGroup carry;
  double seg_first = 0;

  // Signs and writes the checkpoint for `seg` (whose groups are all hashed).
  auto checkpoint = [&](const Segment& seg, bool final) {
    std::string line;
    JsonWriter w(line);
    w.begin_object();
    w.field("kind", "checkpoint");
    w.field("v", 1);
    w.key("ts");
    w.number(now_unix());
    w.field("log", detail::b64(log.data(), log.size()));
    w.field("seq", seq);
    w.field("lines", seg.lines);
    w.field("bytes", seg.bytes);
    w.field("group", o.group);
    w.field("digests", b64_digests(seg.digests));
    w.field("prev", detail::b64(prev.data(), prev.size()));
    w.field("final", final);
    Secret32 next_seed;
    SigningKey next_key;
    if (o.forward_secure) {
      randombytes_buf(next_seed.bytes.data(), 32);
      next_key.load(next_seed);
      w.field("next", detail::b64(next_key.pk.data(), 32));
    }
    std::string msg(kDomain);
    msg.append(line);
    std::uint8_t sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), key.sk);
    line.append(kSigField);
    line.append(detail::b64(sig, sizeof sig));
    line.append("\"}");
    prev = hash_line(line);
    ++seq;
    if (o.forward_secure) {
      // Erase the key that signed this checkpoint before the checkpoint
      // leaves the process: on disk first, then in memory.
      id.sign_seed.reset();
      ForwardState fs;
      fs.log = log;
      fs.seq = seq;
      fs.prev = prev;
      fs.seed = next_seed;
      id.forward = fs;
      if (!o.identity_path.empty()) replace_identity_file(o.identity_path, id);
      seed = next_seed;
      key.load(seed);
    }
    line.push_back('\n');
    out.write(line);
    out.flush();
    ++stats.checkpoints;
  };
  // Checkpoints the current segment between batches (timer, end).
  auto checkpoint_current = [&](bool final) {
    if (carry.open) {
      cur.digests.emplace_back();
      carry.finish(cur.digests.back().data());
      group_lines = 0;
    }
    checkpoint(cur, final);
    cur = Segment{};
  };

  checkpoint(cur, false);  // the opening checkpoint starts the chain and names the group size
  LineScanner scan(in, true);
  TwoThreads pool;
  const bool timed = o.every_seconds > 0;
  std::size_t input = 0;
  std::uint64_t line_no = 0;
  std::string_view batch;
  std::vector<Job> jobs;
  std::vector<Segment> closed;  // segments completed within a batch
  struct Slot {
    std::size_t seg;  // index in closed, or closed.size() for the current one at the end
    std::size_t digest;
  };
  std::vector<Slot> slots;
  for (;;) {
    if (scan.needs_input()) {
      if (timed && cur.lines > 0) {
        double wait = seg_first + o.every_seconds - now_unix();
        if (wait > 0 && !scan.wait(0)) {
          out.flush();
          scan.wait(wait);
        }
        if (now_unix() >= seg_first + o.every_seconds) {
          checkpoint_current(false);
          continue;
        }
      } else if (!scan.wait(0)) {
        out.flush();  // nothing to read yet: let downstream see what we have
      }
    }
    if (stop_requested() || !scan.next_batch(batch)) break;
    if (scan.input() != input) {
      input = scan.input();
      line_no = 0;
    }
    if (timed && cur.lines == 0) seg_first = now_unix();

    // Scan: count lines, cut groups and segments.
    jobs.clear();
    slots.clear();
    closed.clear();
    std::vector<std::size_t> cuts;  // batch offsets where a checkpoint goes
    const char* b = batch.data();
    std::size_t size = batch.size(), off = 0, group_begin = 0;
    bool continuing = carry.open;
    while (off < size) {
      const void* nl = std::memchr(b + off, '\n', size - off);
      std::size_t end = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - b) + 1 : size;
      ++line_no;
      ++stats.lines;
      if (is_checkpoint_line(std::string_view(b + off, end - off)))
        throw DataError(format_data_error({scan.name_of(input), line_no},
                                          "input already holds a checkpoint record (a log is signed once; verify "
                                          "it, or strip old checkpoints with grep -v '^{\"kind\":\"checkpoint\"')",
                                          strip_newline(std::string_view(b + off, end - off))));
      if (group_lines == 0) {
        group_begin = off;
        continuing = false;
      }
      ++group_lines;
      ++cur.lines;
      cur.bytes += end - off;
      bool seg_full = o.every_lines > 0 && cur.lines >= o.every_lines;
      if (group_lines == o.group || seg_full) {
        cur.digests.emplace_back();
        if (continuing) {
          carry.add(b, end);
          carry.finish(cur.digests.back().data());
          continuing = false;
        } else {
          jobs.push_back({b + group_begin, end - group_begin, nullptr});
          slots.push_back({closed.size(), cur.digests.size() - 1});
        }
        group_lines = 0;
      }
      if (seg_full) {
        cuts.push_back(end);
        closed.push_back(std::move(cur));
        cur = Segment{};
      }
      off = end;
    }
    if (group_lines > 0) {  // the open group continues in the next batch
      if (continuing)
        carry.add(b, size);
      else
        carry.add(b + group_begin, size - group_begin);
    }
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      Segment& s = slots[i].seg < closed.size() ? closed[slots[i].seg] : cur;
      jobs[i].out = s.digests[slots[i].digest].data();
    }
    run_jobs(pool, jobs);
    if (timed && !cuts.empty() && cur.lines > 0) seg_first = now_unix();  // a segment began in this batch

    // Write the batch with its checkpoints.
    std::size_t written = 0;
    for (std::size_t k = 0; k < cuts.size(); ++k) {
      out.write(std::string_view(b + written, cuts[k] - written));
      written = cuts[k];
      checkpoint(closed[k], false);
    }
    out.write(std::string_view(b + written, size - written));
    if (o.line_buffered) out.flush();
    stats.bytes += size;
  }
  checkpoint_current(true);
  return stats;
}
namespace {
struct Pos {
  std::size_t input = 0;
  std::uint64_t line = 0;
};
struct VGroup {
  Bytes16 digest{};
  Pos first, last;
};
struct VSegment {
  std::uint64_t lines = 0, bytes = 0;
  std::uint32_t group = 16;
  Pos first;
  std::vector<VGroup> groups;
};
}  // namespace

VerifyReport verify_log(ChainSource& in, const PublicKey& pub) {
  ensure_sodium();
  VerifyReport r;
  LineScanner scan(in, false);
  TwoThreads pool;

  bool in_chain = false, last_final = false;
  Bytes16 log{};
  std::uint64_t expected = 0;
  Bytes32 prev{};
  Bytes32 key = pub.sign;
  Pos last_cp;

  auto pos = [&](Pos p) { return fmt::format("{}:{}", scan.name_of(p.input), p.line); };
  auto range = [&](Pos a, Pos b) {
    if (a.input != b.input) return fmt::format("{} to {}", pos(a), pos(b));
    if (a.line == b.line) return pos(a);
    return fmt::format("{}-{}", pos(a), b.line);
  };
  auto fail = [&](std::string kind, std::string where, std::string problem) {
    r.ok = false;
    r.kind = std::move(kind);
    r.where = where;
    r.problem = fmt::format("{}: {}", where, problem);
    return false;
  };

  // Checks checkpoint `cp` (line `text` at `at`) and the segment before it.
  auto check = [&](VSegment& seg, std::string_view text, Pos at, const std::optional<Checkpoint>& cp,
                   const std::string& problem) -> bool {
    if (!in_chain && seg.lines > 0)
      return fail("unsigned-head", pos(seg.first),
                  "this record comes before any checkpoint: a signed log begins with an opening checkpoint, so its "
                  "start was cut, records were inserted before it, or it is not signed");
    std::string where = pos(at);
    if (!cp) {
      if (text.back() != '\n')
        return fail("cut", where, fmt::format("the log was cut inside this checkpoint ({})", problem));
      return fail("bad-checkpoint", where, fmt::format("malformed checkpoint: {}", problem));
    }
    std::string last = pos(last_cp);
    bool new_chain = false;
    if (!in_chain) {
      if (cp->seq != 0)
        return fail("head-cut", where,
                    fmt::format("the log starts at checkpoint {}: checkpoints 0-{} and the records they cover are "
                                "missing (its start was cut)",
                                cp->seq, cp->seq - 1));
      new_chain = true;
    } else if (cp->log != log) {
      if (cp->seq != 0)
        return fail(
            "foreign-checkpoint", where,
            fmt::format("checkpoint {} belongs to another signed log (its chain id differs): spliced in", cp->seq));
      if (!last_final)
        return fail("cut", where,
                    fmt::format("a new signing run starts here, but the chain before it was cut after its checkpoint "
                                "at {} (no final checkpoint)",
                                last));
      new_chain = true;
    } else if (cp->seq < expected) {
      return fail("checkpoint-order", where,
                  fmt::format("checkpoint {} appears again where {} was expected: checkpoints duplicated or reordered",
                              cp->seq, expected));
    } else if (cp->seq > expected) {
      return fail("checkpoint-order", where,
                  fmt::format("checkpoint {} where {} was expected: checkpoint{} {} deleted, or checkpoints reordered",
                              cp->seq, expected, cp->seq - expected > 1 ? "s" : "",
                              cp->seq - expected > 1 ? fmt::format("{}-{} were", expected, cp->seq - 1)
                                                     : fmt::format("{} was", expected)));
    }
    if (!checkpoint_signature_ok(text, *cp, new_chain ? pub.sign : key))
      return fail("bad-signature", where,
                  fmt::format("checkpoint {}: the signature does not verify (the checkpoint was edited or forged, or "
                              "it was signed by another key)",
                              cp->seq));
    if (cp->prev != (new_chain ? Bytes32{} : prev))
      return fail("chain-broken", where,
                  fmt::format("checkpoint {} does not chain to the checkpoint before it at {}: that checkpoint was "
                              "replaced",
                              cp->seq, last));

    // The segment: lines since the previous checkpoint.
    if (seg.lines > 0 && cp->group != seg.group)
      return fail(
          "bad-checkpoint", where,
          fmt::format("checkpoint {} uses groups of {} lines, its chain uses {}", cp->seq, cp->group, seg.group));
    std::size_t j = 0;
    while (j < seg.groups.size() && j < cp->digests.size() && seg.groups[j].digest == cp->digests[j]) ++j;
    bool same = j == seg.groups.size() && j == cp->digests.size() && seg.lines == cp->lines && seg.bytes == cp->bytes;
    if (!same) {
      std::uint64_t n = seg.lines;
      std::string what;
      std::string kind = n > cp->lines ? "inserted" : n < cp->lines ? "deleted" : "changed";
      if (n > cp->lines)
        what = fmt::format(
            "records inserted: the segment signed by checkpoint {} at {} has {} lines where {} were "
            "signed; the first difference is here",
            cp->seq, where, n, cp->lines);
      else if (n < cp->lines)
        what = fmt::format(
            "records deleted: the segment signed by checkpoint {} at {} has {} lines where {} were "
            "signed; the first difference is here",
            cp->seq, where, n, cp->lines);
      else if (seg.group == 1)
        what = fmt::format("record changed: it differs from the one signed by checkpoint {} at {}", cp->seq, where);
      else
        what = fmt::format(
            "a record in these lines was changed, or records were reordered (segment signed by "
            "checkpoint {} at {}, {} lines as signed)",
            cp->seq, where, n);
      if (j < seg.groups.size()) return fail(kind, range(seg.groups[j].first, seg.groups[j].last), what);
      if (n == 0) return fail(kind, where, what);
      // Only lines at the end of the segment are missing.
      return fail(kind, pos(seg.groups.back().last), what + " (after this line)");
    }

    if (new_chain) {
      log = cp->log;
      key = pub.sign;
      ++r.chains;
    }
    if (cp->next) {
      key = *cp->next;
      r.forward_secure = true;
    }
    in_chain = true;
    prev = hash_line(strip_newline(text));
    expected = cp->seq + 1;
    last_final = cp->final;
    last_cp = at;
    r.records += seg.lines;
    ++r.checkpoints;
    return true;
  };

  VSegment cur;
  std::uint32_t group_lines = 0;
  CarriedGroup carry;
  std::size_t input = 0;
  std::uint64_t line_no = 0;
  std::string_view batch;
  std::vector<Job> jobs;
  struct Slot {
    std::size_t seg;  // index in closed, or closed.size() for the current one
    std::size_t group;
  };
  std::vector<Slot> slots;
  std::vector<VSegment> closed;
  struct CpItem {
    std::string_view text;
    Pos at;
    std::optional<Checkpoint> cp;
    std::string problem;
  };
  std::vector<CpItem> cps;
  std::string problem;
  while (scan.next_batch(batch)) {
    if (scan.input() != input) {
      input = scan.input();
      line_no = 0;
    }
    jobs.clear();
    slots.clear();
    closed.clear();
    cps.clear();
    const char* b = batch.data();
    std::size_t size = batch.size(), off = 0, group_begin = 0;
    bool continuing = carry.open;
    auto close_group = [&](std::size_t end) {
      if (continuing) {
        carry.add(b, end);
        carry.finish(cur.groups.back().digest.data());
        continuing = false;
      } else {
        jobs.push_back({b + group_begin, end - group_begin, nullptr});
        slots.push_back({closed.size(), cur.groups.size() - 1});
      }
      group_lines = 0;
    };
    while (off < size) {
      const void* nl = std::memchr(b + off, '\n', size - off);
      std::size_t end = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - b) + 1 : size;
      std::string_view text(b + off, end - off);
      Pos at{input, ++line_no};
      ++r.lines;
      if (is_checkpoint_line(text)) {
        if (group_lines > 0) close_group(off);
        CpItem item{text, at, parse_checkpoint(text, problem), {}};
        if (!item.cp) item.problem = problem;
        std::uint32_t next_group = item.cp ? item.cp->group : cur.group;
        cps.push_back(std::move(item));
        closed.push_back(std::move(cur));
        cur = VSegment{};
        cur.group = next_group;
      } else {
        if (cur.lines == 0) cur.first = at;
        if (group_lines == 0) {
          group_begin = off;
          continuing = false;
          cur.groups.push_back({{}, at, at});
        }
        cur.groups.back().last = at;
        ++cur.lines;
        cur.bytes += text.size();
        if (++group_lines == cur.group) close_group(end);
      }
      off = end;
    }
    if (group_lines > 0) {
      if (continuing)
        carry.add(b, size);
      else
        carry.add(b + group_begin, size - group_begin);
    }
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      VSegment& s = slots[i].seg < closed.size() ? closed[slots[i].seg] : cur;
      jobs[i].out = s.groups[slots[i].group].digest.data();
    }
    run_jobs(pool, jobs);
    for (std::size_t k = 0; k < cps.size(); ++k)
      if (!check(closed[k], cps[k].text, cps[k].at, cps[k].cp, cps[k].problem)) return r;
  }
  if (carry.open) {
    carry.finish(cur.groups.back().digest.data());
    group_lines = 0;
  }

  if (r.lines == 0) {
    fail("no-checkpoint", scan.name_of(scan.input()), "empty input: there is no checkpoint to verify");
    return r;
  }
  if (!in_chain) {
    fail("unsigned-head", pos(cur.first),
         "this record comes before any checkpoint: a signed log begins with an opening checkpoint, so its start was "
         "cut, records were inserted before it, or it is not signed");
    return r;
  }
  std::string last = pos(last_cp);
  if (cur.lines > 0) {
    std::uint64_t n = cur.lines;
    Pos end = cur.groups.back().last;
    if (last_final)
      fail("unsigned-tail", range(cur.first, end),
           fmt::format("{} line{} after the final checkpoint at {} {} not signed (appended after the signed log "
                       "ended)",
                       n, n == 1 ? "" : "s", last, n == 1 ? "is" : "are"));
    else
      fail("unsigned-tail", range(cur.first, end),
           fmt::format("the log was cut or is still being written: {} line{} after the last checkpoint at {} {} not "
                       "covered by a signature",
                       n, n == 1 ? "" : "s", last, n == 1 ? "is" : "are"));
    return r;
  }
  if (!last_final) {
    fail("cut", last,
         "the log was cut after this checkpoint (no final checkpoint follows): records after it may be missing");
    return r;
  }
  r.ok = true;
  r.final = true;
  return r;
}

}  // namespace lepton::seal
