// Uses models of several modules through the installed somtile::precompiled: each call below is
// declared extern by the module headers, so it must come from the library.
#include <somtile/cluster.hpp>
#include <somtile/growing.hpp>
#include <somtile/io.hpp>
#include <somtile/som.hpp>

#include <cstdio>

#ifndef SOMTILE_PRECOMPILED
#error "somtile::precompiled must define SOMTILE_PRECOMPILED for its users"
#endif

using namespace somtile;

int main() {
  RowMatrix<double> X(60, 2);
  Labels y(60);
  for (Index i = 0; i < 60; ++i) {
    X(i, 0) = double(i % 3) * 4.0 + 0.01 * double(i);
    X(i, 1) = double(i % 3) * -2.0 + 0.02 * double(i % 7);
    y[i] = i % 3;
  }
  SomParams p;
  p.rows = 4;
  p.cols = 4;
  p.epochs = 5;
  Som<double> som(p, 2);
  som.fit(X);
  save(som, "precompiled_consumer.som");
  const Som<double> loaded = load_som<double>("precompiled_consumer.som");
  const bool same = loaded.predict(X) == som.predict(X);
  KMeansParams kp;
  kp.n_clusters = 3;
  KMeans<float> km(kp);
  km.fit(X.cast<float>());
  SomClassifier<double> clf;
  const double accuracy = clf.fit(X, y).score(X, y);
  std::printf("precompiled consumer: reloaded map %s, k-means inertia %.3g, accuracy %.2f\n",
              same ? "agrees" : "DIFFERS", km.inertia(), accuracy);
  return same && accuracy > 0.5 ? 0 : 1;
}
