// Grid topology, neighbourhood kernels and decay schedules at hand-computed points.
// Scalars: no templated test cases.
#include <somtile/grid/grid.hpp>
#include <somtile/grid/neighborhood.hpp>
#include <somtile/grid/schedule.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <set>

using namespace somtile;

TEST_CASE("rectangular grid positions and distances", "[grid]") {
  Grid g(3, 4);
  CHECK(g.size() == 12);
  CHECK(g.unit(1, 2) == 6);
  CHECK(g.row_of(6) == 1);
  CHECK(g.col_of(6) == 2);
  CHECK(g.x(6) == 2.0);
  CHECK(g.y(6) == 1.0);
  CHECK(g.distance_sq(g.unit(0, 0), g.unit(2, 3)) == Approx(4 + 9));
  CHECK(g.hops(g.unit(0, 0), g.unit(2, 3)) == 3);
  CHECK(g.adjacent(g.unit(1, 1), g.unit(2, 2)));
  CHECK_FALSE(g.adjacent(g.unit(1, 1), g.unit(1, 1)));
  CHECK_FALSE(g.adjacent(g.unit(0, 0), g.unit(0, 2)));
}

TEST_CASE("rectangular rings hold 8k cells", "[grid]") {
  Grid g(11, 11);
  const Index centre = g.unit(5, 5);
  for (Index k = 1; k <= 4; ++k) {
    const auto ring = g.ring(centre, k);
    CHECK(Index(ring.size()) == 8 * k);
    for (Index u : ring) CHECK(std::max(std::abs(g.row_of(u) - 5), std::abs(g.col_of(u) - 5)) == k);
  }
  CHECK(g.neighbors(centre, 3).size() == 48);
  // Corner: clipped to the 3 cells inside the map.
  CHECK(g.ring(0, 1) == std::vector<Index>{1, 11, 12});
}

TEST_CASE("hexagonal neighbours are all at distance exactly 1", "[grid]") {
  Grid g(8, 9, Topology::hexagonal);
  for (Index r = 1; r < 7; ++r) {
    for (Index c = 1; c < 8; ++c) {
      const Index u = g.unit(r, c);
      const auto ring = g.ring(u, 1);
      REQUIRE(ring.size() == 6);
      for (Index v : ring) CHECK(g.distance(u, v) == Approx(1.0).epsilon(1e-12));
      // Nothing else lies within distance 1.
      for (Index v = 0; v < g.size(); ++v)
        if (v != u && g.distance(u, v) < 1.0 + 1e-9) CHECK(g.adjacent(u, v));
    }
  }
  // Odd rows are shifted right: (3, 4) touches (2, 4), (2, 5), (4, 4), (4, 5).
  const auto ring = g.ring(g.unit(3, 4), 1);
  const std::vector<Index> expected{g.unit(2, 4), g.unit(2, 5), g.unit(3, 3), g.unit(3, 5), g.unit(4, 4), g.unit(4, 5)};
  CHECK(ring == expected);
  // Even rows touch the columns to their left.
  const std::vector<Index> even{g.unit(1, 3), g.unit(1, 4), g.unit(2, 3), g.unit(2, 5), g.unit(3, 3), g.unit(3, 4)};
  CHECK(g.ring(g.unit(2, 4), 1) == even);
  CHECK(g.y(g.unit(2, 0)) == Approx(std::sqrt(3.0)));
}

TEST_CASE("hexagonal rings hold 6k cells", "[grid]") {
  Grid g(15, 15, Topology::hexagonal);
  for (Index row : {6, 7}) {
    const Index centre = g.unit(row, 7);
    for (Index k = 1; k <= 4; ++k) CHECK(g.ring(centre, k).size() == std::size_t(6 * k));
    CHECK(g.neighbors(centre, 3).size() == 36);
  }
}

TEST_CASE("torus wraps distances and rings", "[grid]") {
  Grid g(6, 8, Topology::rectangular, true);
  CHECK(g.distance_sq(g.unit(0, 0), g.unit(0, 7)) == Approx(1.0));
  CHECK(g.distance_sq(g.unit(0, 0), g.unit(5, 7)) == Approx(2.0));
  CHECK(g.adjacent(g.unit(0, 0), g.unit(5, 7)));
  CHECK(g.hops(g.unit(0, 0), g.unit(3, 4)) == 4);
  for (Index u = 0; u < g.size(); ++u) CHECK(g.ring(u, 1).size() == 8);
  CHECK(g.ring(0, 2).size() == 16);

  Grid h(6, 8, Topology::hexagonal, true);
  for (Index u = 0; u < h.size(); ++u) {
    const auto ring = h.ring(u, 1);
    REQUIRE(ring.size() == 6);
    for (Index v : ring) CHECK(h.distance(u, v) == Approx(1.0).epsilon(1e-12));
  }
  // Across the seam: (0, 0) and (5, 0) are neighbours (row 5 is odd, shifted right).
  CHECK(h.adjacent(h.unit(0, 0), h.unit(5, 0)));
  CHECK(h.adjacent(h.unit(0, 0), h.unit(5, 7)));
  CHECK(h.distance(h.unit(0, 0), h.unit(0, 7)) == Approx(1.0));
}

