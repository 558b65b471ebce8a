// lepton-seal: keys; seal/open streams (zstd + authenticated encryption to
// recipients); sign/verify clear-text logs with hash-chained checkpoints;
// redact fields. Option parsing only; the work is in lib/src/seal.
#include <unistd.h>

#include "lepton/seal/commands.h"
#include "lepton_cli.h"

namespace {

const char* kExamples = R"EX(  lepton-seal keygen -o ops.key > ops.pub
  lepton-collect --interval 10s | lepton-seal seal -r ops.pub --flush-every 1m -o host.lseal
  lepton-seal open -i ops.key host.lseal | jq -c 'select(.metric == "cpu.util")'
  lepton-seal seal -r "$(cat sre.pub)" -r "$(cat sec.pub)" < audit.ndjson > audit.lseal
  lepton-seal sign -i ops.key -n 1000 --interval 1m < events.ndjson > audit.log
  lepton-seal verify -k ops.pub audit.log.1 audit.log
  lepton-seal redact --pseudonymize host,user --key vendor.key --drop cmdline < events.ndjson
)EX";

}  // namespace

int main(int argc, char** argv) {
  const std::string program = "lepton-seal";
  CLI::App app{
      "Keep record streams private and tamper-evident: seal (zstd + encryption to recipients) and open, "
      "sign and verify clear-text logs, redact fields. All cryptography is libsodium's."};
  lepton::cli::setup_app(app, program, kExamples);
  app.require_subcommand(1, 1);

  lepton::seal::KeygenCommand keygen;
  auto* k = app.add_subcommand("keygen", "Create a secret identity (mode 0600) and print its public string");
  k->add_option("-o,--output", keygen.output, "Identity file to create (never overwritten)")
      ->type_name("FILE")
      ->required();

  lepton::seal::SealCommand seal;
  auto* s = app.add_subcommand("seal", "Compress and encrypt a stream to one or more recipients");
  s->add_option("file", seal.input, "Input (default: stdin)")->type_name("FILE");
  s->add_option("-r,--recipient", seal.recipients, "Recipient: a public string (lseal1...) or a file of them")
      ->type_name("PUBLIC")
      ->allow_extra_args(false);
  s->add_option("-R,--recipients-file", seal.recipient_files, "File of public strings, one per line, # comments")
      ->type_name("FILE")
      ->allow_extra_args(false);
  s->add_option("-o,--output", seal.output, "Write the sealed stream to FILE instead of stdout")->type_name("FILE");
  s->add_option("-l,--level", seal.level, "zstd compression level (1..19)")->type_name("N")->capture_default_str();
  s->add_option("-T,--threads", seal.threads, "zstd compression threads (0: compress on the main thread)")
      ->type_name("N")
      ->capture_default_str();
  s->add_option("--chunk-size", seal.chunk_size, "Compressed bytes per authenticated chunk (power of two, 1K..16M)")
      ->type_name("SIZE")
      ->capture_default_str();
  s->add_option("--flush-every", seal.flush_every,
                "Close a chunk on this timer so a live sealed log is readable up to its last chunk")
      ->type_name("DURATION");

  lepton::seal::OpenCommand open;
  auto* o = app.add_subcommand("open", "Verify and decrypt a sealed stream (nothing unauthenticated is written)");
  o->add_option("file", open.input, "Sealed input (default: stdin)")->type_name("FILE");
  o->add_option("-i,--identity", open.identity, "Secret identity file")->type_name("FILE")->required();
  o->add_option("-o,--output", open.output, "Write the plaintext to FILE instead of stdout")->type_name("FILE");

  lepton::seal::SignCommand sign;
  auto* g = app.add_subcommand("sign", "Pass records through and add signed, hash-chained checkpoint records");
  g->add_option("files", sign.inputs, "Input files (default: stdin; zstd is detected)")->type_name("FILE...");
  g->add_option("-i,--identity", sign.identity, "Secret identity file")->type_name("FILE")->required();
  g->add_option("-o,--output", sign.output, "Write the signed log to FILE instead of stdout")->type_name("FILE");
  g->add_option("-n,--every", sign.every, "Checkpoint after N lines (0: only on the timer and at the end)")
      ->type_name("N")
      ->capture_default_str();
  g->add_option("-t,--interval", sign.interval, "Also checkpoint when the oldest unsigned line is this old")
      ->type_name("DURATION");
  g->add_option("--group", sign.group, "Lines per digest: verify pins a change down to G lines (1: the exact record)")
      ->type_name("G")
      ->capture_default_str();
  g->add_flag("--forward-secure", sign.forward_secure,
              "Evolve the signing key at every checkpoint and erase the old one from the identity file");
  g->add_flag("--line-buffered", sign.line_buffered, "Flush output after every record");

  lepton::seal::VerifyCommand verify;
  auto* v = app.add_subcommand("verify",
                               "Check a signed log; name the first changed, inserted, deleted or "
                               "reordered record");
  v->add_option("files", verify.inputs, "Signed log files in order (default: stdin; zstd is detected)")
      ->type_name("FILE...");
  v->add_option("-k,--key", verify.key, "The signer's public string (lseal1...) or a file holding it")
      ->type_name("PUBLIC")
      ->required();
  v->add_flag("-q,--quiet", verify.quiet, "Print no report record, only errors");

  lepton::seal::RedactCommand redact;
  auto* d = app.add_subcommand("redact", "Drop fields, replace them with keyed pseudonyms, or add Laplace noise");
  d->add_option("files", redact.inputs, "Input files (default: stdin; '-' is stdin; zstd is detected)")
      ->type_name("FILE...");
  d->add_option("-o,--output", redact.output, "Write records to FILE instead of stdout")->type_name("FILE");
  d->add_option("--on-error", redact.on_error, "Bad input records: fail (stop, exit 1) or skip (drop and count)")
      ->type_name("fail|skip")
      ->check(CLI::IsMember({"fail", "skip"}));
  d->add_flag("--line-buffered", redact.line_buffered, "Flush output after every record");
  d->add_option("--drop", redact.drop, "Remove these fields (a.b names a nested field)")
      ->type_name("FIELD,...")
      ->allow_extra_args(false);
  d->add_option("--pseudonymize", redact.pseudonymize, "Replace these fields with keyed pseudonyms (ps-...)")
      ->type_name("FIELD,...")
      ->allow_extra_args(false);
  d->add_option("--key", redact.key, "Secret key file for --pseudonymize (at least 32 bytes, mode 0600)")
      ->type_name("FILE");
  d->add_option("--noise", redact.noise, "Add Laplace noise of scale S/E to a numeric field")
      ->type_name("FIELD:epsilon=E:sensitivity=S")
      ->allow_extra_args(false);

  if (auto code = lepton::cli::parse(app, argc, argv)) return *code;

  return lepton::guarded_main(program, [&]() -> int {
    if (k->parsed()) return lepton::seal::run_keygen(keygen);
    if (s->parsed()) return lepton::seal::run_seal(seal);
    if (o->parsed()) return lepton::seal::run_open(open);
    if (g->parsed()) return lepton::seal::run_sign(sign);
    if (v->parsed()) return lepton::seal::run_verify(verify);
    return lepton::seal::run_redact(redact);
  });
}
