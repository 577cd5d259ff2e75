// SPDX-License-Identifier: Apache-2.0
// Error type, error codes and the MXS_CHECK / MXS_THROW macros used everywhere in the runtime.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace mxserve {

/// What kind of failure an Error reports; maps to the Python exception classes in mxserve/errors.py.
enum class ErrorCode : int {
  kInvalidArgument = 1,  ///< bad file, bad shape, bad dtype, bad attribute: the caller's input
  kNotFound = 2,         ///< a named input, output, parameter or file does not exist
  kUnsupported = 3,      ///< valid MXNet input that mxserve does not implement
  kOutOfMemory = 4,      ///< an allocation failed
  kDevice = 5,           ///< the backend (oneDNN, CUDA) reported a failure
  kInternal = 6,         ///< a bug in mxserve
};

/// Name of an ErrorCode, e.g. "InvalidArgument".
const char* ErrorCodeName(ErrorCode code);

/// The one exception type the runtime throws.
class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

namespace detail {
/// Collects a message with operator<< and throws it as an Error when destroyed.
class ErrorBuilder {
 public:
  explicit ErrorBuilder(ErrorCode code) : code_(code) {}
  ErrorBuilder(const ErrorBuilder&) = delete;
  [[noreturn]] ~ErrorBuilder() noexcept(false) { throw Error(code_, stream_.str()); }
  template <typename T>
  ErrorBuilder& operator<<(const T& value) {
    stream_ << value;
    return *this;
  }

 private:
  ErrorCode code_;
  std::ostringstream stream_;
};
}  // namespace detail

}  // namespace mxserve

/// Throws mxserve::Error with `code` and the streamed message: MXS_THROW(kNotFound) << "no input " << n;
#define MXS_THROW(code) ::mxserve::detail::ErrorBuilder(::mxserve::ErrorCode::code)

/// Throws kInvalidArgument with the streamed message unless `cond` holds.
#define MXS_CHECK(cond) \
  if (cond) {           \
  } else                \
    MXS_THROW(kInvalidArgument)

/// Throws `code` with the streamed message unless `cond` holds.
#define MXS_CHECK_CODE(cond, code) \
  if (cond) {                      \
  } else                           \
    MXS_THROW(code)
