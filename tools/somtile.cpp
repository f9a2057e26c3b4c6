// somtile: the command-line program. One function per subcommand; everything numeric is done
// by the library in double precision (one instantiation keeps the build short), except that
// `train --dtype float` trains and saves a Som<float>. Commands that read a Som accept both: a
// float codebook is widened (exactly) to a Som<double>, so float is instantiated only for
// training and loading a Som.
//
// Exit codes: 0 success, 1 bad input (unreadable or malformed file, wrong model kind, a
// parameter the library rejects), 2 usage error (unknown option, missing or malformed value).
// Errors are one line on stderr, "somtile: error: <message>". Output files are written to a
// temporary name and renamed, so a failed run never leaves a partial file behind.

#include "args.hpp"

#include <somtile/cluster.hpp>
#include <somtile/core/detail/file_writer.hpp>  // write_file_replacing
#include <somtile/io.hpp>
#include <somtile/io/sparse_npz.hpp>
#include <somtile/io/svmlight.hpp>
#include <somtile/som.hpp>
#include <somtile/sparse.hpp>
#include <somtile/version.hpp>
#include <somtile/viz.hpp>

#include <somtile/core/warning.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <unistd.h>

namespace {

using namespace somtile;
using cli::ArgParser;
using cli::UsageError;

// Option spellings of the library's enums: their name tables (core/enum_names.hpp).
template <typename Enum>
std::vector<std::string> names_of() {
  return {EnumNames<Enum>::names.begin(), EnumNames<Enum>::names.end()};
}

template <typename Enum>
std::string choices() {
  return cli::ArgParser::join(names_of<Enum>(), " | ");
}

template <typename Enum>
std::string name_of(Enum e) {
  return std::string(enum_name(e));
}

// Shortest text that reads back to the same double.
std::string number(double v) {
  if (std::isnan(v)) return "n/a";
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
  return std::string(buffer, result.ptr);
}

std::string fixed(double v, int decimals = 4) {
  if (std::isnan(v)) return "n/a";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, v);
  return buffer;
}

// ---- the library's words in the program's terms ------------------------------------------

// The command being run ("train", ...): which options a message may point at.
std::string current_command;

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (std::size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size())
    text.replace(at, from.size(), to);
}

// "X(i, j)" (the library's 0-based C++ indexing) as "sample i+1, feature j+1", the 1-based
// positions every message of the program uses.
std::string one_based_cells(const std::string& text) {
  std::string out;
  std::size_t at = 0;
  for (std::size_t k; (k = text.find("X(", at)) != std::string::npos;) {
    long long i = 0, j = 0;
    const char* b = text.c_str() + k + 2;
    const char* e = text.c_str() + text.size();
    auto r1 = std::from_chars(b, e, i);
    const bool ok1 = r1.ec == std::errc() && e - r1.ptr > 2 && r1.ptr[0] == ',' && r1.ptr[1] == ' ';
    auto r2 = ok1 ? std::from_chars(r1.ptr + 2, e, j) : r1;
    const bool ok = ok1 && r2.ec == std::errc() && r2.ptr < e && *r2.ptr == ')' &&
                    (k == 0 || !std::isalnum(static_cast<unsigned char>(text[k - 1])));
    out += text.substr(at, k - at);
    if (!ok) {
      out += "X(";
      at = k + 2;
      continue;
    }
    out += "sample " + std::to_string(i + 1) + ", feature " + std::to_string(j + 1);
    at = std::size_t(r2.ptr + 1 - text.c_str());
    if (text.compare(at, 3, " = ") == 0) {  // "X(1, 2) = nan": "sample 2, feature 3 is nan"
      out += " is ";
      at += 3;
    }
  }
  return out + text.substr(at);
}

// A library message (error or warning) in the program's terms: option names instead of
// parameter names, 1-based sample and feature numbers.
std::string cli_words(std::string text) {
  const bool trains = current_command == "train" || current_command == "grow";
  const std::string mask_fix = trains ? "use --missing mask" : "train the model with --missing mask";
  const std::pair<const char*, std::string> words[] = {
      {"set scaling = Scaling::standard in the params (or scale the data)", "use --scale standard (or scale the data)"},
      {"set missing = Missing::mask", mask_fix},
      {"set header = Header::present", "use --header yes"},
      {"set header = Header::absent", "use --header no"},
      {"skip_rows skips lines", "--skip-rows skips lines"},
      {"raise max_neurons (or lambda_)", "raise --max-neurons (or --lambda)"},
      {"lower lambda_", "lower --lambda"},
      {"n_clusters = ", "--clusters "},
      {"): sigma = ", "): --sigma "},
      {"max_iter = ", "--max-iter "},
      {"increase max_iter or tol", "increase --max-iter"},
  };
  for (const auto& [from, to] : words) replace_all(text, from, to);
  // "X row 3 (X.row(2))", "X column 2 (X.col(1))": sample 3, feature 2.
  for (const char* part : {"row", "column"}) {
    const std::string from = std::string("(): X ") + part + " ";
    for (std::size_t at; (at = text.find(from)) != std::string::npos;) {
      const std::size_t open = text.find(" (X.", at + from.size()), close = text.find("))", open);
      if (open == std::string::npos || close == std::string::npos) break;
      text = text.substr(0, at) + "(): " + (part[0] == 'r' ? "sample " : "feature ") +
             text.substr(at + from.size(), open - at - from.size()) + text.substr(close + 2);
    }
  }
  return one_based_cells(text);
}

// ---- input ---------------------------------------------------------------------------------

struct Dataset {
  RowMatrix<double> X;
  Labels y;                          // empty without --label-column
  std::vector<std::string> columns;  // feature names from a CSV header, else empty
};

void add_data_options(ArgParser& p) {
  p.option("label-column", "NAME|INDEX", "column holding integer class labels, excluded from the features (-1 = last)");
  p.option("delimiter", "CHAR", "CSV field separator ('tab' for a tab)", ",");
  p.option("skip-rows", "N", "lines skipped at the top of a CSV file (e.g. a title line)", "0");
  p.option("header", "H",
           "yes | no | auto: whether a CSV file's first line is a header (auto: when none of its fields "
           "is a number)",
           "auto");
}

Header header_of(const ArgParser& args) {
  const int h = args.get_choice("header", std::vector<std::string>{"auto", "yes", "no"}, 0);
  return h == 1 ? Header::present : h == 2 ? Header::absent : Header::auto_detect;
}

// --scale: the scaling a trained model carries (saved with it; later commands take raw data).
void add_scale_option(ArgParser& p) {
  p.option("scale", "S",
           choices<Scaling>() +
               ": scale the features before training; saved in the model, so predict and "
               "the maps take raw data",
           "none");
}

char delimiter_of(const ArgParser& args) {
  const std::string d = args.get("delimiter", ",");
  if (d == "tab" || d == "\\t") return '\t';
  if (d.size() != 1) throw UsageError("option --delimiter: '" + d + "' is not a single character");
  return d[0];
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// --memory SIZE: a byte count with an optional K, M, G or T suffix (powers of 1024, an optional
// trailing B or iB); 0 when not given (no budget).
std::uint64_t memory_budget(const ArgParser& args) {
  if (!args.has("memory")) return 0;
  const std::string text = args.get("memory");
  const auto bad = [&](const std::string& why) {
    return UsageError("option --memory: '" + text + "' " + why +
                      "; give a size such as 512M or 2G (K, M, G, T: powers of 1024)");
  };
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    throw bad("is not a size");
  }
  std::string unit = text.substr(used);
  if (ends_with(unit, "iB"))
    unit.resize(unit.size() - 2);
  else if (ends_with(unit, "B"))
    unit.resize(unit.size() - 1);
  static const std::string units = "KMGT";
  const auto at =
      unit.size() == 1 ? units.find(char(std::toupper(static_cast<unsigned char>(unit[0])))) : std::string::npos;
  if (!unit.empty() && at == std::string::npos) throw bad("has an unknown unit '" + text.substr(used) + "'");
  const double scale = unit.empty() ? 1.0 : std::pow(1024.0, double(at + 1));
  if (!(value > 0) || !std::isfinite(value)) throw bad("is not a positive size");
  const double bytes = value * scale;
  if (bytes < 1 || bytes > 1e18) throw bad("is out of range");
  return std::uint64_t(bytes);
}

// The memory DATA takes when read whole, as the commands' doubles: a .npy file's rows x
// columns x 8 from its header, other files their size on disk (text takes about as many bytes
// as its values as doubles; sparse files keep only their non-zeros either way).
std::uint64_t data_bytes(const std::string& path) {
  if (ends_with(path, ".npy")) {
    NpySource<double> src(path);
    return std::uint64_t(src.n_rows()) * std::uint64_t(src.n_features()) * 8;
  }
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  if (error) throw InputError("cannot read '" + path + "': " + error.message());
  return std::uint64_t(size);
}

std::string bytes_text(std::uint64_t b) {
  std::ostringstream out;
  if (b >= (1ull << 30))
    out << fixed(double(b) / double(1ull << 30)) << " GiB";
  else if (b >= (1ull << 20))
    out << fixed(double(b) / double(1ull << 20)) << " MiB";
  else
    out << b << " bytes";
  return out.str();
}

void add_memory_option(ArgParser& p, const std::string& what) {
  p.option("memory", "SIZE", "memory budget for the data, e.g. 512M or 2G (K, M, G, T: powers of 1024): " + what);
}

// Sparse inputs, by extension: svmlight / LIBSVM text (.svm, .svmlight, .libsvm) and scipy's
// CSR .npz (scipy.sparse.save_npz). train and predict (a Som) read them.
bool is_sparse_path(const std::string& path) {
  return ends_with(path, ".svm") || ends_with(path, ".svmlight") || ends_with(path, ".libsvm") ||
         ends_with(path, ".npz");
}