TEST_CASE("small torus rings do not double count", "[grid]") {
  Grid g(3, 3, Topology::rectangular, true);
  CHECK(g.ring(4, 1).size() == 8);
  CHECK(g.ring(4, 2).empty());
}

TEST_CASE("grid rejects bad shapes", "[grid][errors]") {
  CHECK_THROWS_WITH(Grid(0, 3), "Grid(): rows must be > 0, got 0");
  CHECK_THROWS_AS(Grid(3, -1), ParameterError);
  CHECK_THROWS_WITH(Grid(5, 4, Topology::hexagonal, true),
                    "Grid(): a hexagonal torus needs an even number of rows to tile, got rows = 5");
  CHECK_THROWS_WITH(Grid(Index(1) << 40, Index(1) << 30),
                    "Grid(): rows * cols (1099511627776 * 1073741824) overflows the unit index");
  CHECK(Grid(Index(1) << 40, Index(1) << 20).size() == Index(1) << 60);  // no allocation
}

TEST_CASE("positions matrix matches x and y", "[grid]") {
  Grid g(3, 2, Topology::hexagonal);
  const auto p = g.positions();
  REQUIRE(p.rows() == 6);
  CHECK(p(3, 0) == Approx(1.5));  // (1, 1): odd row shifted right
  CHECK(p(3, 1) == Approx(std::sqrt(3.0) / 2));
}

TEST_CASE("neighbourhood kernels at known points", "[kernels]") {
  CHECK(neighborhood_weight(Neighborhood::gaussian, 0.0, 2.0) == 1.0);
  CHECK(neighborhood_weight(Neighborhood::gaussian, 4.0, 2.0) == Approx(std::exp(-0.5)));
  CHECK(neighborhood_weight(Neighborhood::mexican_hat, 0.0, 2.0) == 1.0);
  CHECK(neighborhood_weight(Neighborhood::mexican_hat, 4.0, 2.0) == Approx(0.0).margin(1e-15));
  CHECK(neighborhood_weight(Neighborhood::mexican_hat, 16.0, 2.0) == Approx(-3.0 * std::exp(-2.0)));
  CHECK(neighborhood_weight(Neighborhood::bubble, 4.0, 2.0) == 1.0);
  CHECK(neighborhood_weight(Neighborhood::bubble, 4.01, 2.0) == 0.0);
  CHECK(neighborhood_weight(Neighborhood::triangle, 1.0, 2.0) == Approx(0.5));
  CHECK(neighborhood_weight(Neighborhood::triangle, 9.0, 2.0) == 0.0);
  for (auto kind : {Neighborhood::gaussian, Neighborhood::mexican_hat, Neighborhood::bubble, Neighborhood::triangle}) {
    const double r = neighborhood_radius(kind, 3.0, 1e-6);
    for (double d = r + 0.01; d < r + 20; d += 0.5) CHECK(std::abs(neighborhood_weight(kind, d * d, 3.0)) < 1e-6);
  }
}

TEST_CASE("decay schedules at known points", "[kernels]") {
  CHECK(decay(Decay::asymptotic, 3.0, 0, 10) == 3.0);
  CHECK(decay(Decay::asymptotic, 3.0, 5, 10) == Approx(1.5));
  CHECK(decay(Decay::inverse_to_zero, 1.0, 1, 100) == Approx(0.5));
  CHECK(decay(Decay::inverse_to_zero, 1.0, 99, 100) == Approx(0.01));
  CHECK(decay(Decay::linear_to_zero, 2.0, 5, 10) == Approx(1.0));
  CHECK(decay(Decay::inverse_to_one, 5.0, 10, 10) == Approx(1.0));
  CHECK(decay(Decay::inverse_to_one, 5.0, 5, 10) == Approx(5.0 / 3.0));
  CHECK(decay(Decay::linear_to_one, 5.0, 5, 10) == Approx(3.0));
  CHECK(decay(Decay::exponential, 20.0, 0, 10, 1.0) == Approx(20.0));
  CHECK(decay(Decay::exponential, 20.0, 10, 10, 1.0) == Approx(1.0));
  CHECK(decay(Decay::exponential, 16.0, 5, 10, 1.0) == Approx(4.0));
}
