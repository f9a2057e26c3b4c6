#pragma once
// Precompiled mode. Each module writes its float and double instantiations down once, as an
// X-macro list in <module>/detail/instantiations.hpp: SOMTILE_<MODULE>_INSTANTIATIONS(X, S)
// calls X(declaration) once per instantiation, with S the scalar. Two expansions use it:
//   src/<module>.cpp      X = SOMTILE_INSTANTIATE: explicit instantiation definitions, compiled
//                         once into somtile::precompiled;
//   the module header     X = SOMTILE_EXTERN_TEMPLATE when SOMTILE_PRECOMPILED is defined
//                         (somtile::precompiled defines it for the programs that link it): the
//                         program's translation units compile none of them.
// A list therefore cannot drift from the library it declares. The extern declarations come from
// the module headers (somtile/som.hpp, ...), not from the files in the module's folder.

#define SOMTILE_INSTANTIATE(...) template __VA_ARGS__;
#define SOMTILE_EXTERN_TEMPLATE(...) extern template __VA_ARGS__;

/// Expands a module's list for float and double, or for double alone in test trees whose tests
/// are double only (SOMTILE_TEST_DOUBLE_ONLY): their library compiles half the instantiations,
/// and a float model a test still uses is compiled in that test's own file.
#if defined(SOMTILE_PRECOMPILED_DOUBLE_ONLY)
#define SOMTILE_FOR_PRECOMPILED_SCALARS(list, X) list(X, double)
#else
#define SOMTILE_FOR_PRECOMPILED_SCALARS(list, X) list(X, float) list(X, double)
#endif

// The precompiled classes define their public members outside the class body. GCC instantiates
// the inline members of an `extern template` class wherever they are called (to be able to
// inline them), and members defined in the class are inline: their bodies would be compiled again
// in every program that links somtile::precompiled. Members defined outside are not inline, so
// the program takes them from the library. SOMTILE_OUTLINE (never inline) is for the few thin
// wrappers that stay in a class body.
#if defined(__GNUC__)
#define SOMTILE_OUTLINE [[gnu::noinline]]
#else
#define SOMTILE_OUTLINE
#endif