struct SparseDataset {
  SparseRowMatrix<double> X;
  Labels y;                // an svmlight file's labels when all are integers, else empty
  bool svmlight = false;   // read from svmlight text (else .npz)
  bool one_based = false;  // svmlight: whether its indices were read as 1-based
};

// The model-file notes of the data a model was trained on: an svmlight file's index base and
// feature count (predict reads new files the same way), and a classifier's training samples as
// one 64-bit hash per sample (predict then knows which samples it scores were trained on).
constexpr const char* note_index_base = "svmlight.index_base";
constexpr const char* note_n_features = "svmlight.n_features";
constexpr const char* note_sample_hashes = "training_samples.fnv1a64";

// FNV-1a 64 (the model files' checksum) of each sample: its cells as read, then its label.
std::vector<std::uint64_t> sample_hashes(const RowMatrix<double>& X, const Labels& y) {
  std::vector<std::uint64_t> out(std::size_t(X.rows()));
  const bool labelled = y.size() == X.rows();
  std::string bytes;
  for (Index i = 0; i < X.rows(); ++i) {
    bytes.assign(reinterpret_cast<const char*>(X.row(i).data()), std::size_t(X.cols()) * sizeof(double));
    if (labelled) bytes.append(reinterpret_cast<const char*>(&y[i]), sizeof(Index));
    out[std::size_t(i)] = detail::fnv1a(bytes.data(), bytes.size());
  }
  return out;
}

// The hashes as a note: 8 raw bytes each.
std::string hashes_note(const std::vector<std::uint64_t>& hashes) {
  return std::string(reinterpret_cast<const char*>(hashes.data()), hashes.size() * sizeof(std::uint64_t));
}

void add_sparse_options(ArgParser& p) {
  p.option("index-base", "B",
           "0 | 1 | auto: how an svmlight file numbers its features (auto: 0-based if some index is 0, "
           "else 1-based, as scikit-learn's load_svmlight_file; predict: the base of the model's training "
           "file, when the model was trained on svmlight)",
           "auto");
  p.option("n-features", "N",
           "feature count of an svmlight file (default: its largest index + 1; "
           "predict: the model's)");
}

// --index-base: 0, 1 or auto (also the library's names zero, one, automatic); nullopt when not given.
std::optional<IndexBase> index_base_option(const ArgParser& args) {
  if (!args.has("index-base")) return std::nullopt;
  const std::string b = args.get("index-base");
  if (b == "0" || b == "zero") return IndexBase::zero;
  if (b == "1" || b == "one") return IndexBase::one;
  if (b == "auto" || b == "automatic") return IndexBase::automatic;
  throw UsageError("option --index-base: '" + b + "' is not one of 0, 1, auto");
}

// `n_features` > 0 (predict: the model's) unless --n-features says otherwise; `base`: the
// index base unless --index-base says otherwise.
SparseDataset load_sparse(const std::string& path, const ArgParser& args, Index n_features = 0,
                          IndexBase base = IndexBase::automatic) {
  if (args.has("label-column"))
    throw UsageError("option --label-column: sparse inputs carry their labels in the file (svmlight) or none (.npz)");
  SparseDataset d;
  if (ends_with(path, ".npz")) {
    d.X = read_sparse_npz<double>(path);
    return d;
  }
  SvmlightOptions options;
  options.index_base = index_base_option(args).value_or(base);
  options.n_features = args.get_int("n-features", n_features);
  if (options.n_features < 0) throw UsageError("option --n-features: must be >= 0, got " + args.get("n-features"));
  SvmlightData<double> svm = read_svmlight<double>(path, options);
  d.X = std::move(svm.X);
  d.y = std::move(svm.labels);
  d.svmlight = true;
  d.one_based = svm.one_based;
  return d;
}

// A .npy file (2-D float32/float64) or a CSV file; --label-column takes a column out as labels.
// With Missing::mask, empty, "nan" and "NA" CSV fields are read as NaN (missing values).
Dataset load_data(const std::string& path, const ArgParser& args, Missing missing = Missing::reject) {
  if (is_sparse_path(path))
    throw InputError("'" + path +
                     "' is a sparse input (svmlight or .npz), which only train and predict (of a Som) read");
  const std::string label = args.get("label-column");
  if (!ends_with(path, ".npy")) {
    CsvOptions options;
    options.missing = missing;
    options.label_column = label;
    options.delimiter = delimiter_of(args);
    options.skip_rows = args.get_int("skip-rows", 0);
    options.header = header_of(args);
    if (options.skip_rows < 0) throw UsageError("option --skip-rows: must be >= 0, got " + args.get("skip-rows"));
    CsvData csv = read_csv(path, options);
    return {std::move(csv.X), std::move(csv.y), std::move(csv.columns)};
  }
  Dataset d;
  d.X = read_npy(path);
  if (label.empty()) return d;
  char* end = nullptr;
  const long c = std::strtol(label.c_str(), &end, 10);
  if (*end != '\0' || c < -1 || c >= d.X.cols())
    throw InputError("'" + path + "': label column '" + label + "' is not an index in [-1, " +
                     std::to_string(d.X.cols()) + ") (a .npy file has no column names)");
  const Index col = c < 0 ? d.X.cols() - 1 : Index(c);
  d.y.resize(d.X.rows());
  for (Index i = 0; i < d.X.rows(); ++i) {
    const double v = d.X(i, col);
    if (v != std::floor(v))
      throw InputError("'" + path + "': label " + number(v) + " in row " + std::to_string(i + 1) +
                       " is not an integer");
    d.y[i] = Index(v);
  }
  RowMatrix<double> features(d.X.rows(), d.X.cols() - 1);
  features << d.X.leftCols(col), d.X.rightCols(d.X.cols() - col - 1);
  d.X = std::move(features);
  return d;
}

void check_features(const Dataset& d, Index expected, const std::string& path, const std::string& kind) {
  if (d.X.cols() == expected) return;
  std::string hint;
  if (d.X.cols() == expected + 1 && d.y.size() == 0) hint = " (is one of them a label column? see --label-column)";
  throw InputError("'" + path + "' has " + std::to_string(d.X.cols()) + " feature columns, but the " + kind +
                   " was trained on " + std::to_string(expected) + hint);
}

// ---- output --------------------------------------------------------------------------------

// Writes `text` to `path` through a temporary file, or to stdout for "" and "-".
void write_text(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::cout << text << std::flush;
    return;
  }
  somtile::detail::write_file_replacing(path, "", text);
}

// Reports go to stdout, unless stdout carries the command's CSV output.
std::ostream& report_stream(const std::string& output) {
  return output.empty() || output == "-" ? std::cerr : std::cout;
}

// An epoch progress bar on stderr, drawn only when stderr is a terminal.
class ProgressBar {
 public:
  ProgressBar(bool wanted, Index epochs) : enabled_(wanted && isatty(STDERR_FILENO)), start_(clock::now()) {
    if (enabled_) draw(0, epochs, "");  // before the first epoch, which may take a while
  }
  ~ProgressBar() { clear(); }

  void operator()(const EpochInfo& e) {
    if (!enabled_) return;
    const auto now = clock::now();
    if (e.epoch + 1 < e.epochs && now - last_draw_ < std::chrono::milliseconds(100)) return;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double done = double(e.epoch + 1) / double(e.epochs);
    char status[96];
    std::snprintf(status, sizeof status, " QE %.4f TE %.4f  eta %.0fs", e.quantization_error, e.topographic_error,
                  elapsed / done - elapsed);
    draw(e.epoch + 1, e.epochs, status);
  }
  void clear() {
    if (!drawn_) return;
    std::fprintf(stderr, "\r%*s\r", int(width_), "");
    std::fflush(stderr);
    drawn_ = false;
  }

 private:
  using clock = std::chrono::steady_clock;
  void draw(Index done, Index total, const std::string& status) {
    const int bar = 30, filled = total > 0 ? int(bar * done / total) : bar;
    const std::string line = "  epoch " + std::to_string(done) + "/" + std::to_string(total) + " [" +
                             std::string(std::size_t(filled), '#') + std::string(std::size_t(bar - filled), '.') + "]" +
                             status;
    // Pad to the previous width so a shorter line leaves no leftovers.
    std::fprintf(stderr, "\r%-*s", int(std::max(width_, line.size())), line.c_str());
    std::fflush(stderr);
    width_ = std::max(width_, line.size());
    last_draw_ = clock::now();
    drawn_ = true;
  }
  bool enabled_, drawn_ = false;
  std::size_t width_ = 0;
  clock::time_point start_, last_draw_;
};

bool show_help(ArgParser& p, int argc, char** argv) {
  if (p.parse(argc, argv, 2)) return false;
  std::cout << p.help();
  return true;
}

// The kind of model in `path` ("Som", "SomVQ", ...), after checking that `command` accepts it
// and that its scalar is one this program reads: double, or float for a Som (train --dtype
// float writes those; the program never writes other float models).
std::string checked_kind(const std::string& path, const std::vector<std::string>& accepted,
                         const std::string& command) {
  const std::string kind = model_kind(path);
  if (std::find(accepted.begin(), accepted.end(), kind) == accepted.end())
    throw InputError(command + " needs a " + ArgParser::join(accepted, " or ") + " model, but '" + path + "' holds a " +
                     kind);
  if (kind != "Som" && model_scalar_size(path) != int(sizeof(double)))
    throw InputError("'" + path + "' holds a " + kind +
                     " of float values; the somtile program reads float models only for Som");
  return kind;
}

// A Som model of either scalar, as a Som<double>: the scalar size stored in the file picks the
// loader, and a float codebook is widened exactly. (Only the random generator's state, which
// matters for further training, is not carried over; no command trains a loaded model.)
Som<double> load_som_as_double(const std::string& path) {
  if (model_scalar_size(path) == int(sizeof(double))) return load_som<double>(path);
  const Som<float> narrow = load_som<float>(path);
  Som<double> som(narrow.params(), narrow.n_features());
  som.set_scaler(Scaler<double>(narrow.scaler()));
  som.set_weights(narrow.weights().cast<double>());
  return som;
}

