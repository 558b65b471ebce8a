#include "lepton/seal/sealed.h"

#include <sodium.h>
#include <zstd.h>

#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "lepton/time.h"

namespace lepton::seal {

namespace {

constexpr std::uint8_t kMagic[8] = {0x89, 'L', 'S', 'E', 'A', 'L', '\r', '\n'};
constexpr std::uint8_t kCompressZstd = 1;
constexpr std::uint8_t kStanzaX25519 = 1;
constexpr std::size_t kStanzaX25519Body = crypto_box_SEALBYTES + 32;
constexpr std::size_t kFixedHeader = 14;
constexpr std::size_t kFrameHeader = 8;
constexpr std::size_t kTagBytes = crypto_secretstream_xchacha20poly1305_ABYTES;
constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "lepseal1";
constexpr int kMinChunkLog2 = 10, kMaxChunkLog2 = 24;

static_assert(crypto_secretstream_xchacha20poly1305_KEYBYTES == 32);
static_assert(crypto_secretstream_xchacha20poly1305_HEADERBYTES == 24);

struct Keys {
  Secret32 payload;  // secretstream key
  Secret32 header;   // header MAC key
};

Keys derive_keys(const Secret32& file_key) {
  Keys k;
  crypto_kdf_derive_from_key(k.payload.bytes.data(), 32, 1, kKdfContext, file_key.bytes.data());
  crypto_kdf_derive_from_key(k.header.bytes.data(), 32, 2, kKdfContext, file_key.bytes.data());
  return k;
}

void put_be16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xff));
}

void put_be32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

std::uint32_t get_be32(const char* p) {
  auto u = reinterpret_cast<const std::uint8_t*>(p);
  return (std::uint32_t{u[0]} << 24) | (std::uint32_t{u[1]} << 16) | (std::uint32_t{u[2]} << 8) | u[3];
}

std::uint16_t get_be16(const char* p) {
  auto u = reinterpret_cast<const std::uint8_t*>(p);
  return static_cast<std::uint16_t>((u[0] << 8) | u[1]);
}

int log2_exact(std::size_t v) {
  int l = 0;
  while ((std::size_t{1} << l) < v) ++l;
  return (std::size_t{1} << l) == v ? l : -1;
}

struct CCtxDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxDeleter {
  void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};

// Writes the chunk frames of one sealed stream.
class ChunkWriter {
 public:
  ChunkWriter(ByteSink& out, crypto_secretstream_xchacha20poly1305_state& st, std::size_t chunk_size, SealStats& stats)
      : out_(out), st_(st), stats_(stats) {
    frame_.resize(kFrameHeader + chunk_size + kTagBytes);
  }

  void emit(const std::uint8_t* data, std::size_t size, bool final) {
    auto* f = frame_.data();
    if (stats_.chunks > 0xffffffffULL) throw DataError("sealed stream too long: more than 2^32 chunks");
    put_be32(f, static_cast<std::uint32_t>(size + kTagBytes));
    put_be32(f + 4, static_cast<std::uint32_t>(stats_.chunks));
    unsigned long long clen = 0;
    crypto_secretstream_xchacha20poly1305_push(
        &st_, f + kFrameHeader, &clen, data, size, f, kFrameHeader,
        final ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
    std::size_t total = kFrameHeader + static_cast<std::size_t>(clen);
    out_.write(std::string_view(reinterpret_cast<const char*>(f), total));
    stats_.sealed_bytes += total;
    ++stats_.chunks;
  }

 private:
  ByteSink& out_;
  crypto_secretstream_xchacha20poly1305_state& st_;
  SealStats& stats_;
  std::vector<std::uint8_t> frame_;
};

}  // namespace

