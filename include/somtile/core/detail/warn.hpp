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
#include <vector>

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

/// Where this thread's warnings go instead of the handler while a WarningCapture is alive.
inline std::vector<std::string>*& warning_capture() {
  thread_local std::vector<std::string>* capture = nullptr;
  return capture;
}

/// Holds this thread's warnings in `into` for its lifetime, so work run on several threads can
/// emit them afterwards, from the calling thread, in a fixed order (emit_warnings).
class WarningCapture {
 public:
  explicit WarningCapture(std::vector<std::string>& into) : previous_(warning_capture()) { warning_capture() = &into; }
  ~WarningCapture() { warning_capture() = previous_; }
  WarningCapture(const WarningCapture&) = delete;
  WarningCapture& operator=(const WarningCapture&) = delete;

 private:
  std::vector<std::string>* previous_;
};

inline void emit_warning_text(const std::string& text) {
  if (std::vector<std::string>* capture = warning_capture()) {
    capture->push_back(text);
    return;
  }
  WarningState& state = warning_state();
  std::lock_guard<std::mutex> lock(state.mutex);
  if (state.handler) state.handler(text);
}

/// Sends `call + "(): " + message...` to the warning handler.
template <typename... Parts>
void warn(std::string_view call, Parts&&... message) {
  emit_warning_text(concat(call, "(): ", std::forward<Parts>(message)...));
}

/// Sends captured warnings on, in order.
inline void emit_warnings(const std::vector<std::string>& texts) {
  for (const std::string& text : texts) emit_warning_text(text);
}

}  // namespace somtile::detail