Som<double> load_som_for(const std::string& path, const std::string& command) {
  checked_kind(path, {"Som"}, command);
  return load_som_as_double(path);
}

// The missing-value rule a SomVQ or SomClassifier file was grown with: how its data are read.
Missing grown_missing(const std::string& path, const std::string& kind) {
  if (kind == "SomVQ") return load_som_vq<double>(path).params().missing;
  if (kind == "SomClassifier") return load_som_classifier<double>(path).params().missing;
  return Missing::reject;
}

// DATA as a ChunkSource of at most chunk_rows rows, read as predict and train read the whole file
// (the model's stored index base for svmlight, the CSV options); train and predict over DATA
// larger than --memory use it.
template <typename Scalar>
std::unique_ptr<ChunkSource<Scalar>> open_source(const ArgParser& p, const std::string& path, Index chunk_rows,
                                                 Missing missing, const ModelNotes& notes, Index n_features,
                                                 std::string& read_note) {
  if (is_sparse_path(path) && p.has("label-column"))
    throw UsageError("option --label-column: sparse inputs carry their labels in the file (svmlight) or none (.npz)");
  if (ends_with(path, ".npz")) return std::make_unique<NpzSource<Scalar>>(path, chunk_rows);
  if (is_sparse_path(path)) {
    SvmlightOptions options;
    options.index_base = IndexBase::automatic;
    const auto stored = notes.find(note_index_base);
    if (stored != notes.end() && !index_base_option(p)) {
      options.index_base = stored->second == "0" ? IndexBase::zero : IndexBase::one;
      read_note =
          ", indices read as " + stored->second + "-based as the model's training file (--index-base overrides)";
    }
    options.index_base = index_base_option(p).value_or(options.index_base);
    options.n_features = p.get_int("n-features", n_features);
    if (options.n_features < 0) throw UsageError("option --n-features: must be >= 0, got " + p.get("n-features"));
    return std::make_unique<SvmlightSource<Scalar>>(path, options, chunk_rows);
  }
  if (ends_with(path, ".npy")) {
    if (p.has("label-column"))
      throw UsageError(
          "option --label-column: a .npy file streamed under --memory is read as feature columns only; "
          "give the labels in a CSV file, or raise --memory to read the file whole");
    return std::make_unique<NpySource<Scalar>>(path, chunk_rows);
  }
  CsvOptions options;
  options.missing = missing;
  options.label_column = p.get("label-column");
  options.delimiter = delimiter_of(p);
  options.skip_rows = p.get_int("skip-rows", 0);
  options.header = header_of(p);
  if (options.skip_rows < 0) throw UsageError("option --skip-rows: must be >= 0, got " + p.get("skip-rows"));
  return std::make_unique<CsvSource<Scalar>>(path, options, chunk_rows);
}

// Trains a Som<Scalar> on X and saves it; returns the training history.
template <typename Scalar, typename Matrix>
TrainingHistory train_and_save(const SomParams& s, const Matrix& X, ProgressBar& bar, const std::string& output) {
  Som<Scalar> som(s, X.cols());
  const TrainingHistory h = som.fit(X, [&bar](const EpochInfo& e) { bar(e); });
  bar.clear();
  save(som, output);
  return h;
}

// ---- train ---------------------------------------------------------------------------------

// --history FILE: the per-epoch errors as CSV.
void write_history(const ArgParser& p, const TrainingHistory& h) {
  if (!p.has("history")) return;
  std::ostringstream csv;
  csv << "epoch,quantization_error,topographic_error\n";
  for (std::size_t e = 0; e < h.quantization_errors.size(); ++e)
    csv << e + 1 << ',' << number(h.quantization_errors[e]) << ',' << number(h.topographic_errors[e]) << '\n';
  write_text(p.get("history"), csv.str());
}

// The map's parameters: the options given, the rest from `b` (the defaults, or som_make's
// choices from the data).
SomParams som_params_of(const ArgParser& p, const SomParams& b, Scaling scaling, Missing missing) {
  SomParams s = b;
  s.rows = p.get_int("rows", b.rows);
  s.cols = p.get_int("cols", b.cols);
  s.topology = p.get_choice("topology", names_of<Topology>(), b.topology);
  s.torus = p.has("torus");
  s.epochs = p.get_int("epochs", b.epochs);
  s.training = p.get_choice("training", names_of<Training>(), b.training);
  s.batch_size = p.get_int("batch-size", b.batch_size);
  s.sigma = p.get_double("sigma", b.sigma);
  s.sigma_final = p.get_double("sigma-final", b.sigma_final);
  s.sigma_decay = p.get_choice("sigma-decay", names_of<Decay>(), b.sigma_decay);
  s.learning_rate = p.get_double("learning-rate", b.learning_rate);
  s.learning_rate_final = p.get_double("learning-rate-final", b.learning_rate_final);
  s.lr_decay = p.get_choice("lr-decay", names_of<Decay>(), b.lr_decay);
  s.neighborhood = p.get_choice("neighborhood", names_of<Neighborhood>(), b.neighborhood);
  s.distance = p.get_choice("distance", names_of<Distance>(), b.distance);
  s.neighborhood_order = p.get_int("neighborhood-order", b.neighborhood_order);
  s.init = p.get_choice("init", names_of<Init>(), b.init);
  s.seed = p.get_uint("seed", b.seed);
  s.n_threads = int(p.get_int("threads", b.n_threads));
  s.scaling = scaling;
  s.missing = missing;
  return s;
}

// train over DATA larger than --memory: batch epochs over a ChunkSource, one pass per epoch
// (and the passes the initialisation and scaling need), holding one chunk at a time.
template <typename Scalar>
int train_streaming(const ArgParser& p, const std::string& path, Missing missing, std::uint64_t budget,
                    std::uint64_t need) {
  if (p.has("training") && p.get("training") != name_of(Training::batch))
    throw UsageError("option --memory: '" + path + "' is streamed, and streamed training is batch training; give " +
                     "--training batch (or raise --memory to read the file whole)");
  SomParams d;
  d.training = Training::batch;
  const SomParams s = som_params_of(p, d, p.get_choice("scale", names_of<Scaling>(), d.scaling), missing);
  std::string read_note;
  std::unique_ptr<ChunkSource<Scalar>> src = open_source<Scalar>(p, path, 65536, missing, ModelNotes(), 0, read_note);
  // A quarter of the budget for a chunk: its values as doubles while parsed and the BMU search's
  // results (about 48 bytes a row). Opened again when the columns ask for smaller chunks.
  const std::uint64_t row_bytes = 8 * std::uint64_t(std::max<Index>(1, src->n_features())) + 48;
  const Index chunk_rows = std::clamp<Index>(Index(budget / (4 * row_bytes)), Index(1), Index(65536));
  if (chunk_rows < src->chunk_rows())
    src = open_source<Scalar>(p, path, chunk_rows, missing, ModelNotes(), 0, read_note);
  std::cerr << "train: '" << path << "' takes about " << bytes_text(need) << ", more than --memory " << p.get("memory")
            << ": streaming it in chunks of up to " << chunk_rows << " rows, one pass per epoch\n";
  const std::string output = p.require("output");
  Som<Scalar> som(s, src->n_features());
  ProgressBar bar(!p.has("quiet"), s.epochs);
  const TrainingHistory h = som.fit(*src, [&bar](const EpochInfo& e) { bar(e); });
  bar.clear();
  save(som, output);
  write_history(p, h);
  std::cout << "trained a " << s.rows << " x " << s.cols << ' ' << name_of(s.topology) << (s.torus ? " torus" : " map")
            << " on " << (src->n_rows() >= 0 ? std::to_string(src->n_rows()) : std::string("the")) << " samples x "
            << src->n_features() << " features streamed from '" << path << "', " << s.epochs << " batch epochs"
            << (std::is_same_v<Scalar, float> ? " (float)" : "") << ": QE " << fixed(h.quantization_errors.back())
            << ", TE " << fixed(h.topographic_errors.back())
            << (s.scaling != Scaling::none ? " (in " + name_of(s.scaling) + "-scaled units)" : "") << "\nwrote "
            << output << '\n';
  return 0;
}