SealStats seal_stream(ByteSource& in, ByteSink& out, const SealOptions& o) {
  ensure_sodium();
  if (o.recipients.empty()) throw UsageError("seal needs at least one recipient (-r or -R)");
  if (o.recipients.size() > 0xffff) throw UsageError("seal takes at most 65535 recipients");
  int chunk_log2 = log2_exact(o.chunk_size);
  if (chunk_log2 < kMinChunkLog2 || chunk_log2 > kMaxChunkLog2)
    throw UsageError(fmt::format("--chunk-size must be a power of two from 1K to 16M; got {}", o.chunk_size));
  if (o.level < 1 || o.level > ZSTD_maxCLevel())
    throw UsageError(fmt::format("--level must be from 1 to {}; got {}", ZSTD_maxCLevel(), o.level));

  SealStats stats;
  Secret32 file_key;
  crypto_secretstream_xchacha20poly1305_keygen(file_key.bytes.data());
  Keys keys = derive_keys(file_key);

  std::string header(reinterpret_cast<const char*>(kMagic), sizeof kMagic);
  header.push_back(static_cast<char>(kSealVersion));
  header.push_back(static_cast<char>(kCompressZstd));
  header.push_back(static_cast<char>(chunk_log2));
  header.push_back('\0');
  put_be16(header, static_cast<std::uint16_t>(o.recipients.size()));
  for (std::size_t i = 0; i < o.recipients.size(); ++i) {
    std::uint8_t body[kStanzaX25519Body];
    if (crypto_box_seal(body, file_key.bytes.data(), 32, o.recipients[i].box.data()) != 0)
      throw DataError(
          fmt::format("recipient {} ({}): not a usable X25519 public key", i + 1, format_public(o.recipients[i])));
    header.push_back(static_cast<char>(kStanzaX25519));
    put_be16(header, static_cast<std::uint16_t>(kStanzaX25519Body));
    header.append(reinterpret_cast<const char*>(body), sizeof body);
  }
  file_key.wipe();
  crypto_secretstream_xchacha20poly1305_state st;
  std::uint8_t ss_header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
  crypto_secretstream_xchacha20poly1305_init_push(&st, ss_header, keys.payload.bytes.data());
  header.append(reinterpret_cast<const char*>(ss_header), sizeof ss_header);
  std::uint8_t mac[32];
  crypto_generichash(mac, sizeof mac, reinterpret_cast<const unsigned char*>(header.data()), header.size(),
                     keys.header.bytes.data(), 32);
  header.append(reinterpret_cast<const char*>(mac), sizeof mac);
  out.write(header);
  stats.sealed_bytes += header.size();

  std::unique_ptr<ZSTD_CCtx, CCtxDeleter> cctx(ZSTD_createCCtx());
  if (!cctx) throw DataError("zstd: cannot create a compression context");
  ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_compressionLevel, o.level);
  // A worker thread overlaps compression with reading and encryption; a
  // libzstd built without threads refuses it and we compress inline.
  if (o.workers > 0) ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_nbWorkers, o.workers);

  ChunkWriter writer(out, st, o.chunk_size, stats);
  std::vector<std::uint8_t> pend(o.chunk_size);
  std::size_t pend_used = 0;

  // Runs the compressor on [data, data+size) with `mode`, sealing every
  // full chunk of output; for ZSTD_e_end the last chunk gets TAG_FINAL.
  auto compress = [&](const char* data, std::size_t size, ZSTD_EndDirective mode) {
    ZSTD_inBuffer zin{data, size, 0};
    for (;;) {
      ZSTD_outBuffer zout{pend.data(), pend.size(), pend_used};
      std::size_t rc = ZSTD_compressStream2(cctx.get(), &zout, &zin, mode);
      if (ZSTD_isError(rc)) throw DataError(fmt::format("zstd: {}", ZSTD_getErrorName(rc)));
      pend_used = zout.pos;
      bool done = mode == ZSTD_e_continue ? zin.pos == zin.size : rc == 0;
      if (done && mode == ZSTD_e_end) {
        writer.emit(pend.data(), pend_used, true);
        pend_used = 0;
        return;
      }
      if (pend_used == pend.size()) {  // more output follows, so this chunk is not the last
        writer.emit(pend.data(), pend_used, false);
        pend_used = 0;
      }
      if (done) return;
    }
  };

  const bool timed = o.flush_every > 0;
  detail::RawBuffer inbuf(1 << 20);
  std::size_t carry = 0;  // bytes after the last newline, held back on a timer
  bool fed_since_flush = false;
  double deadline = timed ? now_unix() + o.flush_every : 0;
  auto timed_flush = [&]() {
    if (fed_since_flush) {
      compress(nullptr, 0, ZSTD_e_flush);
      if (pend_used > 0) {
        writer.emit(pend.data(), pend_used, false);
        pend_used = 0;
      }
      fed_since_flush = false;
    }
    out.flush();
    deadline = now_unix() + o.flush_every;
  };

  for (;;) {
    if (timed) {
      double wait = deadline - now_unix();
      if (wait <= 0 || !in.wait_readable(wait)) {
        if (now_unix() >= deadline) timed_flush();
        continue;
      }
    }
    if (carry == inbuf.size()) {
      // One line longer than the buffer: feed it as it is.
      compress(inbuf.data(), carry, ZSTD_e_continue);
      fed_since_flush = true;
      carry = 0;
    }
    std::size_t n = in.read(inbuf.data() + carry, inbuf.size() - carry);
    if (n == 0) break;
    stats.plaintext_bytes += n;
    std::size_t avail = carry + n;
    std::size_t feed = avail;
    if (timed) {
      // Keep a partial last line for the next chunk so a live reader sees whole records.
      const char* base = inbuf.data();
      std::size_t nl = avail;
      while (nl > 0 && base[nl - 1] != '\n') --nl;
      feed = nl;
    }
    if (feed > 0) {
      compress(inbuf.data(), feed, ZSTD_e_continue);
      fed_since_flush = true;
    }
    carry = avail - feed;
    if (carry > 0 && feed > 0) std::memmove(inbuf.data(), inbuf.data() + feed, carry);
    if (timed && now_unix() >= deadline) timed_flush();
  }
  compress(inbuf.data(), carry, ZSTD_e_end);
  out.flush();
  return stats;
}

