;; Engine test module for copying imports (HostFunction::copies_out): a host function that returns
;; bytes into memory from the module's allocator, which can be told to succeed, fail (return 0),
;; trap or hand out the same block every time (for benchmarks), and counts its calls.
(module
  (import "env" "give" (func $give (param i32 i32) (result i32)))
  (import "env" "give_twice" (func $give_twice (param i32 i32 i32 i32) (result i32)))

  (memory (export "memory") 1 100)
  (global $heap (mut i32) (i32.const 4096))
  (global $mode (mut i32) (i32.const 0))  ;; 0: allocate, 1: answer 0, 2: trap, 3: always 4096
  (global $mallocs (mut i32) (i32.const 0))

  (func (export "_initialize"))
  (func (export "malloc") (param i32) (result i32)
    (local $p i32)
    (global.set $mallocs (i32.add (global.get $mallocs) (i32.const 1)))
    (if (i32.eq (global.get $mode) (i32.const 2)) (then unreachable))
    (if (i32.eq (global.get $mode) (i32.const 1)) (then (return (i32.const 0))))
    (if (i32.eq (global.get $mode) (i32.const 3)) (then (return (i32.const 4096))))
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (local.get 0)))
    (local.get $p))
  (func (export "set_mode") (param i32) (global.set $mode (local.get 0)))
  (func (export "mallocs") (result i32) (global.get $mallocs))

  (func (export "call_give") (param i32 i32) (result i32) (call $give (local.get 0) (local.get 1)))
  (func (export "give_loop") (param $n i32) (result i32)
    (local $failed i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $failed (i32.or (local.get $failed) (call $give (i32.const 100) (i32.const 104))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $failed))
  (func (export "call_give_twice") (param i32 i32 i32 i32) (result i32)
    (call $give_twice (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
)