int cmd_train(int argc, char** argv) {
  const SomParams d;  // defaults shown in --help come from the library
  ArgParser p("somtile train",
              "Trains a classic self-organizing map and saves it. Without --rows and --cols the\n"
              "map is set up from the data as the SOM Toolbox's som_make does it (about 5 sqrt(n)\n"
              "units, side ratio from the two largest principal components, hexagonal, PCA init,\n"
              "batch training, epochs and sigma from the map size); other options still apply on\n"
              "top. The defaults shown below are those of a map whose size is given.");
  p.positional("DATA",
               "training data, .csv or .npy, or sparse: .svm/.svmlight/.libsvm or scipy's CSR .npz "
               "(rows are samples; sparse input needs --rows and --cols, and trains in O(nnz) with --training batch)");
  p.option("output", "FILE", "model file to write (required)", "", 'o');
  p.option("rows", "N", "grid rows (default: from the data; " + std::to_string(d.rows) + " with --cols)");
  p.option("cols", "N", "grid columns (default: from the data; " + std::to_string(d.cols) + " with --rows)");
  p.option("purpose", "P",
           choices<Purpose>() +
               ": the map size from the data, without --rows/--cols: display (the SOM Toolbox's, to look at) "
               "or classify (about one unit per 1.5 samples, for predict's majority labels)",
           name_of(Purpose::display));
  p.option("topology", "T", choices<Topology>(), name_of(d.topology));
  p.flag("torus", "periodic boundaries (a hexagonal torus needs an even number of rows)");
  p.option("epochs", "N", "passes over the data", std::to_string(d.epochs));
  p.option("training", "RULE", choices<Training>(), name_of(d.training));
  p.option("batch-size", "N", "samples per mini-batch", std::to_string(d.batch_size));
  p.option("sigma", "S", "initial neighbourhood width, in grid units", number(d.sigma));
  p.option("sigma-final", "S", "final sigma of the exponential decay", number(d.sigma_final));
  p.option("sigma-decay", "D", choices<Decay>(), name_of(d.sigma_decay));
  p.option("learning-rate", "A", "initial learning rate (minibatch)", number(d.learning_rate));
  p.option("learning-rate-final", "A", "final learning rate of the exponential decay", number(d.learning_rate_final));
  p.option("lr-decay", "D", "decay of the learning rate, as --sigma-decay", name_of(d.lr_decay));
  p.option("neighborhood", "K", choices<Neighborhood>(), name_of(d.neighborhood));
  p.option("distance", "D", choices<Distance>(), name_of(d.distance));
  p.option("neighborhood-order", "N", "rings used by the U-matrix", std::to_string(d.neighborhood_order));
  p.option("init", "I", choices<Init>(), name_of(d.init));
  p.option("seed", "N", "random seed", std::to_string(d.seed));
  p.option("threads", "N", "threads, 0 = all available", std::to_string(d.n_threads));
  p.option("history", "FILE", "also write the per-epoch errors as CSV (epoch,qe,te)");
  p.option("dtype", "T",
           "float | double: the scalar the map is trained and saved in (float: half the memory, "
           "faster)",
           "double");
  p.option("missing", "M",
           choices<Missing>() +
               ": mask reads empty, nan and NA cells as missing values and trains "
               "on the present features (saved in the model)",
           name_of(d.missing));
  p.flag("quiet", "no progress bar");
  add_scale_option(p);
  add_data_options(p);
  add_sparse_options(p);
  add_memory_option(p,
                    "DATA larger than this is streamed through in chunks, one pass per epoch (batch training; needs "
                    "--rows and --cols)");
  if (show_help(p, argc, argv)) return 0;

  const std::string output = p.require("output");
  const bool use_float = p.get_choice("dtype", std::vector<std::string>{"float", "double"}, 1) == 0;
  const std::string path = p.get("DATA");
  const Missing missing = p.get_choice("missing", names_of<Missing>(), d.missing);
  const bool sparse = is_sparse_path(path);
  // Without a size, som_make's choices are the defaults the options below start from.
  const bool from_data = !p.has("rows") && !p.has("cols");
  if (!from_data && p.has("purpose"))
    throw UsageError("option --purpose sizes the map from the data; give it without --rows and --cols");
  if (sparse && from_data)
    throw UsageError(
        "sparse input needs --rows and --cols (the map size from the data, as som_make, needs dense data)");
  if (const std::uint64_t budget = memory_budget(p); budget > 0) {
    const std::uint64_t need = data_bytes(path);
    if (need > budget) {
      if (from_data)
        throw UsageError("option --memory: '" + path + "' takes about " + bytes_text(need) + ", more than " +
                         p.get("memory") +
                         ", so it is streamed, and sizing the map from the data needs it whole: give --rows and "
                         "--cols");
      return use_float ? train_streaming<float>(p, path, missing, budget, need)
                       : train_streaming<double>(p, path, missing, budget, need);
    }
  }
  Dataset data;
  SparseDataset sparse_data;
  if (sparse)
    sparse_data = load_sparse(path, p);
  else
    data = load_data(path, p, missing);
  const Index n_samples = sparse ? sparse_data.X.rows() : data.X.rows();
  const Index n_features = sparse ? sparse_data.X.cols() : data.X.cols();
  ModelNotes notes;
  if (sparse_data.svmlight) {
    const char* base = sparse_data.one_based ? "1" : "0";
    notes[note_index_base] = base;
    notes[note_n_features] = std::to_string(n_features);
    // The base decides every feature's column: say which one was used, and why.
    std::cout << "read '" << path << "' as " << base << "-based"
              << (index_base_option(p).value_or(IndexBase::automatic) != IndexBase::automatic ? " (--index-base)"
                  : sparse_data.one_based ? " (no index is 0; give --index-base 0 if it counts from 0)"
                                          : " (it has index 0)")
              << "; predict reads svmlight files the same way\n";
  }
  const Scaling scaling = p.get_choice("scale", names_of<Scaling>(), d.scaling);
  const Purpose purpose = p.get_choice("purpose", names_of<Purpose>(), Purpose::display);
  const SomParams b = from_data ? suggest_som_params(data.X, scaling, purpose, missing) : d;
  const SomParams s = som_params_of(p, b, scaling, missing);
  if (from_data)
    std::cout << "map size from the data: " << s.rows << " x " << s.cols << " (" << b.rows * b.cols << " units for "
              << n_samples
              << (purpose == Purpose::classify
                      ? " samples, one unit per 1.5 samples for classifying (--purpose classify), sides from the two "
                        "largest principal components; "
                      : " samples, sides from the two largest principal components, as the SOM Toolbox's "
                        "som_make; ")
              << name_of(b.topology) << ", " << name_of(b.init) << " init, " << name_of(b.training) << ", " << b.epochs
              << " epochs, sigma " << number(b.sigma) << " -> "
              << (b.sigma_decay == Decay::linear_to_one ? "1" : number(b.sigma_final)) << ")\n";

  TrainingHistory h;
  if (sparse && use_float) {
    SparseRowMatrix<float> X = sparse_data.X.cast<float>();
    for (Index k = 0; k < X.nonZeros(); ++k)
      if (!std::isfinite(X.valuePtr()[k]))
        throw InputError("'" + path + "': the value " + number(sparse_data.X.valuePtr()[k]) +
                         " is beyond float's range (|x| < 3.4e38); use --dtype double");
    sparse_data.X = SparseRowMatrix<double>();
    ProgressBar bar(!p.has("quiet"), s.epochs);
    h = train_and_save<float>(s, X, bar, output);
  } else if (sparse) {
    ProgressBar bar(!p.has("quiet"), s.epochs);
    h = train_and_save<double>(s, sparse_data.X, bar, output);
  } else if (use_float) {
    RowMatrix<float> X = data.X.cast<float>();
    for (Index k = 0; k < X.size(); ++k)
      if (std::isinf(X.data()[k]) && !std::isinf(data.X.data()[k]))
        throw InputError("'" + path + "': the value " + number(data.X.data()[k]) + " of sample " +
                         std::to_string(k / n_features + 1) + ", feature " + std::to_string(k % n_features + 1) +
                         " is beyond float's range (|x| < 3.4e38); use --dtype double");
    data.X = RowMatrix<double>();  // the double copy is no longer needed
    ProgressBar bar(!p.has("quiet"), s.epochs);
    h = train_and_save<float>(s, X, bar, output);
  } else {
    ProgressBar bar(!p.has("quiet"), s.epochs);
    h = train_and_save<double>(s, data.X, bar, output);
  }

  if (!notes.empty()) set_model_notes(output, notes);
  write_history(p, h);
  std::cout << "trained a " << s.rows << " x " << s.cols << ' ' << name_of(s.topology) << (s.torus ? " torus" : " map")
            << " on " << n_samples << " samples x " << n_features << " features, " << s.epochs << ' '
            << name_of(s.training) << (use_float ? " epochs (float): QE " : " epochs: QE ")
            << fixed(h.quantization_errors.back()) << ", TE " << fixed(h.topographic_errors.back())
            << (s.scaling != Scaling::none ? " (in " + name_of(s.scaling) + "-scaled units)" : "")
            << (s.missing == Missing::mask && detail::has_missing(data.X)
                    ? ", " + std::to_string(Index(data.X.array().isNaN().count())) + " missing cells masked"
                    : "")
            << "\nwrote " << output << '\n';
  return 0;
}

// ---- predict -------------------------------------------------------------------------------

void add_cluster_options(ArgParser& p);
ClusterParams cluster_params(const ArgParser& p);

