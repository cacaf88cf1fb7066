;; Engine test module for host functions marked fast (HostFunction::fast): imports of several
;; parameter counts (one over the fast path's 5), with and without a result, one that traps, one that copies bytes out (through
;; the module's allocator) and one that tries to call back into the module.
(module
  (import "env" "sum3" (func $sum3 (param i32 i32 i32) (result i32)))
  (import "env" "sum5" (func $sum5 (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "sum12" (func $sum12 (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "env" "note" (func $note))
  (import "env" "mark" (func $mark (param i32 i32)))
  (import "env" "fail" (func $fail (result i32)))
  (import "env" "give" (func $give (param i32 i32) (result i32)))
  (import "env" "reenter" (func $reenter (result i32)))

  (memory (export "memory") 1 100)
  (global $heap (mut i32) (i32.const 4096))
  (global $mallocs (mut i32) (i32.const 0))

  (func (export "_initialize"))
  (func (export "malloc") (param i32) (result i32)
    (local $p i32)
    (global.set $mallocs (i32.add (global.get $mallocs) (i32.const 1)))
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (local.get 0)))
    (local.get $p))
  (func (export "mallocs") (result i32) (global.get $mallocs))

  (func (export "call_sum3") (param i32 i32 i32) (result i32)
    (call $sum3 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "call_sum5") (result i32)
    (call $sum5 (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4) (i32.const 5)))
  (func (export "call_sum12") (result i32)
    (call $sum12 (i32.const 1) (i32.const 2) (i32.const 3) (i32.const 4) (i32.const 5) (i32.const 6)
                 (i32.const 7) (i32.const 8) (i32.const 9) (i32.const 10) (i32.const 11) (i32.const 12)))
  (func (export "call_note") (call $note))
  (func (export "call_mark") (param i32 i32) (call $mark (local.get 0) (local.get 1)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "call_fail") (result i32) (drop (call $fail)) (i32.const 7))
  (func (export "call_give") (param i32 i32) (result i32) (call $give (local.get 0) (local.get 1)))
  (func (export "call_reenter") (result i32) (call $reenter))
  ;; $n marks in one call, each on the last word of memory, growing memory by a page before
  ;; every 64th: the host must take a fresh view of memory for each, however many there are.
  (func (export "mark_while_growing") (param $n i32)
    (local $i i32)
    (loop $next
      (if (i32.eqz (i32.and (local.get $i) (i32.const 63)))
        (then (drop (memory.grow (i32.const 1)))))
      (call $mark (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 4)) (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n)))))
  (func (export "trap") unreachable)
)
