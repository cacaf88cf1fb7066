// FunctionRef<R(Args...)>: a non-owning reference to a callable, for callbacks that are only
// called while the call that received them runs (visitors, fill functions). Unlike std::function
// it never allocates: a lambda with several captures would make std::function allocate on every
// host call that takes it.
//
// Public header. The referenced callable must outlive the FunctionRef (pass lambdas as
// arguments, never store the FunctionRef).
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

namespace wasmgate {

template <typename Signature>
class FunctionRef;

template <typename R, typename... Args>
class FunctionRef<R(Args...)> {
 public:
  template <typename F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, FunctionRef> && std::is_invocable_r_v<R, F&, Args...>)
  FunctionRef(F&& f) noexcept  // NOLINT: implicit, like std::function
      : object_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* object, Args... args) -> R {
          return (*static_cast<std::remove_reference_t<F>*>(object))(std::forward<Args>(args)...);
        }) {}

  R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

 private:
  void* object_;
  R (*call_)(void*, Args...);
};

}  // namespace wasmgate