// predict of a Som over DATA larger than --memory: the rows go through a ChunkSource, a chunk
// at a time, and the CSV lines are written as each chunk's BMUs are found (to "<FILE>.part",
// renamed to FILE at the end); the summary is the in-memory one, from running sums.
int predict_streaming(const ArgParser& p, const std::string& path, const ModelNotes& notes, const Som<double>& som,
                      std::uint64_t budget, std::uint64_t need) {
  const Index F = som.n_features();
  // A quarter of the budget for a chunk: its values as doubles, its BMU results and CSV lines
  // (about 48 bytes a row); the BMU search's own scratch does not grow with the chunk.
  const Index chunk_rows = std::clamp<Index>(Index(budget / (4 * (8 * std::uint64_t(F) + 48))), Index(1), Index(65536));
  std::string read_note;
  const std::unique_ptr<ChunkSource<double>> src =
      open_source<double>(p, path, chunk_rows, som.params().missing, notes, F, read_note);
  if (src->n_features() != F)
    throw InputError("'" + path + "' has " + std::to_string(src->n_features()) +
                     " feature columns, but the Som was trained on " + std::to_string(F));
  const std::string output = p.get("output");
  std::cerr << "predict: '" << path << "' takes about " << bytes_text(need) << ", more than --memory "
            << p.get("memory") << ": streaming it in chunks of up to " << chunk_rows << " rows\n";

  std::optional<ClusterResult> clustering;
  if (p.has("clusters")) clustering = som.cluster(cluster_params(p));
  const bool to_stdout = output.empty() || output == "-";
  // A regular file is written as FILE.part and renamed at the end; a device or pipe
  // (/dev/null, a FIFO) is written to directly.
  std::error_code no_file;
  const bool direct =
      !to_stdout && std::filesystem::exists(output, no_file) && !std::filesystem::is_regular_file(output, no_file);
  const std::string part = direct ? output : output + ".part";
  std::ofstream file;
  if (!to_stdout) {
    file.open(part, std::ios::binary | std::ios::trunc);
    if (!file) throw InputError("cannot write '" + part + "'");
  }
  struct RemovePart {  // a failed pass leaves no FILE.part behind
    const std::string& path;
    bool keep = false;
    ~RemovePart() {
      if (!keep) std::remove(path.c_str());
    }
  } remove_part{part, to_stdout || direct};
  std::ostream& out = to_stdout ? std::cout : file;
  out << (clustering ? "unit,row,col,cluster\n" : "unit,row,col\n");
  const Index cols = som.params().cols;
  std::vector<char> hit(std::size_t(som.n_units()), 0), cluster_hit;
  Index n = 0, te_count = 0, noise = 0, labelled = 0;
  double qe_sum = 0.0;  // in row order, as quantization_error(BmuResult)
  std::map<Index, std::map<Index, Index>> votes;
  std::set<Index> clusters_hit;
  std::string lines;
  som.bmus(*src, SecondBmu::find, [&](const Chunk<double>& c, const BmuResult<double>& r) {
    const Labels cluster = clustering ? clustering->sample_labels(r.bmu) : Labels();
    lines.clear();
    for (Index i = 0; i < r.bmu.size(); ++i) {
      const Index u = r.bmu[i];
      lines += std::to_string(u) + ',' + std::to_string(u / cols) + ',' + std::to_string(u % cols);
      if (clustering) {
        lines += ',' + std::to_string(cluster[i]);
        if (cluster[i] < 0)
          ++noise;
        else
          clusters_hit.insert(cluster[i]);
      }
      lines += '\n';
      hit[std::size_t(u)] = 1;
      qe_sum += double(r.distance[i]);
    }
    out << lines;
    if (!out) throw InputError("writing '" + (to_stdout ? std::string("stdout") : part) + "' failed (disk full?)");
    te_count +=
        detail::topographic_error_count(r.bmu, r.second, [&](Index a, Index b) { return som.grid().adjacent(a, b); });
    if (c.labels.size() == r.bmu.size()) {
      for (Index i = 0; i < r.bmu.size(); ++i) ++votes[r.bmu[i]][c.labels[i]];
      labelled += r.bmu.size();
    }
    n += r.bmu.size();
  });
  if (!to_stdout) {
    file.close();
    if (!file) throw InputError("writing '" + part + "' failed (disk full?)");
    if (!direct && std::rename(part.c_str(), output.c_str()) != 0)
      throw InputError("cannot rename '" + part + "' to '" + output + "'");
    remove_part.keep = true;
  } else {
    std::cout << std::flush;
  }
  std::ostringstream summary;
  summary << n << " samples on " << std::count(hit.begin(), hit.end(), 1) << " of " << som.n_units() << " units";
  if (clustering) {
    summary << " in " << clusters_hit.size() << " of " << clustering->n_clusters << " clusters ("
            << detail::method_display_name(clustering->method) << " of the units' "
            << name_of(clustering->feature_space) << ")";
    if (noise > 0) summary << ", " << noise << " on noise units";
  }
  summary << ", mean QE " << fixed(qe_sum / double(n)) << ", TE "
          << fixed(som.n_units() > 1 ? double(te_count) / double(n) : 0.0);
  if (labelled == n && n > 0) {
    Index agree = 0;
    for (const auto& [unit, count] : votes) {
      Index best = 0;
      for (const auto& [label, k] : count) best = std::max(best, k);
      agree += best;
    }
    summary << ", purity " << fixed(double(agree) / double(n))
            << " (units labelled by the majority of these samples, so not a held-out accuracy)";
  }
  summary << read_note;
  report_stream(output) << summary.str() << '\n';
  return 0;
}

int cmd_predict(int argc, char** argv) {
  ArgParser p("somtile predict",
              "Maps samples to a trained model: a Som gives each sample's best-matching unit\n"
              "(unit,row,col; with --clusters also the cluster of that unit), a SomVQ its cluster, a\n"
              "SomClassifier its class label. Then one summary line (on stderr when the CSV goes to\n"
              "stdout): samples, units or clusters hit, mean quantization error, and with labels\n"
              "(--label-column, or an svmlight file's) a Som's purity (the share of samples carrying\n"
              "the majority label of their unit's samples: the units are labelled from these same\n"
              "samples) or a SomClassifier's accuracy, named training or held-out accuracy by whether\n"
              "DATA is the data the model was trained on.");
  p.positional("MODEL", "model file written by somtile train or somtile grow");
  p.positional("DATA",
               "samples, .csv or .npy, with the training data's feature columns; or sparse "
               "(.svm/.svmlight/.libsvm, scipy's CSR .npz) for a Som");
  p.option("output", "FILE", "CSV file to write, one line per sample after a header", "stdout", 'o');
  add_data_options(p);
  add_sparse_options(p);
  add_cluster_options(p);
  add_memory_option(p,
                    "DATA larger than this is streamed through in chunks (a Som only): memory for a chunk, "
                    "whatever the file's size");
  if (show_help(p, argc, argv)) return 0;

  const std::string model = p.get("MODEL"), path = p.get("DATA");
  const std::uint64_t budget = memory_budget(p);
  const std::string kind = checked_kind(model, {"Som", "SomVQ", "SomClassifier"}, "predict");
  const bool sparse = is_sparse_path(path);
  if (sparse && kind != "Som")
    throw InputError("predict: a " + kind + " takes dense data (.csv or .npy); '" + path + "' is sparse");
  if (p.has("clusters") && kind != "Som")
    throw UsageError("--clusters clusters the units of a Som; predict with a " + kind +
                     (kind == "SomVQ" ? " writes each sample's cluster already" : " writes class labels"));
  const ModelNotes notes = model_notes(model);
  Dataset data;
  SparseDataset sparse_data;
  std::optional<Som<double>> loaded_som;  // loaded first: a Som trained with --missing mask reads NaN cells
  if (kind == "Som") loaded_som = load_som_as_double(model);
  if (budget > 0) {
    const std::uint64_t need = data_bytes(path);
    if (need > budget) {
      if (kind != "Som")
        throw UsageError("option --memory: '" + path + "' takes about " + bytes_text(need) + ", more than " +
                         p.get("memory") + ", and only predict with a Som streams its data; a " + kind +
                         " reads DATA whole (raise --memory or leave it out)");
      return predict_streaming(p, path, notes, *loaded_som, budget, need);
    }
  }
  std::string read_note;  // how an svmlight file was read, when the model decided it
  if (sparse) {
    IndexBase base = IndexBase::automatic;
    const auto stored = notes.find(note_index_base);
    if (stored != notes.end() && !ends_with(path, ".npz") && !index_base_option(p)) {
      base = stored->second == "0" ? IndexBase::zero : IndexBase::one;
      read_note =
          ", indices read as " + stored->second + "-based as the model's training file (--index-base overrides)";
    }
    try {
      sparse_data = load_sparse(path, p, loaded_som->n_features(), base);
    } catch (const InputError& e) {
      if (p.has("n-features") || std::string(e.what()).find("n_features is") == std::string::npos) throw;
      throw InputError("'" + path + "' has feature indices beyond the model's " +
                       std::to_string(loaded_som->n_features()) + " features (" + e.what() +
                       "); is it numbered from another base (--index-base) or from other data?");
    }
    data.y = std::move(sparse_data.y);
  } else {
    data = load_data(path, p, loaded_som ? loaded_som->params().missing : grown_missing(model, kind));
  }
  std::ostringstream csv, summary;
  const Index n = sparse ? sparse_data.X.rows() : data.X.rows();
  auto distinct = [](const Labels& v) { return std::set<Index>(v.data(), v.data() + v.size()).size(); };
  summary << n << " samples";
  if (kind == "Som") {
    const Som<double>& som = *loaded_som;
    if (sparse && sparse_data.X.cols() != som.n_features())
      throw InputError("'" + path + "' has " + std::to_string(sparse_data.X.cols()) +
                       " features, but the Som was trained on " + std::to_string(som.n_features()));
    if (!sparse) check_features(data, som.n_features(), path, kind);
    const BmuResult<double> r = sparse ? som.bmus(sparse_data.X, SecondBmu::find) : som.bmus(data.X, SecondBmu::find);
    const Labels& bmu = r.bmu;
    const Index cols = som.params().cols;
    Labels cluster;
    std::optional<ClusterResult> clustering;
    if (p.has("clusters")) {
      clustering = som.cluster(cluster_params(p));
      cluster = clustering->sample_labels(bmu);
    }
    csv << (clustering ? "unit,row,col,cluster\n" : "unit,row,col\n");
    for (Index i = 0; i < bmu.size(); ++i) {
      csv << bmu[i] << ',' << bmu[i] / cols << ',' << bmu[i] % cols;
      if (clustering) csv << ',' << cluster[i];
      csv << '\n';
    }
    summary << " on " << distinct(bmu) << " of " << som.n_units() << " units";
    if (clustering) {
      const Index noise = Index((cluster.array() < 0).count());
      summary << " in " << distinct(cluster) - (noise > 0 ? 1 : 0) << " of " << clustering->n_clusters << " clusters ("
              << detail::method_display_name(clustering->method) << " of the units' "
              << name_of(clustering->feature_space) << ")";
      if (noise > 0) summary << ", " << noise << " on noise units";
    }
    summary << ", mean QE " << fixed(quantization_error(r)) << ", TE " << fixed(topographic_error(r, som.grid()));
    if (data.y.size() > 0) {  // each unit labelled by its own samples' majority: purity, never held out
      std::map<Index, std::map<Index, Index>> votes;
      for (Index i = 0; i < n; ++i) ++votes[bmu[i]][data.y[i]];
      Index agree = 0;
      for (const auto& [unit, count] : votes) {
        Index best = 0;
        for (const auto& [label, c] : count) best = std::max(best, c);
        agree += best;
      }
      summary << ", purity " << fixed(double(agree) / double(n))
              << " (units labelled by the majority of these samples, so not a held-out accuracy)";
    }
  } else if (kind == "SomVQ") {
    const SomVQ<double> vq = load_som_vq<double>(model);
    check_features(data, vq.n_features(), path, kind);
    const Labels clusters = vq.predict(data.X);
    csv << "cluster\n" << clusters.format(Eigen::IOFormat(0, 0, "", "\n")) << '\n';
    summary << " in " << distinct(clusters) << " of " << vq.n_clusters() << " clusters, mean QE "
            << fixed(vq.quantization_error(data.X));
  } else {
    const SomClassifier<double> clf = load_som_classifier<double>(model);
    check_features(data, clf.n_features(), path, kind);
    const Labels predicted = clf.predict(data.X);
    csv << "label\n" << predicted.format(Eigen::IOFormat(0, 0, "", "\n")) << '\n';
    summary << " in " << distinct(predicted) << " classes, mean QE " << fixed(clf.quantization_error(data.X));
    if (data.y.size() > 0) {
      // The classifier's labels come from its training data: its accuracy is held out only on
      // samples it was not trained on, which the model file's sample hashes tell.
      const Index n_samples = data.y.size();
      Index agree = 0, held_out = 0, held_out_agree = 0;
      const auto stored = notes.find(note_sample_hashes);
      std::vector<std::uint64_t> trained;
      if (stored != notes.end()) {
        trained.resize(stored->second.size() / sizeof(std::uint64_t));
        std::memcpy(trained.data(), stored->second.data(), trained.size() * sizeof(std::uint64_t));
        std::sort(trained.begin(), trained.end());
      }
      const std::vector<std::uint64_t> hashes = sample_hashes(data.X, data.y);
      for (Index i = 0; i < n_samples; ++i) {
        const bool right = predicted[i] == data.y[i];
        agree += right;
        if (!std::binary_search(trained.begin(), trained.end(), hashes[std::size_t(i)])) {
          ++held_out;
          held_out_agree += right;
        }
      }
      const double accuracy = double(agree) / double(n_samples);
      if (stored == notes.end())
        summary << ", accuracy " << fixed(accuracy)
                << " (the model file does not record its training samples, so this may not be held out)";
      else if (held_out == 0)
        summary << ", training accuracy " << fixed(accuracy) << " (every sample is a training sample)";
      else if (held_out == n_samples)
        summary << ", held-out accuracy " << fixed(accuracy) << " (no sample is a training sample)";
      else
        summary << ", accuracy " << fixed(accuracy) << " (" << n_samples - held_out
                << " of the samples are training samples), held-out accuracy "
                << fixed(double(held_out_agree) / double(held_out)) << " on the other " << held_out;
    }
  }
  summary << read_note;
  write_text(p.get("output"), csv.str());
  report_stream(p.get("output")) << summary.str() << '\n';
  return 0;
}

