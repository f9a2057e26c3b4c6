#pragma once
// Warnings: conditions that are not errors but usually mean a result is not what the caller
// wanted (a growing map that did not grow, sigma wider than the map, k-means that did not
// converge, features on very different scales with no scaling). Each is one line handed to
// the warning handler; the default writes it to std::clog.
//
//   auto previous = somtile::set_warning_handler([&](std::string_view w) { log.push_back(std::string(w)); });
//   ...
//   somtile::set_warning_handler(previous);     // or {} to silence warnings
//
// Warnings are emitted by the calling thread, outside parallel regions; the handler is
// guarded by a mutex, so models trained on several threads at once may share it.

#include "somtile/core/detail/warn.hpp"  // the handler's state, detail::warn

#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace somtile {

/// Receives one warning message (no trailing newline), e.g.
/// "SomVQ::fit(): the map did not grow beyond its 4 seed neurons; lower lambda_".
using WarningHandler = std::function<void(std::string_view)>;

/// Installs `handler` (an empty function silences warnings) and returns the previous one.
inline WarningHandler set_warning_handler(WarningHandler handler) {
  detail::WarningState& state = detail::warning_state();
  std::lock_guard<std::mutex> lock(state.mutex);
  std::swap(state.handler, handler);
  return handler;
}

/// Installs a handler for the lifetime of a scope and restores the previous one after it
/// (e.g. a test collecting the warnings of one call).
class ScopedWarningHandler {
 public:
  /// Installs `handler` until this object is destroyed.
  explicit ScopedWarningHandler(WarningHandler handler) : previous_(set_warning_handler(std::move(handler))) {}
  ~ScopedWarningHandler() { set_warning_handler(std::move(previous_)); }
  ScopedWarningHandler(const ScopedWarningHandler&) = delete;
  ScopedWarningHandler& operator=(const ScopedWarningHandler&) = delete;

 private:
  WarningHandler previous_;
};

}  // namespace somtile
