// Field redaction for records: drop fields, replace them with keyed
// pseudonyms, or add Laplace noise for differential privacy. Records keep
// their shape (a point stays a point) so the rest of a pipeline reads them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lepton/error.h"
#include "lepton/output.h"
#include "lepton/record.h"
#include "lepton/seal/keys.h"

namespace lepton::seal {

/// A field path: top-level `name`, or `a.b` for member b of object a.
using FieldPath = std::vector<std::string>;

/// Parses "a.b.c" into a path; throws UsageError on empty parts.
FieldPath parse_field_path(std::string_view text);

/// The Laplace mechanism on one numeric field: noise with scale
/// sensitivity / epsilon per record.
struct NoiseSpec {
  FieldPath field;
  double epsilon = 0;
  double sensitivity = 0;
};

/// Parses `FIELD:epsilon=E:sensitivity=S` (both > 0, finite); throws
/// UsageError naming what is wrong.
NoiseSpec parse_noise_spec(std::string_view text);

struct RedactOptions {
  std::vector<FieldPath> drop;
  std::vector<FieldPath> pseudonymize;
  std::optional<Secret32> key;  ///< required with pseudonymize
  std::vector<NoiseSpec> noise;
};

struct RedactStats {
  std::uint64_t records = 0;
  std::uint64_t changed = 0;
};

/// Checks that no field is named twice and that the options keep records'
/// shape (ts, metric as a string, value as a number, kind); throws UsageError.
void check_redact_options(const RedactOptions& options);

/// Redacts every record of `reader` to `out`. Bad records (not objects, a
/// noised field that is not a number, a pseudonymised object) follow the
/// --on-error policy of the reader's Diagnostics.
RedactStats redact(RecordReader& reader, Output& out, const RedactOptions& options);

/// The pseudonym of `text` under `key`: "ps-" and 16 hex digits of keyed
/// BLAKE2b (deterministic; irreversible without the key).
std::string pseudonym(const Secret32& key, std::string_view text);

/// One draw of Laplace(0, scale): a sign and an exponential from 53-bit
/// uniforms out of libsodium's randombytes.
double laplace_noise(double scale);

/// `value` plus Laplace(0, scale) noise, rounded to a power-of-two grid
/// about 1/4096 of the scale (hides the floating-point artefacts of the
/// sampler in the low bits; see man lepton-seal).
double add_laplace_noise(double value, double scale);

}  // namespace lepton::seal