// ---- impute --------------------------------------------------------------------------------

// A matrix as CSV: the header (if any), then one line per row, shortest round-trip numbers.
std::string matrix_csv(const RowMatrix<double>& X, const std::vector<std::string>& columns) {
  std::ostringstream csv;
  for (std::size_t c = 0; c < columns.size(); ++c) csv << (c ? "," : "") << columns[c];
  if (!columns.empty()) csv << '\n';
  for (Index i = 0; i < X.rows(); ++i) {
    for (Index j = 0; j < X.cols(); ++j) csv << (j ? "," : "") << number(X(i, j));
    csv << '\n';
  }
  return csv.str();
}

int cmd_impute(int argc, char** argv) {
  ArgParser p("somtile impute",
              "Fills the missing values of DATA from a trained Som (or OnlineSom, SomVQ,\n"
              "SomClassifier): each missing cell (an empty, nan or NA field) takes the value of\n"
              "its row's best-matching unit, found over the row's present features (the SOM\n"
              "Toolbox's som_fillnans). Writes the completed\n"
              "feature columns as CSV (with the header of a CSV input; a --label-column is left\n"
              "out), then one summary line (on stderr when the CSV goes to stdout).");
  p.positional("MODEL", "Som, OnlineSom, SomVQ or SomClassifier model file (with or without --missing mask)");
  p.positional("DATA", "samples, .csv or .npy, with the training data's feature columns");
  p.option("output", "FILE", "CSV file to write", "stdout", 'o');
  add_data_options(p);
  if (show_help(p, argc, argv)) return 0;

  const std::string model = p.get("MODEL"), path = p.get("DATA");
  const std::string kind = checked_kind(model, {"Som", "OnlineSom", "SomVQ", "SomClassifier"}, "impute");
  const Dataset data = load_data(path, p, Missing::mask);
  auto fill = [&](const auto& m) {
    check_features(data, m.n_features(), path, kind);
    return impute(m, data.X);
  };
  const RowMatrix<double> filled = kind == "Som"         ? fill(load_som_as_double(model))
                                   : kind == "OnlineSom" ? fill(load_online_som<double>(model))
                                   : kind == "SomVQ"     ? fill(load_som_vq<double>(model))
                                                         : fill(load_som_classifier<double>(model));
  const Index cells = Index(data.X.array().isNaN().count());
  const Index rows = Index((data.X.array().isNaN().rowwise().any()).count());
  write_text(p.get("output"), matrix_csv(filled, data.columns));
  report_stream(p.get("output")) << "filled " << cells << " missing cells in " << rows << " of " << data.X.rows()
                                 << " samples\n";
  return 0;
}

// ---- cluster -------------------------------------------------------------------------------

void add_cluster_options(ArgParser& p) {
  const ClusterParams d;
  p.option("method", "M", choices<ClusterMethod>(), name_of(d.method));
  p.option("clusters", "K",
           "clusters (kmeans, gmm); 0 = automatic (--auto-k for kmeans, lowest BIC for gmm); "
           "hdbscan ignores it",
           std::to_string(d.n_clusters));
  p.option("auto-k", "C", choices<AutoK>() + ": how kmeans picks k when --clusters is 0", name_of(d.auto_k));
  p.option("max-k", "N", "largest automatic k (also capped at sqrt(units))", std::to_string(d.max_k));
  p.option("feature-space", "S", choices<FeatureSpace>(), name_of(d.feature_space));
  p.option("min-cluster-size", "N", "HDBSCAN's min_cluster_size; 0 = max(5, units / 20)",
           std::to_string(d.min_cluster_size));
  p.option("min-samples", "N", "HDBSCAN's min_samples, the unit itself included; 0 = 2", std::to_string(d.min_samples));
  p.option("cluster-selection", "S", choices<ClusterSelection>() + " (HDBSCAN)", name_of(d.cluster_selection_method));
  p.flag("allow-single-cluster", "HDBSCAN may return all units as one cluster");
  p.option("max-iter", "N", "k-means / GMM iterations per run; 0 = 300 / 100", std::to_string(d.max_iter));
  p.option("reg-covar", "R", "added to the GMM covariance diagonals", number(d.reg_covar));
  p.option("cluster-seed", "N", "random seed of k-means / GMM", std::to_string(d.seed));
}

ClusterParams cluster_params(const ArgParser& p) {
  const ClusterParams d;
  ClusterParams c;
  c.method = p.get_choice("method", names_of<ClusterMethod>(), d.method);
  c.n_clusters = p.get_int("clusters", d.n_clusters);
  c.auto_k = p.get_choice("auto-k", names_of<AutoK>(), d.auto_k);
  c.max_k = p.get_int("max-k", d.max_k);
  c.feature_space = p.get_choice("feature-space", names_of<FeatureSpace>(), d.feature_space);
  c.min_cluster_size = p.get_int("min-cluster-size", d.min_cluster_size);
  c.min_samples = p.get_int("min-samples", d.min_samples);
  c.cluster_selection_method =
      p.get_choice("cluster-selection", names_of<ClusterSelection>(), d.cluster_selection_method);
  c.allow_single_cluster = p.has("allow-single-cluster");
  c.max_iter = int(p.get_int("max-iter", d.max_iter));
  c.reg_covar = p.get_double("reg-covar", d.reg_covar);
  c.seed = p.get_uint("cluster-seed", d.seed);
  return c;
}

int cmd_cluster(int argc, char** argv) {
  ArgParser p("somtile cluster",
              "Clusters the units of a Som; writes unit,row,col,cluster (-1 = noise) and prints the\n"
              "quality of the clustering (silhouette, Davies-Bouldin, Calinski-Harabasz).");
  p.positional("MODEL", "Som model file");
  p.option("output", "FILE", "CSV file to write, one line per unit after a header", "stdout", 'o');
  add_cluster_options(p);
  p.option("threads", "N", "threads, 0 = all available", "0");
  if (show_help(p, argc, argv)) return 0;

  const Som<double> som = load_som_for(p.get("MODEL"), "cluster");
  ClusterParams c = cluster_params(p);
  c.n_threads = int(p.get_int("threads", 0));
  const ClusterResult r = som.cluster(c);

  const Index cols = som.params().cols;
  std::ostringstream csv;
  csv << "unit,row,col,cluster\n";
  for (Index u = 0; u < r.labels.size(); ++u)
    csv << u << ',' << u / cols << ',' << u % cols << ',' << r.labels[u] << '\n';
  write_text(p.get("output"), csv.str());

  std::ostream& out = report_stream(p.get("output"));
  // The plots' words: "k-means clustering (weights) of 48 units: 3 clusters".
  out << detail::method_display_name(r.method) << " clustering (" << name_of(r.feature_space) << ") of "
      << som.n_units() << " units: " << r.n_clusters << " clusters";
  if (!r.k_scores.empty()) out << " (chosen automatically)";
  out << "\n  silhouette          " << fixed(r.metrics.silhouette) << "  (higher is better, max 1)"
      << "\n  davies_bouldin      " << fixed(r.metrics.davies_bouldin) << "  (lower is better)"
      << "\n  calinski_harabasz   " << fixed(r.metrics.calinski_harabasz, 2) << "  (higher is better)"
      << "\n  noise units         " << r.metrics.n_noise << " (" << fixed(100 * r.metrics.noise_ratio, 1) << " %)";
  if (!std::isnan(r.inertia)) out << "\n  inertia             " << fixed(r.inertia);
  if (!std::isnan(r.bic))
    out << "\n  bic                 " << fixed(r.bic, 2) << "\n  aic                 " << fixed(r.aic, 2);
  if (!r.k_scores.empty()) {
    out << "\n  " << r.k_criterion << " for k = 1.." << r.k_scores.size() << ":";
    for (double v : r.k_scores) out << ' ' << fixed(v, 3);
  }
  out << '\n';
  return 0;
}

