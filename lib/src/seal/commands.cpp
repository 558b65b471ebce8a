#include "lepton/seal/commands.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include "lepton/error.h"
#include "lepton/json.h"
#include "lepton/output.h"
#include "lepton/record.h"
#include "lepton/seal/io.h"
#include "lepton/seal/keys.h"
#include "lepton/seal/redact.h"
#include "lepton/seal/sealed.h"
#include "lepton/seal/signlog.h"
#include "lepton/text.h"
#include "lepton/time.h"

namespace lepton::seal {

namespace {
// A -r or -k value: a malformed public string or a missing file is a usage
// error; a recipients file with bad content is bad data.
std::vector<PublicKey> recipient_arg(const std::string& option, const std::string& arg) {
  if (arg.rfind("lseal1", 0) == 0 || ::access(arg.c_str(), F_OK) != 0) {
    try {
      return resolve_recipients(arg);
    } catch (const DataError& e) {
      throw UsageError(fmt::format("{}: {}", option, e.what()));
    }
  }
  return resolve_recipients(arg);
}

double duration(const std::string& option, const std::string& text) {
  auto d = parse_duration(text);
  if (!d || *d <= 0)
    throw UsageError(fmt::format("{} takes a positive duration such as 30s, 5m, 2h or 0.5; got '{}'", option, text));
  return *d;
}

}  // namespace

std::size_t parse_size(const std::string& text, const std::string& option) {
  std::size_t mult = 1;
  std::string digits = text;
  if (!digits.empty()) {
    char u = digits.back();
    if (u == 'K' || u == 'k') mult = 1024;
    if (u == 'M' || u == 'm') mult = 1024 * 1024;
    if (mult != 1) digits.pop_back();
  }
  if (digits.empty() || digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos)
    throw UsageError(fmt::format("{} takes a size such as 65536, 64K or 1M; got '{}'", option, text));
  return std::stoul(digits) * mult;
}

int run_keygen(const KeygenCommand& c, std::FILE* out) {
  if (c.output.empty()) throw UsageError("keygen needs -o FILE for the secret identity");
  Identity id = generate_identity();
  create_identity_file(c.output, id);
  fmt::print(out, "{}\n", format_public(id.pub));
  std::fflush(out);
  return kExitOk;
}

int run_seal(const SealCommand& c) {
  SealOptions o;
  for (const auto& r : c.recipients) {
    auto keys = recipient_arg("-r", r);
    o.recipients.insert(o.recipients.end(), keys.begin(), keys.end());
  }
  for (const auto& f : c.recipient_files) {
    std::string text = read_text_file(f);
    auto keys = parse_recipients(text, f);
    o.recipients.insert(o.recipients.end(), keys.begin(), keys.end());
  }
  if (o.recipients.empty()) throw UsageError("seal needs at least one recipient (-r PUBLIC or -R FILE)");
  o.level = c.level;
  if (c.threads < 0 || c.threads > 64)
    throw UsageError(fmt::format("--threads must be from 0 to 64; got {}", c.threads));
  o.workers = c.threads;
  o.chunk_size = parse_size(c.chunk_size, "--chunk-size");
  if (!c.flush_every.empty()) o.flush_every = duration("--flush-every", c.flush_every);
  if (c.output == "-" && ::isatty(1) == 1)
    throw UsageError("refusing to write a sealed (binary) stream to a terminal; redirect it or use -o FILE");
  FdSource in(c.input);
  FdSink out(c.output);
  seal_stream(in, out, o);
  out.flush();
  return kExitOk;
}

int run_open(const OpenCommand& c) {
  Identity id = load_identity(c.identity);
  FdSource in(c.input);
  FdSink out(c.output);
  try {
    open_stream(in, out, id);
  } catch (const OpenError&) {
    out.flush();  // verified plaintext written so far stays; the error still ends with status 1
    throw;
  }
  out.flush();
  return kExitOk;
}

int run_sign(const SignCommand& c) {
  SignOptions o;
  o.every_lines = c.every;
  if (!c.interval.empty()) o.every_seconds = duration("--interval", c.interval);
  o.group = c.group;
  o.forward_secure = c.forward_secure;
  o.line_buffered = c.line_buffered;
  std::unique_ptr<IdentityLock> lock;
  if (c.forward_secure) {
    struct stat st {};
    if (::stat(c.identity.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
      throw UsageError(
          fmt::format("--forward-secure updates the identity after every checkpoint, so -i must name a "
                      "regular file; got '{}'",
                      c.identity));
    lock = std::make_unique<IdentityLock>(c.identity);
    o.identity_path = c.identity;
  }
  Identity id = load_identity(c.identity);
  ChainSource in(c.inputs);
  FdSink out(c.output);
  sign_log(in, out, id, o);
  out.flush();
  return kExitOk;
}

int run_verify(const VerifyCommand& c, std::FILE* out, std::FILE* err) {
  auto keys = recipient_arg("-k", c.key);
  if (keys.size() != 1) throw UsageError(fmt::format("-k takes one public string; {} has {}", c.key, keys.size()));
  ChainSource in(c.inputs);
  VerifyReport r = verify_log(in, keys.front());
  if (!c.quiet) {
    std::string line;
    JsonWriter w(line);
    w.begin_object();
    w.field("kind", "verification");
    w.field("ok", r.ok);
    w.field("signer", format_public(keys.front()));
    w.field("lines", r.lines);
    w.field("records", r.records);
    w.field("checkpoints", r.checkpoints);
    w.field("chains", r.chains);
    w.field("forward_secure", r.forward_secure);
    if (!r.ok) {
      w.field("problem", r.kind);
      w.field("where", r.where);
      w.field("reason", r.problem);
    }
    w.end_object();
    fmt::print(out, "{}\n", line);
    std::fflush(out);
  }
  if (!r.ok) {
    fmt::print(err, "lepton-seal: error: {}\n", r.problem);
    std::fflush(err);
    return kExitData;
  }
  return kExitOk;
}

int run_redact(const RedactCommand& c) {
  RedactOptions o;
  for (const auto& f : lepton::split_commas(c.drop)) o.drop.push_back(parse_field_path(f));
  for (const auto& f : lepton::split_commas(c.pseudonymize)) o.pseudonymize.push_back(parse_field_path(f));
  for (const auto& n : c.noise) o.noise.push_back(parse_noise_spec(n));
  if (!c.key.empty()) {
    if (o.pseudonymize.empty()) throw UsageError("--key is only used with --pseudonymize");
    o.key = load_pseudonym_key(c.key);
  }
  check_redact_options(o);
  Diagnostics diag("lepton-seal", parse_on_error(c.on_error));
  RecordReader reader(c.inputs, diag);
  Output out(c.output);
  out.set_line_buffered(c.line_buffered || (c.output == "-" && ::isatty(1) == 1));
  redact(reader, out, o);
  out.flush();
  diag.finish();
  return kExitOk;
}

}  // namespace lepton::seal
