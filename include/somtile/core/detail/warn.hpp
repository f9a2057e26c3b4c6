#pragma once
// The warning handler's state and detail::warn, which every module calls to emit a warning
// (the public face, set_warning_handler, is core/warning.hpp).

#include "somtile/core/error.hpp"

#include <functional>
#include <iostream>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace somtile::detail {

struct WarningState {
  std::mutex mutex;
  std::function<void(std::string_view)> handler = [](std::string_view message) {
    std::clog << "somtile warning: " << message << '\n';
  };
};

inline WarningState& warning_state() {
  static WarningState state;  // one per program: inline functions share their statics
  return state;
}

/// Sends `call + "(): " + message...` to the warning handler.
template <typename... Parts>
void warn(std::string_view call, Parts&&... message) {
  const std::string text = concat(call, "(): ", std::forward<Parts>(message)...);
  WarningState& state = warning_state();
  std::lock_guard<std::mutex> lock(state.mutex);
  if (state.handler) state.handler(text);
}

}  // namespace somtile::detail