// ---- grow ----------------------------------------------------------------------------------

int cmd_grow(int argc, char** argv) {
  const GrowingSomParams d;
  ArgParser p("somtile grow",
              "Grows a SOM (DBGSOM) on the data and saves it: a SomVQ (vector quantiser and\n"
              "clusterer), or with --classifier a SomClassifier trained on --label-column.");
  p.positional("DATA", "training data, .csv or .npy (rows are samples)");
  p.option("output", "FILE", "model file to write (required)", "", 'o');
  p.flag("classifier", "grow a SomClassifier (needs --label-column)");
  p.option("max-neurons", "N", "cap on the neurons (>= 4); 0 = 5 sqrt(samples)", std::to_string(d.max_neurons));
  p.option("lambda", "L", "growth threshold factor; lower = more neurons", number(d.lambda_));
  p.option("max-iter", "N", "epochs, growing and fine-tuning together", std::to_string(d.max_iter));
  p.option("sigma-start", "S", "neighbourhood width at the start, in lattice hops; 0 = 0.2 sqrt(neurons)",
           number(d.sigma_start));
  p.option("sigma-end", "S", "width at the end of growing; 0 = max(0.7, 0.05 sqrt(neurons))", number(d.sigma_end));
  p.option("growth-criterion", "C", choices<GrowthCriterion>() + " (entropy needs --classifier)", "quantization_error");
  p.option("seed", "N", "random seed", std::to_string(d.seed));
  p.option("threads", "N", "threads, 0 = all available", std::to_string(d.n_threads));
  p.option("missing", "M",
           choices<Missing>() +
               ": mask reads empty, nan and NA cells as missing values and grows "
               "on the present features (saved in the model)",
           name_of(d.missing));
  add_scale_option(p);
  add_data_options(p);
  if (show_help(p, argc, argv)) return 0;

  const std::string output = p.require("output");
  const bool classifier = p.has("classifier");
  if (classifier && !p.has("label-column")) throw UsageError("--classifier needs --label-column");
  GrowingSomParams g;
  g.max_neurons = p.get_int("max-neurons", d.max_neurons);
  g.lambda_ = p.get_double("lambda", d.lambda_);
  g.max_iter = p.get_int("max-iter", d.max_iter);
  g.sigma_start = p.get_double("sigma-start", d.sigma_start);
  g.sigma_end = p.get_double("sigma-end", d.sigma_end);
  g.growth_criterion = p.get_choice("growth-criterion", names_of<GrowthCriterion>(), d.growth_criterion);
  g.seed = p.get_uint("seed", d.seed);
  g.n_threads = int(p.get_int("threads", d.n_threads));
  g.scaling = p.get_choice("scale", names_of<Scaling>(), d.scaling);
  g.missing = p.get_choice("missing", names_of<Missing>(), d.missing);

  const Dataset data = load_data(p.get("DATA"), p, g.missing);
  std::ostringstream summary;
  summary << "on " << data.X.rows() << " samples x " << data.X.cols() << " features: ";
  if (classifier) {
    SomClassifier<double> clf(g);
    clf.fit(data.X, data.y);
    save(clf, output);
    set_model_notes(output, {{note_sample_hashes, hashes_note(sample_hashes(data.X, data.y))}});
    summary << clf.n_neurons() << " neurons after " << clf.n_iter() << " epochs, QE " << fixed(clf.quantization_error())
            << ", TE " << fixed(clf.topographic_error()) << ", training accuracy " << fixed(clf.score(data.X, data.y));
  } else {
    SomVQ<double> vq(g);
    vq.fit(data.X);
    save(vq, output);
    summary << vq.n_neurons() << " neurons after " << vq.n_iter() << " epochs, " << vq.n_clusters() << " clusters, QE "
            << fixed(vq.quantization_error()) << ", TE " << fixed(vq.topographic_error());
  }
  std::cout << "grew a " << (classifier ? "SomClassifier " : "SomVQ ") << summary.str() << "\nwrote " << output << '\n';
  return 0;
}

// ---- plot ----------------------------------------------------------------------------------

// Collects the paths of the files a plot command writes, inside its output directory.
class OutputFiles {
 public:
  explicit OutputFiles(const std::filesystem::path& dir) : dir_(dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec) throw InputError("cannot create directory '" + dir_.string() + "': " + ec.message());
  }
  const std::string& operator()(const char* name) { return written_.emplace_back((dir_ / name).string()); }
  const std::vector<std::string>& written() const { return written_; }

 private:
  std::filesystem::path dir_;
  std::vector<std::string> written_;
};

// Component planes of a wide map: the max_planes of largest weight variance, said on stdout.
void plot_planes(const Som<double>& som, const std::vector<std::string>& columns, Index max_planes, OutputFiles& file) {
  viz::ComponentPlaneOptions planes;
  planes.names = columns;
  planes.max_planes = max_planes;
  viz::plot_component_planes(som, file("component_planes.svg"), planes);
  const Index D = som.n_features();
  if (max_planes == 0 || D <= max_planes) return;
  std::cout << "component_planes.svg: " << max_planes << " of " << D
            << " features, those of largest weight variance (--max-planes N to change, 0 = all):";
  const char* sep = " ";
  for (const Index j : high_variance_features(som, max_planes)) {
    std::cout << sep
              << (std::size_t(j) < columns.size() ? columns[std::size_t(j)] : "feature " + std::to_string(j + 1));
    sep = ", ";
  }
  std::cout << '\n';
}

void plot_som(const Som<double>& som, const Dataset& data, const RowMatrix<double>& history, const ClusterParams& c,
              Index max_planes, OutputFiles& file) {
  viz::plot_u_matrix(som, file("u_matrix.svg"));
  plot_planes(som, data.columns, max_planes, file);
  const Index max_k = std::min<Index>(10, som.n_units());
  if (max_k >= 2) viz::plot_elbow(som, file("elbow.svg"), max_k, c.feature_space, c.seed);
  viz::plot_cluster_map(som, som.cluster(c), file("cluster_map.svg"));
  if (data.X.rows() > 0) {
    viz::plot_hit_map(som, data.X, file("hit_map.svg"));
    if (data.y.size() > 0)
      viz::plot_classification_map(som, bmus_data_map(som, data.X), data.y, file("classification_map.svg"));
  }
  if (history.rows() > 0) {
    const Eigen::VectorXd qe = history.col(1), te = history.col(2);
    viz::plot_training_errors(std::vector<double>(qe.data(), qe.data() + qe.size()),
                              std::vector<double>(te.data(), te.data() + te.size()), file("training_errors.svg"));
  }
}

// A grown map as a network: on its lattice, on the weights' principal plane, and over 2-D data.
template <typename Model>
void plot_grown(const Model& model, const Dataset& data, bool classifier, OutputFiles& file) {
  viz::GrowingSomPlotOptions o;
  o.color = classifier ? viz::NodeStatistic::label : viz::NodeStatistic::hit_count;
  o.size = viz::NodeStatistic::hit_count;
  viz::plot_growing_som(model, file("network.svg"), o);
  o.layout = viz::NetworkLayout::pca;
  o.color = viz::NodeStatistic::error;
  viz::plot_growing_som(model, file("network_pca.svg"), o);
  if (data.X.rows() > 0) {
    o.layout = viz::NetworkLayout::weights;
    // Samples with a missing cell (a model grown with --missing mask) have no point to draw.
    std::vector<Index> complete;
    for (Index i = 0; i < data.X.rows(); ++i)
      if (!data.X.row(i).hasNaN()) complete.push_back(i);
    o.network.samples = data.X(complete, Eigen::all);
    viz::plot_growing_som(model, file("network_data.svg"), o);
  }
}

