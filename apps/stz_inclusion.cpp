// stz-inclusion — elastic demonstration and installation check.
//
// Computes the exact voxel-FE stress field of a sheared inclusion (a single STZ voxel by default,
// or a disc / sphere of the given radius) in a stress-free periodic box, compares the centre shear
// stress with Eshelby's analytic value, and writes DIR/inclusion.h5 with the fields.
//
//   stz-inclusion [-o DIR] [--shape 256,128 | --shape 64,64,64] [--radius R] [--shear 0.1]
#include <cmath>
#include <cstdio>
#include <sstream>

#include <CLI/CLI.hpp>

#include "libstz/core/error.hpp"
#include "libstz/core/version.hpp"
#include "libstz/elasticity/fft_elastic_solver.hpp"
#include "libstz/io/hdf5_file.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Stress field of a sheared inclusion (exact voxel FE by FFT)"};
  std::string out_dir = "results/inclusion";
  std::vector<int> shape{256, 128};
  double radius = 0.0, shear = 0.1, youngs = 92.1, poisson = 0.387;
  app.add_option("-o,--output", out_dir, "output directory");
  app.add_option("--shape", shape, "grid shape: 2 entries (2D) or 3 (3D)")->delimiter(',');
  app.add_option("--radius", radius, "inclusion radius in voxels (0 = one voxel)");
  app.add_option("--shear", shear, "engineering shear γ0 of the eigenstrain (ε*_xy = γ0/2)");
  app.add_option("--youngs-GPa", youngs, "Young's modulus, GPa");
  app.add_option("--poisson", poisson, "Poisson ratio");
  CLI11_PARSE(app, argc, argv);
  try {
    using namespace stz;
    if (shape.size() != 2 && shape.size() != 3)
      throw ConfigError("--shape", std::to_string(shape.size()) + " entries", "2 or 3 extents");
    const int dim = static_cast<int>(shape.size());
    const Grid grid(dim == 2 ? std::array<int, 3>{shape[0], shape[1], 1}
                             : std::array<int, 3>{shape[0], shape[1], shape[2]},
                    dim);
    const IsotropicElasticity elasticity(youngs, poisson);
    TensorField eig(grid);
    const std::array<int, 3> c{grid.extent(0) / 2, grid.extent(1) / 2, grid.extent(2) / 2};
    for (std::size_t i = 0; i < grid.size(); ++i) {
      const auto x = grid.coords(i);
      double r2 = 0;
      for (int a = 0; a < dim; ++a) r2 += std::pow(x[a] - c[a], 2);
      if (r2 <= radius * radius) eig(kXY, i) = 0.5 * shear;
    }
    TensorField stress(grid);
    FftElasticSolver(grid, elasticity).solve(eig, nullptr, &stress);
    const double centre = stress(kXY, grid.index(c[0], c[1], c[2]));
    const double mu = elasticity.shear_modulus_GPa(), nu = poisson, e = 0.5 * shear;
    const double eshelby =
        dim == 3 ? -2 * mu * e * (7 - 5 * nu) / (15 * (1 - nu)) : -mu * e / (2 * (1 - nu));
    std::printf("centre shear stress %.4f GPa; Eshelby (infinite body, smooth %s) %.4f GPa\n",
                centre, dim == 3 ? "sphere" : "cylinder", eshelby);

    Hdf5Writer h5(std::filesystem::path(out_dir) / "inclusion.h5");
    std::vector<std::size_t> dims{static_cast<std::size_t>(grid.extent(0)),
                                  static_cast<std::size_t>(grid.extent(1))};
    if (dim == 3) dims.push_back(static_cast<std::size_t>(grid.extent(2)));
    const char* names[6] = {"xx", "yy", "zz", "yz", "xz", "xy"};
    for (int v = 0; v < 6; ++v)
      h5.write(std::string("/fields/stress_GPa_") + names[v], stress.component(v), dims);
    h5.attribute("/", "version", std::string(version_string()));
    h5.attribute("/", "radius_voxels", radius);
    h5.attribute("/", "centre_shear_stress_GPa", centre);
    h5.attribute("/", "eshelby_shear_stress_GPa", eshelby);
    h5.commit();
    std::printf("wrote %s/inclusion.h5\n", out_dir.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "stz-inclusion: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
