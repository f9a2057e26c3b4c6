// Missing values: the wine data (178 wines, 13 features in very different units) with 10% and
// 30% of the cells removed at random, mapped with Missing::mask and filled from the map
// (impute: each hole takes its row's best-matching unit's weight), against filling each hole
// with its column's mean. Errors are measured on the removed cells, against their true values.
#include <somtile/somtile.hpp>

#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

int main() {
  using namespace somtile;
  const CsvData data = read_csv(SOMTILE_DATA_DIR "/wine.csv", "label");
  const RowMatrix<double>& truth = data.X;
  const Index n = truth.rows(), F = truth.cols();
  const Eigen::RowVectorXd sd = ((truth.rowwise() - truth.colwise().mean()).array().square().colwise().mean()).sqrt();

  std::printf("wine, %ld x %ld; RMSE over the removed cells: in the data's units | in standard deviations\n", long(n),
              long(F));
  for (const double fraction : {0.1, 0.3}) {
    RowMatrix<double> X = truth;  // remove cells at random, leaving every row a present feature
    Random rng(7);
    for (Index i = 0; i < n; ++i)
      for (Index j = 0; j < F; ++j)
        if (rng.uniform() < fraction && (X.row(i).array().isNaN().count() + 1 < F))
          X(i, j) = std::numeric_limits<double>::quiet_NaN();
    // The holes as a CSV file (empty fields), e.g. for other imputers on the same cells.
    const std::string file = "wine_missing_" + std::to_string(int(100 * fraction)) + ".csv";
    if (std::FILE* out = std::fopen(file.c_str(), "w")) {
      for (Index i = 0; i < n; ++i)
        for (Index j = 0; j < F; ++j)
          std::isnan(X(i, j)) ? std::fprintf(out, j + 1 < F ? "," : "\n")
                              : std::fprintf(out, j + 1 < F ? "%.17g," : "%.17g\n", X(i, j));
      std::fclose(out);
    }

    // The SOM Toolbox's map for these data, trained on the incomplete rows themselves.
    const SomParams params = suggest_som_params(X, Scaling::standard, Missing::mask);
    Som<double> som(params, F);
    som.fit(X);
    const RowMatrix<double> filled = impute(som, X);

    double som_sq = 0, mean_sq = 0, som_z = 0, mean_z = 0;
    Index holes = 0;
    for (Index j = 0; j < F; ++j) {
      double sum = 0;
      Index present = 0;
      for (Index i = 0; i < n; ++i)
        if (!std::isnan(X(i, j))) sum += X(i, j), ++present;
      const double column_mean = sum / double(present);
      for (Index i = 0; i < n; ++i) {
        if (!std::isnan(X(i, j))) continue;
        const double e_som = filled(i, j) - truth(i, j), e_mean = column_mean - truth(i, j);
        som_sq += e_som * e_som;
        mean_sq += e_mean * e_mean;
        som_z += (e_som / sd[j]) * (e_som / sd[j]);
        mean_z += (e_mean / sd[j]) * (e_mean / sd[j]);
        ++holes;
      }
    }
    const double h = double(holes);
    std::printf("%2.0f%% missing (%ld cells, %ld x %ld map): SOM %.2f | %.3f, column mean %.2f | %.3f  (%s)\n",
                100 * fraction, long(holes), long(params.rows), long(params.cols), std::sqrt(som_sq / h),
                std::sqrt(som_z / h), std::sqrt(mean_sq / h), std::sqrt(mean_z / h), file.c_str());
  }
  return 0;
}
