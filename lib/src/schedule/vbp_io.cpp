// Reader of the .vbp instance format.
#include <charconv>
#include <cmath>

#include "lepton/error.h"
#include "lepton/schedule/vbp.h"

namespace lepton::schedule {
namespace {

constexpr std::size_t kMaxItems = 10'000'000;
constexpr std::size_t kMaxDims = 1000;

class Tokens {
 public:
  Tokens(std::string_view text, std::string_view source) : text_(text), source_(source) {}

  // Next whitespace-separated token; empty at the end.
  std::string_view next() {
    while (pos_ < text_.size() && is_space(text_[pos_])) {
      if (text_[pos_] == '\n') ++line_;
      ++pos_;
    }
    std::size_t begin = pos_;
    if (begin < text_.size()) token_line_ = line_;
    while (pos_ < text_.size() && !is_space(text_[pos_])) ++pos_;
    last_ = text_.substr(begin, pos_ - begin);
    return last_;
  }

  double number(std::string_view what) {
    auto t = next();
    if (t.empty()) {
      line_ = token_line_;
      fail("missing " + std::string(what) + " (file ends early)", "end of file");
    }
    double v = 0;
    auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc() || ptr != t.data() + t.size() || !std::isfinite(v))
      fail(std::string(what) + " is not a number", t);
    return v;
  }

  std::size_t whole(std::string_view what, std::size_t max) {
    double v = number(what);
    if (v < 0 || v != std::floor(v)) fail(std::string(what) + " must be a whole number >= 0", last_);
    if (v > static_cast<double>(max)) fail(std::string(what) + " is too large", last_);
    return static_cast<std::size_t>(v);
  }

  [[noreturn]] void fail(const std::string& problem, std::string_view got) const {
    throw DataError(format_data_error({source_, line_}, problem, got));
  }

  std::string_view last() const { return last_; }

 private:
  static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
  std::string_view text_;
  std::string_view source_;
  std::size_t pos_ = 0;
  std::uint64_t line_ = 1;
  std::uint64_t token_line_ = 1;  // line of the last token
  std::string_view last_;
};

}  // namespace

VbpFile parse_vbp(std::string_view text, std::string_view source) {
  Tokens t(text, source);
  VbpFile f;
  auto& in = f.instance;
  in.dims = t.whole("number of dimensions", kMaxDims);
  if (in.dims == 0) t.fail("number of dimensions must be at least 1", t.last());
  for (std::size_t k = 0; k < in.dims; ++k) {
    double c = t.number("bin capacity");
    if (!(c > 0)) t.fail("bin capacity must be > 0", t.last());
    in.capacity.push_back(c);
  }
  std::size_t types = t.whole("number of item types", kMaxItems);
  std::vector<double> size(in.dims);
  std::size_t total = 0;
  for (std::size_t j = 0; j < types; ++j) {
    for (std::size_t k = 0; k < in.dims; ++k) {
      size[k] = t.number("item size");
      if (size[k] < 0) t.fail("item size must be >= 0", t.last());
    }
    std::size_t mult = t.whole("item multiplicity", kMaxItems);
    total += mult;
    if (total > kMaxItems) t.fail("too many items (at most 10000000)", t.last());
    f.multiplicity.push_back(static_cast<std::uint32_t>(mult));
    for (std::size_t r = 0; r < mult; ++r) {
      in.add_item(size.data());
      f.type_of_item.push_back(static_cast<std::uint32_t>(j));
    }
  }
  if (!t.next().empty()) t.fail("unexpected data after the last item type", t.last());
  return f;
}

}  // namespace lepton::schedule