namespace {

// Output is gathered this much before it is written (fewer, larger writes).
constexpr std::size_t kPlainBuffer = 1 << 20;

// Decompresses authenticated plaintext and writes it out.
class PlainWriter {
 public:
  PlainWriter(ByteSink& out, OpenStats& stats)
      : out_(out), stats_(stats), dctx_(ZSTD_createDCtx()), buf_(kPlainBuffer) {
    if (!dctx_) throw DataError("zstd: cannot create a decompression context");
  }

  // Decompresses one chunk's plaintext and writes the result; false on a
  // zstd error (message in error()).
  bool write(const std::uint8_t* data, std::size_t size) {
    ZSTD_inBuffer zin{data, size, 0};
    std::size_t used = 0;
    for (;;) {
      ZSTD_outBuffer zout{buf_.data(), buf_.size(), used};
      std::size_t in_before = zin.pos;
      std::size_t rc = ZSTD_decompressStream(dctx_.get(), &zout, &zin);
      if (ZSTD_isError(rc)) {
        emit(used);
        error_ = ZSTD_getErrorName(rc);
        return false;
      }
      if (zin.pos > in_before || zout.pos > used) frame_done_ = rc == 0;
      used = zout.pos;
      if (used == buf_.size()) {
        emit(used);
        used = 0;
        continue;
      }
      // All input taken and zstd had no more output to give.
      if (zin.pos == zin.size) break;
    }
    emit(used);
    return true;
  }

  bool frame_done() const { return frame_done_; }
  const std::string& error() const { return error_; }

