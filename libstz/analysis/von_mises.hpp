// Von Mises (Shimizu–Ogata–Li) equivalent shear strain of symmetric strain tensors (SPEC 3.9).
// Inputs are Voigt tensors (xx, yy, zz, yz, xz, xy) with TENSOR shear entries ε_ij; the result
// is dimensionless. 3D form:
//   η = sqrt(ε_yz² + ε_xz² + ε_xy² + [(ε_xx−ε_yy)² + (ε_yy−ε_zz)² + (ε_zz−ε_xx)²]/6);
// 2D in-plane form (plane strain; zz, yz, xz are ignored):
//   η = sqrt(ε_xy² + (ε_xx−ε_yy)²/4).
// A pure shear with tensor shear γ/2 (engineering γ) gives η = γ/2 in both forms.
#pragma once

#include "libstz/core/voigt.hpp"
#include "libstz/grid/grid.hpp"
#include "libstz/grid/voxel_field.hpp"

namespace stz {

/// 3D von Mises equivalent shear strain of a tensor-shear Voigt strain.
double von_mises_strain(const SymTensor& strain);

/// 2D in-plane von Mises equivalent shear strain (uses only xx, yy and xy).
double von_mises_strain_planar(const SymTensor& strain);

/// Per-voxel von Mises strain of a tensor field: the planar form when grid.dimension() == 2,
/// the 3D form otherwise. The field must have grid.size() voxels. Parallel (OpenMP); each voxel
/// is independent, so the result does not depend on the thread count.
ScalarField von_mises_field(const Grid& grid, const TensorField& strain);

}  // namespace stz
