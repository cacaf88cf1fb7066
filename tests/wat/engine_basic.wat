;; Engine test module: value conversions both ways, host imports (incl. a trapping and a
;; re-entrant one), traps of every kind, memory growth and endless loops for terminate().
(module
  (import "env" "host_add" (func $host_add (param i32 i64) (result i64)))
  (import "env" "host_u32" (func $host_u32 (param i32) (result i32)))
  (import "env" "host_trap" (func $host_trap (param i32)))
  (import "env" "host_reenter" (func $host_reenter (param i32) (result i32)))

  (memory (export "memory") 1 100)
  (data (i32.const 16) "hello")
  (global $counter (mut i32) (i32.const 0))
  (global $heap (mut i32) (i32.const 4096))

  (func (export "proxy_abi_version_0_2_1"))
  (func (export "_initialize"))

  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "add64") (param i64 i64) (result i64) (i64.add (local.get 0) (local.get 1)))
  (func (export "echo_i32") (param i32) (result i32) (local.get 0))
  (func (export "echo_f64") (param f64) (result f64) (local.get 0))
  (func (export "pair") (param i32) (result i32 i64)
    (i32.add (local.get 0) (i32.const 1))
    (i64.const -1))
  (func (export "inc") (result i32)
    (global.set $counter (i32.add (global.get $counter) (i32.const 1)))
    (global.get $counter))

  (func (export "call_host_add") (param i32 i64) (result i64)
    (call $host_add (local.get 0) (local.get 1)))
  (func (export "call_host_u32") (param i32) (result i32) (call $host_u32 (local.get 0)))
  (func (export "call_host_trap") (param i32) (result i32)
    (call $host_trap (local.get 0))
    (i32.const 7))
  (func (export "call_host_reenter") (param i32) (result i32) (call $host_reenter (local.get 0)))

  ;; A bump allocator the host may call from inside a host function.
  (func (export "malloc") (param i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (local.get 0)))
    (local.get $p))

  (func (export "unreachable") unreachable)
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_u (local.get 0) (local.get 1)))
  (func $recurse (export "recurse") (param i32) (result i32)
    (i32.add (call $recurse (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))

  (func (export "spin") (loop $forever (br $forever)))
  (func (export "spin_host")
    (loop $forever
      (drop (call $host_u32 (i32.const 0)))
      (br $forever)))
)