 private:
  void emit(std::size_t n) {
    if (n == 0) return;
    out_.write(std::string_view(buf_.data(), n));
    stats_.plaintext_bytes += n;
  }
  ByteSink& out_;
  OpenStats& stats_;
  std::unique_ptr<ZSTD_DCtx, DCtxDeleter> dctx_;
  detail::RawBuffer buf_;
  bool frame_done_ = false;
  std::string error_;
};

[[noreturn]] void open_fail(OpenProblem p, std::uint64_t chunk, std::uint64_t offset, const std::string& name,
                            const std::string& message) {
  throw OpenError(p, chunk, offset, fmt::format("{}: {}", name, message));
}

}  // namespace

OpenStats open_stream(ByteSource& in, ByteSink& out, const Identity& identity, OpenStats* stats_out) {
  ensure_sodium();
  OpenStats local;
  OpenStats& stats = stats_out ? *stats_out : local;
  const std::string& name = in.name();
  BufferedReader br(in);

  // Fixed header.
  std::size_t got = br.fill(kFixedHeader);
  if (got < sizeof kMagic || std::memcmp(br.data(), kMagic, sizeof kMagic) != 0)
    open_fail(OpenProblem::kNotSealed, 0, 0, name,
              "not a lepton-seal sealed stream (the magic bytes at offset 0 are missing)");
  if (got < kFixedHeader)
    open_fail(OpenProblem::kHeader, 0, got, name, fmt::format("header truncated at offset {}", got));
  const char* h = br.data();
  int version = static_cast<std::uint8_t>(h[8]);
  if (version != kSealVersion)
    open_fail(OpenProblem::kVersion, 0, 8, name,
              fmt::format("sealed format version {} is not supported (this lepton-seal {} reads version {}; a "
                          "newer release may open it)",
                          version, LEPTON_VERSION, kSealVersion));
  if (static_cast<std::uint8_t>(h[9]) != kCompressZstd)
    open_fail(OpenProblem::kHeader, 0, 9, name,
              fmt::format("header offset 9: unknown compression method {}", static_cast<std::uint8_t>(h[9])));
  int chunk_log2 = static_cast<std::uint8_t>(h[10]);
  if (chunk_log2 < kMinChunkLog2 || chunk_log2 > kMaxChunkLog2)
    open_fail(OpenProblem::kHeader, 0, 10, name,
              fmt::format("header offset 10: chunk size exponent {} is outside {}..{}", chunk_log2, kMinChunkLog2,
                          kMaxChunkLog2));
  if (h[11] != 0) open_fail(OpenProblem::kHeader, 0, 11, name, "header offset 11: reserved byte is not zero");
  std::size_t count = get_be16(h + 12);
  if (count == 0) open_fail(OpenProblem::kHeader, 0, 12, name, "header offset 12: no recipient stanza");
  std::string header(h, kFixedHeader);
  br.consume(kFixedHeader);

  // Recipient stanzas: keep every byte for the MAC, try ours.
  struct Stanza {
    std::uint8_t type;
    std::size_t offset;
    std::string body;
  };
  std::vector<Stanza> stanzas;
  for (std::size_t i = 0; i < count; ++i) {
    std::uint64_t off = br.offset();
    if (br.fill(3) < 3)
      open_fail(OpenProblem::kHeader, 0, br.offset(), name,
                fmt::format("header truncated in recipient stanza {} at offset {}", i + 1, off));
    auto type = static_cast<std::uint8_t>(br.data()[0]);
    std::size_t len = get_be16(br.data() + 1);
    if (br.fill(3 + len) < 3 + len)
      open_fail(OpenProblem::kHeader, 0, br.offset(), name,
                fmt::format("header truncated in recipient stanza {} at offset {}", i + 1, off));
    if (type == kStanzaX25519 && len != kStanzaX25519Body)
      open_fail(OpenProblem::kHeader, 0, off, name,
                fmt::format("recipient stanza {} at offset {}: an X25519 stanza has {} bytes, not {}", i + 1, off,
                            kStanzaX25519Body, len));
    header.append(br.data(), 3 + len);
    stanzas.push_back({type, static_cast<std::size_t>(off), std::string(br.data() + 3, len)});
    br.consume(3 + len);
  }
  std::uint64_t ss_off = br.offset();
  constexpr std::size_t kTail = crypto_secretstream_xchacha20poly1305_HEADERBYTES + 32;
  if (br.fill(kTail) < kTail)
    open_fail(OpenProblem::kHeader, 0, br.offset(), name,
              fmt::format("header truncated at offset {} (stream header and MAC need {} bytes)", ss_off, kTail));
  std::uint8_t ss_header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
  std::memcpy(ss_header, br.data(), sizeof ss_header);
  header.append(br.data(), sizeof ss_header);
  std::uint8_t mac[32];
  std::memcpy(mac, br.data() + sizeof ss_header, 32);
  br.consume(kTail);

  Secret32 file_key;
  bool opened = false;
  for (const auto& s : stanzas) {
    if (s.type != kStanzaX25519) continue;  // a future stanza type: not ours
    if (crypto_box_seal_open(file_key.bytes.data(), reinterpret_cast<const unsigned char*>(s.body.data()),
                             s.body.size(), identity.pub.box.data(), identity.box_secret.bytes.data()) == 0) {
      opened = true;
      break;
    }
  }
  if (!opened)
    open_fail(OpenProblem::kNotRecipient, 0, kFixedHeader, name,
              fmt::format("not addressed to this identity ({}): none of the {} recipient stanza{} opens with it, "
                          "or its stanza was modified",
                          format_public(identity.pub), count, count == 1 ? "" : "s"));
  Keys keys = derive_keys(file_key);
  file_key.wipe();
  std::uint8_t want[32];
  crypto_generichash(want, sizeof want, reinterpret_cast<const unsigned char*>(header.data()), header.size(),
                     keys.header.bytes.data(), 32);
  if (crypto_verify_32(want, mac) != 0)
    open_fail(OpenProblem::kHeaderAuth, 0, ss_off + sizeof ss_header, name,
              fmt::format("header authentication failed: the header (bytes 0-{}) was modified", br.offset() - 1));
  crypto_secretstream_xchacha20poly1305_state st;
  if (crypto_secretstream_xchacha20poly1305_init_pull(&st, ss_header, keys.payload.bytes.data()) != 0)
    open_fail(OpenProblem::kHeaderAuth, 0, ss_off, name, "invalid secretstream header");

  // Chunks: authenticate, then decompress and write.
  const std::size_t max_cipher = (std::size_t{1} << chunk_log2) + kTagBytes;
  detail::RawBuffer plain_buf(std::size_t{1} << chunk_log2);
  auto* plain = reinterpret_cast<std::uint8_t*>(plain_buf.data());
  PlainWriter writer(out, stats);
  for (std::uint64_t idx = 0;; ++idx) {
    std::uint64_t off = br.offset();
    std::size_t have = br.fill(kFrameHeader);
    if (have == 0) {
      if (idx == 0)
        open_fail(OpenProblem::kTruncated, idx, off, name,
                  fmt::format("truncated: the stream ends at offset {} before its first chunk", off));
      open_fail(OpenProblem::kTruncated, idx, off, name,
                fmt::format("truncated: the stream ends at offset {} after chunk {} without the final chunk ({} "
                            "bytes of verified plaintext were written)",
                            off, idx - 1, stats.plaintext_bytes));
    }
    if (have < kFrameHeader)
      open_fail(OpenProblem::kTruncated, idx, off, name,
                fmt::format("truncated inside the frame header of chunk {} at offset {}", idx, off));
    std::uint32_t clen = get_be32(br.data());
    std::uint32_t index = get_be32(br.data() + 4);
    if (clen < kTagBytes || clen > max_cipher)
      open_fail(OpenProblem::kChunkHeader, idx, off, name,
                fmt::format("chunk {} at offset {}: length {} is outside {}..{} (corrupt chunk header)", idx, off, clen,
                            kTagBytes, max_cipher));
    if (index != idx) {
      if (index < idx)
        open_fail(OpenProblem::kChunkOrder, idx, off, name,
                  fmt::format("chunk {} at offset {}: found a copy of chunk {} (chunks duplicated or reordered, or the "
                              "chunk header was modified)",
                              idx, off, index));
      open_fail(OpenProblem::kChunkOrder, idx, off, name,
                fmt::format("chunk {} at offset {}: found chunk {} instead (chunks dropped or reordered, or the chunk "
                            "header was modified)",
                            idx, off, index));
    }
    std::size_t frame = kFrameHeader + clen;
    if (br.fill(frame) < frame)
      open_fail(OpenProblem::kTruncated, idx, off, name,
                fmt::format("truncated inside chunk {} at offset {}: it needs {} bytes, {} are left", idx, off, frame,
                            br.available()));
    unsigned long long mlen = 0;
    unsigned char tag = 0;
    const auto* f = reinterpret_cast<const unsigned char*>(br.data());
    if (crypto_secretstream_xchacha20poly1305_pull(&st, plain, &mlen, &tag, f + kFrameHeader, clen, f, kFrameHeader) !=
        0)
      open_fail(OpenProblem::kChunkAuth, idx, off, name,
                fmt::format("chunk {} at offset {}: authentication failed (the chunk was modified)", idx, off));
    if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE &&
        tag != crypto_secretstream_xchacha20poly1305_TAG_FINAL)
      open_fail(OpenProblem::kChunkAuth, idx, off, name,
                fmt::format("chunk {} at offset {}: unexpected secretstream tag {}", idx, off, tag));
    br.consume(frame);
    ++stats.chunks;
    if (!writer.write(plain, static_cast<std::size_t>(mlen)))
      open_fail(
          OpenProblem::kDecompress, idx, off, name,
          fmt::format("chunk {} at offset {}: authenticated data does not decompress: {}", idx, off, writer.error()));
    if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
      if (!writer.frame_done())
        open_fail(OpenProblem::kDecompress, idx, off, name,
                  fmt::format("final chunk {} at offset {}: the compressed body is incomplete", idx, off));
      if (!br.at_end())
        open_fail(OpenProblem::kTrailing, idx + 1, br.offset(), name,
                  fmt::format("unexpected data at offset {} after the final chunk {} (chunks appended or duplicated)",
                              br.offset(), idx));
      break;
    }
  }
  sodium_memzero(plain, plain_buf.size());
  out.flush();
  return stats;
}

SealedLayout sealed_layout(std::string_view s) {
  SealedLayout l;
  auto need = [&](std::size_t end) {
    if (end > s.size()) throw DataError("sealed stream is truncated");
  };
  need(kFixedHeader);
  if (std::memcmp(s.data(), kMagic, sizeof kMagic) != 0) throw DataError("not a sealed stream");
  std::size_t count = get_be16(s.data() + 12);
  std::size_t pos = kFixedHeader;
  for (std::size_t i = 0; i < count; ++i) {
    need(pos + 3);
    std::size_t len = get_be16(s.data() + pos + 1);
    need(pos + 3 + len);
    l.stanzas.emplace_back(pos, pos + 3 + len);
    pos += 3 + len;
  }
  l.ss_header = pos;
  l.mac = pos + crypto_secretstream_xchacha20poly1305_HEADERBYTES;
  pos = l.mac + 32;
  need(pos);
  l.header_end = pos;
  while (pos < s.size()) {
    need(pos + kFrameHeader);
    std::size_t len = get_be32(s.data() + pos);
    need(pos + kFrameHeader + len);
    l.chunks.emplace_back(pos, pos + kFrameHeader + len);
    pos += kFrameHeader + len;
  }
  return l;
}

}  // namespace lepton::seal
