// One error model for every library layer: functions return Expected<T>, an error is a code plus a
// one-line message that already names the input. The CLI maps the code to the process exit code.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace aotpack {

// The numeric values are the exit codes of the aotpack CLI; what each means is written once, in
// exitCodeTable() (common/exit_codes.cpp), from which `aotpack --help`, README.md and docs/CLI.md
// are made.
enum class Errc : int {
    CompileFailed = 1,
    Usage = 2,
    BadInput = 3,
    BadArchive = 4,
    Unsupported = 5,
    Output = 6,
    NoDevice = 7,
    Conflict = 8,
    NotFound = 9,
    CacheDamaged = 10,
    FetchFailed = 11,
    Internal = 70,
};

// Outside Errc, as a shell uses it: a program that cannot be found or run (the ocloc drop-in
// without a real ocloc; `aotpack run` of a program that does not exist).
constexpr int kExitCommandNotFound = 127;

struct Error {
    Errc code = Errc::Internal;
    std::string message;
};

inline Error makeError(Errc code, std::string message) {
    return Error{code, std::move(message)};
}

template <class T> class [[nodiscard]] Expected {
  public:
    Expected(T value) : state_(std::move(value)) {}
    Expected(Error error) : state_(std::move(error)) {}

    bool ok() const { return state_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() & { return std::get<0>(state_); }
    const T& value() const& { return std::get<0>(state_); }
    T&& value() && { return std::get<0>(std::move(state_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    const Error& error() const { return std::get<1>(state_); }
    T value_or(T fallback) const { return ok() ? value() : std::move(fallback); }

  private:
    std::variant<T, Error> state_;
};

// Expected<void>: success or an error.
struct Ok {};
using Status = Expected<Ok>;
inline Status success() {
    return Ok{};
}

} // namespace aotpack
