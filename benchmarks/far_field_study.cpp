// How much of the fast engine's far-field work bound a block-centre tracked stress would remove
// (docs/performance.md, "Why ≥ 100× at 32³ is out of reach"): for every event position p in its
// block and block offset o, the bound the engine uses today, V(p,o) = max over the block's far
// sites q of ‖M(x_q − x_p)‖ (M: the kernel on the mode space, its operator norm), against the
// bound a scheme that applies the block's mean kernel exactly would still need,
// U(p,o) = max_q ‖M(x_q − x_p) − mean_q M‖. Prints Σ_o U / Σ_o V (averaged over p: δ_b's growth
// per event in the two schemes) and the same ratio by block distance.
//
//   far_field_study SHAPE [block_voxels] [near_field_voxels]
#include <Eigen/Dense>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "libstz/elasticity/compact_response_kernel.hpp"
#include "libstz/elasticity/fft_elastic_solver.hpp"
#include "libstz/sim/fast_engine.hpp"
#include "libstz/sim/simulation.hpp"
#include "shape_arg.hpp"

namespace {

using Mat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, 0, 6, 6>;

double operator_norm(const Mat& m) {
  Eigen::JacobiSVD<Mat> svd(m);
  return svd.singularValues()(0);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: far_field_study SHAPE [block_voxels] [near_field_voxels]\n");
    return 2;
  }
  stz::SimulationParams params;
  params.grid.shape = stz::bench::parse_shape(argv[1]);
  const int block = argc > 2 ? std::atoi(argv[2]) : 4;
  const stz::Simulation sim(params);
  const stz::StzModel& model = sim.model();
  const stz::Grid& grid = sim.grid();
  const double radius = argc > 3 ? std::atof(argv[3]) : (grid.dimension() == 3 ? 5.5 : 7.5);
  const stz::FftElasticSolver solver(
      grid, stz::IsotropicElasticity(params.material.youngs_GPa, params.material.poisson));
  const stz::CompactResponseKernel kernel(solver, model.active_components(), model.cluster());
  const auto& basis = model.mode_space_basis();
  const int d = static_cast<int>(basis.size());

  // The kernel on the mode space at every offset, as the engine's bounds see it.
  std::vector<Mat> m(grid.size(), Mat(d, d));
  for (std::size_t k = 0; k < grid.size(); ++k) {
    double md[36];
    stz::mode_space_kernel(kernel, basis, k, md);
    for (int j = 0; j < d; ++j)
      for (int l = 0; l < d; ++l) m[k](j, l) = md[j * d + l];
  }
  const int n[3] = {grid.extent(0), grid.extent(1), grid.extent(2)};
  const int b[3] = {std::min(block, n[0]), std::min(block, n[1]),
                    n[2] == 1 ? 1 : std::min(block, n[2])};
  const int nb[3] = {n[0] / b[0], n[1] / b[1], n[2] / b[2]};
  for (int a = 0; a < 3; ++a)
    if (n[a] % b[a] != 0) {
      std::fprintf(stderr, "far_field_study: block_voxels %d must divide every extent\n", block);
      return 2;
    }
  auto is_near = [&](int dx, int dy, int dz) {
    // Shortest periodic image, as the engine's wrapped near-field offsets.
    auto wrap = [](int v, int len) {
      v %= len;
      if (v < 0) v += len;
      return std::min(v, len - v);
    };
    const int x = wrap(dx, n[0]), y = wrap(dy, n[1]), z = wrap(dz, n[2]);
    return static_cast<double>(x * x + y * y + z * z) <= radius * radius;
  };
  double sum_v = 0.0, sum_u = 0.0;
  std::map<int, std::pair<double, double>> by_distance;  // block distance (Chebyshev) → (ΣV, ΣU)
  const int positions = b[0] * b[1] * b[2];
  for (int px = 0; px < b[0]; ++px)
    for (int py = 0; py < b[1]; ++py)
      for (int pz = 0; pz < b[2]; ++pz)
        for (int ox = 0; ox < nb[0]; ++ox)
          for (int oy = 0; oy < nb[1]; ++oy)
            for (int oz = 0; oz < nb[2]; ++oz) {
              std::vector<std::size_t> far;
              for (int qx = 0; qx < b[0]; ++qx)
                for (int qy = 0; qy < b[1]; ++qy)
                  for (int qz = 0; qz < b[2]; ++qz) {
                    const int dx = ox * b[0] + qx - px, dy = oy * b[1] + qy - py,
                              dz = oz * b[2] + qz - pz;
                    if (!is_near(dx, dy, dz)) far.push_back(grid.wrapped_index(dx, dy, dz));
                  }
              if (far.empty()) continue;
              Mat mean = Mat::Zero(d, d);
              for (std::size_t k : far) mean += m[k];
              mean /= static_cast<double>(far.size());
              double v = 0.0, u = 0.0;
              for (std::size_t k : far) {
                v = std::max(v, operator_norm(m[k]));
                u = std::max(u, operator_norm(m[k] - mean));
              }
              auto bd = [](int o, int len) { return std::min(o, len - o); };
              const int dist = std::max({bd(ox, nb[0]), bd(oy, nb[1]), bd(oz, nb[2])});
              by_distance[dist].first += v;
              by_distance[dist].second += u;
              sum_v += v;
              sum_u += u;
            }
  std::printf("%s, blocks %dx%dx%d, near field %.1f voxels\n", argv[1], b[0], b[1], b[2], radius);
  std::printf(
      "per event (mean over its block position): sum over blocks of V = %.4g, of U = %.4g,"
      " U/V = %.3f\n",
      sum_v / positions, sum_u / positions, sum_u / sum_v);
  for (const auto& [dist, vu] : by_distance)
    std::printf("  block distance %d: sum V %.4g  sum U %.4g  U/V %.3f\n", dist,
                vu.first / positions, vu.second / positions, vu.second / vu.first);
  return 0;
}