int cmd_plot(int argc, char** argv) {
  ArgParser p("somtile plot",
              "Draws a model as SVG files. A Som: U-matrix, component planes, elbow and cluster map;\n"
              "with DATA also the hit map, with --label-column the classification map, with\n"
              "--history the training errors. A SomVQ or SomClassifier: its network on the lattice\n"
              "and on the principal plane of its weights; with 2-feature DATA, over the data.");
  p.positional("MODEL", "model file");
  p.positional("DATA", "samples, .csv or .npy, for the pictures that need data", false);
  p.option("out-dir", "DIR", "directory for the SVG files (created if missing)", ".");
  p.option("history", "FILE", "per-epoch errors written by somtile train --history (Som)");
  p.option("max-planes", "N",
           "component planes drawn at most: the N features of largest weight variance (Som; 0 = all)", "64");
  add_data_options(p);
  add_cluster_options(p);
  if (show_help(p, argc, argv)) return 0;

  const std::string model = p.get("MODEL");
  const std::string kind = checked_kind(model, {"Som", "SomVQ", "SomClassifier"}, "plot");
  if (!p.has("DATA") && p.has("label-column")) throw UsageError("--label-column needs a DATA argument");
  if (kind != "Som" && p.has("history"))
    throw InputError("--history applies to Som models, '" + model + "' holds a " + kind);
  if (kind != "Som" && p.has("max-planes"))
    throw InputError("--max-planes applies to Som models, '" + model + "' holds a " + kind);
  std::optional<Som<double>> som_model;  // loaded first: a Som trained with --missing mask reads NaN cells
  if (kind == "Som") som_model = load_som_as_double(model);
  const Dataset data =
      p.has("DATA") ? load_data(p.get("DATA"), p, som_model ? som_model->params().missing : grown_missing(model, kind))
                    : Dataset{};
  RowMatrix<double> history;
  if (p.has("history")) {
    history = read_csv(p.get("history")).X;
    if (history.cols() != 3)
      throw InputError("'" + p.get("history") + "' has " + std::to_string(history.cols()) +
                       " columns, expected epoch,quantization_error,topographic_error");
  }

  std::optional<OutputFiles> files;
  if (kind == "Som") {
    const Som<double>& som = *som_model;
    if (p.has("DATA")) check_features(data, som.n_features(), p.get("DATA"), kind);
    const ClusterParams c = cluster_params(p);
    const Index max_planes = p.get_int("max-planes", 64);
    if (max_planes < 0)
      throw UsageError("option --max-planes: must be >= 0 (0 = every feature), got " + p.get("max-planes"));
    plot_som(som, data, history, c, max_planes, files.emplace(p.get("out-dir", ".")));
  } else {
    const bool classifier = kind == "SomClassifier";
    auto grown = [&](const auto& m) {
      if (p.has("DATA")) {
        check_features(data, m.n_features(), p.get("DATA"), kind);
        if (m.n_features() != 2)
          throw InputError("a " + kind + " is drawn over its data only for 2 features, '" + model + "' has " +
                           std::to_string(m.n_features()));
      }
      plot_grown(m, data, classifier, files.emplace(p.get("out-dir", ".")));
    };
    if (classifier)
      grown(load_som_classifier<double>(model));
    else
      grown(load_som_vq<double>(model));
  }
  for (const auto& f : files->written()) std::cout << "wrote " << f << '\n';
  return 0;
}

// ---- export and info -----------------------------------------------------------------------

int cmd_export(int argc, char** argv) {
  ArgParser p("somtile export", "Writes a Som's codebook in another format.");
  p.positional("MODEL", "Som model file");
  p.option("format", "F", "cod (SOM_PAK codebook)", "cod");
  p.option("output", "FILE", "file to write (required)", "", 'o');
  if (show_help(p, argc, argv)) return 0;
  const std::string format = p.get("format", "cod"), output = p.require("output");
  if (format != "cod") throw UsageError("option --format: '" + format + "' is not one of cod");
  save_som_pak(load_som_for(p.get("MODEL"), "export"), output);
  std::cout << "wrote " << output << '\n';
  return 0;
}

void print_som_info(const Som<double>& som) {
  const SomParams& s = som.params();
  std::cout << "grid                " << s.rows << " x " << s.cols << ' ' << name_of(s.topology)
            << (s.torus ? ", torus" : "") << "\n"
            << "units               " << som.n_units() << "\n"
            << "features            " << som.n_features() << "\n"
            << "training            " << name_of(s.training) << ", " << s.epochs << " epochs"
            << (s.training == Training::minibatch ? ", batch size " + std::to_string(s.batch_size) : "") << "\n"
            << "sigma               " << number(s.sigma) << ' ' << name_of(s.sigma_decay)
            << (s.sigma_decay == Decay::exponential ? " to " + number(s.sigma_final) : "") << "\n"
            << "learning rate       " << number(s.learning_rate) << ' ' << name_of(s.lr_decay)
            << (s.lr_decay == Decay::exponential ? " to " + number(s.learning_rate_final) : "") << "\n"
            << "neighborhood        " << name_of(s.neighborhood) << ", order " << s.neighborhood_order << "\n"
            << "distance            " << name_of(s.distance) << "\n"
            << "init                " << name_of(s.init) << ", seed " << s.seed << "\n"
            << "scaling             " << name_of(s.scaling) << "\n"
            << "missing             " << name_of(s.missing) << "\n";
}

template <typename Model>
void print_grown_info(const Model& m) {
  const GrowingSomParams& g = m.params();
  std::cout << "neurons             " << m.n_neurons() << " (max " << g.max_neurons << ")\n"
            << "features            " << m.n_features() << "\n"
            << "epochs              " << m.n_iter() << (m.converged() ? ", converged" : "") << "\n"
            << "quantization error  " << fixed(m.quantization_error()) << "\n"
            << "topographic error   " << fixed(m.topographic_error()) << "\n"
            << "lambda              " << number(g.lambda_) << ", seed " << g.seed << "\n"
            << "scaling             " << name_of(g.scaling) << "\n";
}

int cmd_info(int argc, char** argv) {
  ArgParser p("somtile info", "Prints a model's kind, shape and training parameters.");
  p.positional("MODEL", "model file (any somtile model; details for Som, SomVQ, SomClassifier)");
  if (show_help(p, argc, argv)) return 0;
  const std::string path = p.get("MODEL"), kind = model_kind(path);
  const bool is_double = model_scalar_size(path) == int(sizeof(double));
  std::cout << "kind                " << kind << (is_double ? " (double)" : " (float)") << "\n";
  if (kind == "Som") {
    print_som_info(load_som_as_double(path));
  } else if (!is_double) {
    return 0;
  } else if (kind == "SomVQ") {
    const SomVQ<double> vq = load_som_vq<double>(path);
    print_grown_info(vq);
    std::cout << "clusters            " << vq.n_clusters() << "\n";
  } else if (kind == "SomClassifier") {
    const SomClassifier<double> clf = load_som_classifier<double>(path);
    print_grown_info(clf);
    std::cout << "classes             " << clf.classes().transpose().format(Eigen::IOFormat(0, 0, " ")) << "\n";
  }
  // What the program recorded of the training data (model_notes).
  const ModelNotes notes = model_notes(path);
  if (const auto base = notes.find(note_index_base); base != notes.end())
    std::cout << "svmlight input      " << base->second << "-based indices, "
              << (notes.count(note_n_features) ? notes.at(note_n_features) : std::string("?")) << " features\n";
  if (const auto hashes = notes.find(note_sample_hashes); hashes != notes.end())
    std::cout << "training samples    " << hashes->second.size() / sizeof(std::uint64_t)
              << " (recorded, so predict tells held-out accuracy from training accuracy)\n";
  return 0;
}

// ---- main ----------------------------------------------------------------------------------

struct Command {
  const char* name;
  const char* summary;
  int (*run)(int, char**);
};

const Command commands[] = {
    {"train", "train a classic SOM on a .csv or .npy file and save it", cmd_train},
    {"predict", "best-matching unit, cluster or class of each sample", cmd_predict},
    {"impute", "fill the missing values of a data file from a trained model", cmd_impute},
    {"cluster", "cluster a Som's units (kmeans, gmm, hdbscan) and print the diagnostics", cmd_cluster},
    {"grow", "grow a SomVQ or SomClassifier (DBGSOM) on a .csv or .npy file and save it", cmd_grow},
    {"plot", "write SVG pictures of a model (U-matrix, hit map, component planes, ...)", cmd_plot},
    {"export", "write a Som's codebook in SOM_PAK .cod format", cmd_export},
    {"info", "print a model's kind, shape and parameters", cmd_info},
};

std::string main_help() {
  std::string out =
      "usage: somtile COMMAND [options] ...\n\n"
      "Self-organizing maps from the command line (somtile " SOMTILE_VERSION_STRING ").\n\ncommands:\n";
  for (const auto& c : commands)
    out += "  " + std::string(c.name) + std::string(10 - std::strlen(c.name), ' ') + c.summary + "\n";
  out +=
      "\n'somtile COMMAND --help' describes a command's options.\n"
      "Exit status: 0 success, 1 bad input, 2 usage error.\n";
  return out;
}

int run(int argc, char** argv) {
  if (argc < 2) throw UsageError("no command given (see somtile --help)");
  const std::string name = argv[1];
  current_command = name;
  // The library's warnings, in the program's terms (option names, 1-based positions).
  set_warning_handler(
      [](std::string_view w) { std::clog << "somtile warning: " << cli_words(std::string(w)) << '\n'; });
  if (name == "-h" || name == "--help" || name == "help") {
    std::cout << main_help();
    return 0;
  }
  if (name == "--version") {
    std::cout << "somtile " SOMTILE_VERSION_STRING "\n";
    return 0;
  }
  for (const auto& c : commands)
    if (name == c.name) return c.run(argc, argv);
  std::vector<std::string> names;
  for (const auto& c : commands) names.push_back(c.name);
  throw UsageError("unknown command '" + name + "' (commands: " + ArgParser::join(names, ", ") +
                   "; see somtile --help)");
}

// One line, whatever the message holds, in the program's terms.
void print_error(const std::string& message, const std::string& hint = "") {
  std::string line = cli_words(message);
  std::replace(line.begin(), line.end(), '\n', ' ');
  std::cerr << "somtile: error: " << line << hint << '\n';
}

}  // namespace

// " (see somtile COMMAND --help)" when argv names a command.
std::string usage_hint(int argc, char** argv) {
  for (const auto& c : commands)
    if (argc >= 2 && std::strcmp(argv[1], c.name) == 0) return std::string(" (see somtile ") + c.name + " --help)";
  return "";
}

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const UsageError& e) {
    print_error(e.what(), usage_hint(argc, argv));
    return 2;
  } catch (const ParameterError& e) {
    // A parameter the library rejected came from an option value: a bad command line.
    print_error(e.what(), usage_hint(argc, argv));
    return 2;
  } catch (const std::bad_alloc&) {
    print_error("out of memory");
    return 1;
  } catch (const std::exception& e) {
    print_error(e.what());
    return 1;
  } catch (...) {
    print_error("unknown failure");
    return 1;
  }
}
