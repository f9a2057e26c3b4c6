#pragma once
// A small command-line parser for the somtile program: long options (`--rows 10` or
// `--rows=10`), one-letter aliases (`-o out`), flags, positional arguments and generated
// --help text. Anything the user typed wrong throws UsageError (exit code 2), so the caller
// can tell usage mistakes from bad input files (exit code 1).

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace somtile::cli {

/// A mistake in the command line itself: unknown option, missing or malformed value.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ArgParser {
 public:
  /// `command`: e.g. "somtile train"; `summary`: one sentence shown under the usage line.
  ArgParser(std::string command, std::string summary) : command_(std::move(command)), summary_(std::move(summary)) {}

  /// An option with a value. `default_text` is shown in --help only.
  ArgParser& option(const std::string& name, const std::string& value_name, const std::string& help,
                    const std::string& default_text = "", char alias = 0) {
    options_.push_back({name, value_name, help, default_text, alias, false});
    return *this;
  }
  /// An option without a value.
  ArgParser& flag(const std::string& name, const std::string& help) {
    options_.push_back({name, "", help, "", 0, true});
    return *this;
  }
  ArgParser& positional(const std::string& name, const std::string& help, bool required = true) {
    positionals_.push_back({name, help, required});
    return *this;
  }

  /// Parses argv[first..argc). Returns false when --help was asked for (the help text is then
  /// printed by the caller via help()).
  bool parse(int argc, char** argv, int first) {
    std::size_t next_positional = 0;
    bool options_done = false;
    for (int i = first; i < argc; ++i) {
      std::string arg = argv[i];
      if (!options_done && (arg == "-h" || arg == "--help")) return false;
      if (!options_done && arg == "--") {
        options_done = true;
        continue;
      }
      if (!options_done && arg.size() > 1 && arg[0] == '-' && !looks_like_number(arg)) {
        std::string value;
        bool has_inline_value = false;
        if (const auto eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
          value = arg.substr(eq + 1);
          arg = arg.substr(0, eq);
          has_inline_value = true;
        }
        const Spec& spec = find(arg);
        if (spec.is_flag) {
          if (has_inline_value) throw UsageError("option --" + spec.name + " takes no value");
          values_[spec.name] = "";
          continue;
        }
        if (!has_inline_value) {
          // A following "--name" is a forgotten value, not a value that starts with dashes.
          if (i + 1 >= argc || std::string(argv[i + 1]).rfind("--", 0) == 0)
            throw UsageError("option --" + spec.name + " needs a value (" + spec.value_name + ")");
          value = argv[++i];
        }
        values_[spec.name] = value;
        continue;
      }
      if (next_positional >= positionals_.size()) throw UsageError("unexpected argument '" + arg + "'");
      values_[positionals_[next_positional++].name] = arg;
    }
    for (std::size_t k = next_positional; k < positionals_.size(); ++k)
      if (positionals_[k].required) throw UsageError("missing argument " + positionals_[k].name);
    return true;
  }

  bool has(const std::string& name) const { return values_.count(name) > 0; }

  std::string get(const std::string& name, const std::string& fallback = "") const {
    const auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
  }

  /// The value of an option that must be given.
  std::string require(const std::string& name) const {
    if (!has(name)) throw UsageError("option --" + name + " is required");
    return get(name);
  }

  long long get_int(const std::string& name, long long fallback) const {
    if (!has(name)) return fallback;
    const std::string text = get(name);
    errno = 0;
    char* end = nullptr;
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || errno == ERANGE)
      throw UsageError("option --" + name + ": '" + text + "' is not an integer");
    return v;
  }

  std::uint64_t get_uint(const std::string& name, std::uint64_t fallback) const {
    if (!has(name)) return fallback;
    const std::string text = get(name);
    errno = 0;
    char* end = nullptr;
    const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
    if (text.empty() || text[0] == '-' || *end != '\0' || errno == ERANGE)
      throw UsageError("option --" + name + ": '" + text + "' is not a non-negative integer");
    return v;
  }

  double get_double(const std::string& name, double fallback) const {
    if (!has(name)) return fallback;
    const std::string text = get(name);
    errno = 0;
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(v))
      throw UsageError("option --" + name + ": '" + text + "' is not a finite number");
    return v;
  }

  /// The value of an option restricted to `choices`, as its position in that list.
  template <typename Enum>
  Enum get_choice(const std::string& name, const std::vector<std::string>& choices, Enum fallback) const {
    if (!has(name)) return fallback;
    const std::string text = get(name);
    for (std::size_t k = 0; k < choices.size(); ++k)
      if (choices[k] == text) return Enum(k);
    throw UsageError("option --" + name + ": '" + text + "' is not one of " + join(choices, ", "));
  }

  std::string help() const {
    std::string out = "usage: " + command_ + " [options]";
    for (const auto& p : positionals_) out += p.required ? " " + p.name : " [" + p.name + "]";
    out += "\n\n" + summary_ + "\n";
    if (!positionals_.empty()) {
      out += "\narguments:\n";
      for (const auto& p : positionals_) out += row("  " + p.name, p.help);
    }
    out += "\noptions:\n";
    for (const auto& o : options_) {
      std::string left = "  ";
      left += o.alias ? std::string("-") + o.alias + ", " : "";
      left += "--" + o.name + (o.value_name.empty() ? "" : " " + o.value_name);
      out += row(left, o.help + (o.default_text.empty() ? "" : " [" + o.default_text + "]"));
    }
    out += row("  -h, --help", "show this help and exit");
    return out;
  }

  static std::string join(const std::vector<std::string>& parts, const std::string& sep) {
    std::string out;
    for (std::size_t k = 0; k < parts.size(); ++k) out += (k ? sep : "") + parts[k];
    return out;
  }

 private:
  struct Spec {
    std::string name, value_name, help, default_text;
    char alias;
    bool is_flag;
  };
  struct Positional {
    std::string name, help;
    bool required;
  };

  // "-1" is a value (e.g. --label-column -1), not an option.
  static bool looks_like_number(const std::string& s) {
    return s.size() > 1 && s[0] == '-' && (std::isdigit(static_cast<unsigned char>(s[1])) || s[1] == '.');
  }

  const Spec& find(const std::string& arg) const {
    for (const auto& o : options_)
      if (arg == "--" + o.name || (o.alias && arg == std::string("-") + o.alias)) return o;
    throw UsageError("unknown option '" + arg + "'");
  }

  static std::string row(const std::string& left, const std::string& right) {
    constexpr std::size_t column = 30;
    std::string out = left;
    if (out.size() + 2 > column)
      out += "\n" + std::string(column, ' ');
    else
      out += std::string(column - out.size(), ' ');
    return out + right + "\n";
  }

  std::string command_, summary_;
  std::vector<Spec> options_;
  std::vector<Positional> positionals_;
  std::map<std::string, std::string> values_;
};

}  // namespace somtile::cli
