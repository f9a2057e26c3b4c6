#pragma once
// One table of names per run-time choice enum, in enumerator order: the words the command
// line accepts and prints, the labels plots use, and the range a model file's value is checked
// against when it is read. Each enum's table is a specialisation of EnumNames next to the enum.

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace somtile {

/// Specialised for every choice enum: `static constexpr std::array<std::string_view, N> names`.
template <typename Enum>
struct EnumNames;

/// Number of enumerators of Enum.
template <typename Enum>
constexpr std::size_t enum_count = EnumNames<Enum>::names.size();

/// The name of an enumerator, e.g. enum_name(Topology::hexagonal) == "hexagonal".
template <typename Enum>
constexpr std::string_view enum_name(Enum value) {
  const auto k = std::size_t(value);
  return k < enum_count<Enum> ? EnumNames<Enum>::names[k] : std::string_view("?");
}

/// The enumerator with this name, or nothing.
template <typename Enum>
constexpr std::optional<Enum> enum_from_name(std::string_view name) {
  for (std::size_t k = 0; k < enum_count<Enum>; ++k)
    if (EnumNames<Enum>::names[k] == name) return Enum(k);
  return std::nullopt;
}

}  // namespace somtile
