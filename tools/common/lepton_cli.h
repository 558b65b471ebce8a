// Command-line plumbing shared by the tools: the common options and the
// parse step that maps CLI11 outcomes to lepton's exit codes. Argument
// parsing only; the work happens in lib/.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "lepton/error.h"
#include "lepton/record.h"
#include "lepton/time.h"
#include "lepton/tool.h"

namespace lepton::cli {

/// Options every record-processing program takes.
struct CommonOptions {
  std::vector<std::string> inputs;
  std::string output = "-";
  std::string on_error = "fail";
  bool line_buffered = false;
  std::string shard;
};

/// A CLI11 app with lepton's help conventions: `--help` and `--version`,
/// examples in the footer.
inline void setup_app(CLI::App& app, const std::string& program, const std::string& examples) {
  app.name(program);
  app.set_version_flag("--version", fmt::format("{} {}", program, lepton::version()));
  app.footer("Examples:\n" + examples + "\nSee man " + program + " and man lepton for the record formats.");
  app.get_formatter()->column_width(34);
}

/// A validator accepting one of `choices`, with an empty description so
/// --help shows only the option's type name (e.g. `fail|skip`).
inline CLI::Validator one_of(std::vector<std::string> choices) {
  return CLI::Validator(
      [choices](std::string& value) -> std::string {
        for (const auto& c : choices)
          if (value == c) return {};
        std::string all;
        for (const auto& c : choices) all += (all.empty() ? "" : ", ") + c;
        return "must be one of " + all + "; got '" + value + "'";
      },
      "");
}

/// The choices as a type name for --help: `a|b|c`.
inline std::string choices_type(const std::vector<std::string>& choices) {
  std::string out;
  for (const auto& c : choices) out += (out.empty() ? "" : "|") + c;
  return out;
}

/// Adds FILE... , -o, --on-error, --line-buffered and (if `sharded`) --shard.
inline void add_common_options(CLI::App& app, CommonOptions& o, bool sharded) {
  app.add_option("files", o.inputs, "Input files (default: stdin; '-' is stdin; zstd is detected)")->type_name("FILE");
  app.add_option("-o,--output", o.output, "Write records to FILE instead of stdout")->type_name("FILE");
  app.add_option("--on-error", o.on_error, "Bad input records: fail (stop, exit 1) or skip (drop and count)")
      ->type_name("fail|skip")
      ->check(one_of({"fail", "skip"}));
  app.add_flag("--line-buffered", o.line_buffered, "Flush output after every record");
  if (sharded)
    app.add_option("--shard", o.shard, "Handle only series whose key hashes to K mod N (0 <= K < N)")->type_name("K/N");
}

/// Parses argv (with subcommands, if the app has any). Returns an exit code to stop with (0 after --help/--version,
/// 2 after a usage error, printed to stderr), or nullopt to go on.
inline std::optional<int> parse(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    // A program with subcommands shows them all with their options at the
    // top level; a subcommand's --help shows only its own.
    bool has_subcommands = !app.get_subcommands({}).empty();
    bool in_subcommand = !app.get_subcommands().empty();
    std::cout << (has_subcommands && !in_subcommand ? app.help("", CLI::AppFormatMode::All) : app.help());
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    std::cout << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::CallForVersion& e) {
    std::cout << e.what() << "\n";
    return 0;
  } catch (const CLI::ParseError& e) {
    std::string program = app.get_name();
    fmt::print(stderr, "{}: error: {}\nTry '{} --help' for more information.\n", program, e.what(), program);
    return lepton::kExitUsage;
  }
  return std::nullopt;
}

/// A duration option value; throws UsageError naming the option.
inline double duration_arg(const std::string& option, const std::string& text) {
  auto d = lepton::parse_duration(text);
  if (!d)
    throw lepton::UsageError(fmt::format("{} takes a duration such as 30s, 5m, 2h or 0.5; got '{}'", option, text));
  return *d;
}

/// Whether output should be flushed per record: --line-buffered or a terminal.
inline bool want_line_buffering(const CommonOptions& o) {
  return o.line_buffered || (o.output == "-" && ::isatty(1) == 1);
}

}  // namespace lepton::cli
