;; engine_copy_out.wat's import without an allocator to call: copies cannot be deferred.
(module
  (import "env" "give" (func $give (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "call_give") (param i32 i32) (result i32) (call $give (local.get 0) (local.get 1)))
)
