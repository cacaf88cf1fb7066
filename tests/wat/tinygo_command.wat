;; A module shaped like a TinyGo (-target=wasi) proxy-wasm plugin: a WASI command exporting
;; _start, malloc and free, marked proxy_abi_version_0_2_0, importing the WASI set TinyGo's
;; runtime uses. _start initialises the "runtime" (args, environ, clock, random; proc_exit(1) on
;; failure, as TinyGo does) and prints a line to stdout. The configuration is logged; each request
;; gets "x-tinygo-path: <:path>".
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "env" "proxy_log" (func $proxy_log (param i32 i32 i32) (result i32)))
  (import "env" "proxy_get_buffer_bytes" (func $proxy_get_buffer_bytes (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_get_header_map_value" (func $proxy_get_header_map_value (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_add_header_map_value" (func $proxy_add_header_map_value (param i32 i32 i32 i32 i32) (result i32)))

  (memory (export "memory") 2)
  (data (i32.const 1024) "tinygo: runtime started\n")  ;; 24
  (data (i32.const 1056) ":path")                      ;; 5
  (data (i32.const 1072) "x-tinygo-path")              ;; 13
  (data (i32.const 1088) "tinygo: configured")         ;; 18
  (global $heap (mut i32) (i32.const 65536))

  (func $malloc (export "malloc") (param $n i32) (result i32)
    (local $p i32) (local $end i32)
    (local.set $p (global.get $heap))
    (local.set $end (i32.and (i32.add (i32.add (local.get $p) (local.get $n)) (i32.const 7)) (i32.const -8)))
    (if (i32.gt_u (local.get $end) (i32.shl (memory.size) (i32.const 16)))
      (then
        (if (i32.eq (memory.grow (i32.shr_u (i32.add (i32.sub (local.get $end) (i32.shl (memory.size) (i32.const 16)))
                                                    (i32.const 65535)) (i32.const 16)))
                    (i32.const -1))
          (then (return (i32.const 0))))))
    (global.set $heap (local.get $end))
    (local.get $p))
  (func (export "free") (param i32))
  (func (export "proxy_on_memory_allocate") (param i32) (result i32) (call $malloc (local.get 0)))

  (func (export "_start")
    (if (call $args_sizes_get (i32.const 0) (i32.const 4)) (then (call $proc_exit (i32.const 1))))
    (if (call $args_get (i32.const 8) (i32.const 12)) (then (call $proc_exit (i32.const 1))))
    (if (call $environ_sizes_get (i32.const 16) (i32.const 20)) (then (call $proc_exit (i32.const 1))))
    (if (call $environ_get (call $malloc (i32.shl (i32.load (i32.const 16)) (i32.const 2)))
                           (call $malloc (i32.load (i32.const 20))))
      (then (call $proc_exit (i32.const 1))))
    (if (call $clock_time_get (i32.const 1) (i64.const 1) (i32.const 24)) (then (call $proc_exit (i32.const 1))))
    (if (call $random_get (i32.const 32) (i32.const 16)) (then (call $proc_exit (i32.const 1))))
    ;; println: one iovec to stdout.
    (i32.store (i32.const 48) (i32.const 1024))
    (i32.store (i32.const 52) (i32.const 24))
    (if (call $fd_write (i32.const 1) (i32.const 48) (i32.const 1) (i32.const 56)) (then unreachable)))

  (func (export "proxy_abi_version_0_2_0"))
  (func (export "proxy_on_context_create") (param i32 i32))
  (func (export "proxy_on_vm_start") (param i32 i32) (result i32) (i32.const 1))

  (func (export "proxy_on_configure") (param $root i32) (param $size i32) (result i32)
    (drop (call $proxy_log (i32.const 2) (i32.const 1088) (i32.const 18)))
    (if (local.get $size)
      (then
        (if (call $proxy_get_buffer_bytes (i32.const 7) (i32.const 0) (local.get $size) (i32.const 64) (i32.const 68))
          (then (return (i32.const 0))))
        (drop (call $proxy_log (i32.const 2) (i32.load (i32.const 64)) (i32.load (i32.const 68))))))
    (i32.const 1))

  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    (if (i32.eqz (call $proxy_get_header_map_value (i32.const 0) (i32.const 1056) (i32.const 5) (i32.const 72) (i32.const 76)))
      (then
        (drop (call $proxy_add_header_map_value (i32.const 0) (i32.const 1072) (i32.const 13)
                                                (i32.load (i32.const 72)) (i32.load (i32.const 76))))))
    (i32.const 0))
  (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_log") (param i32))
  (func (export "proxy_on_done") (param i32) (result i32) (i32.const 1))
  (func (export "proxy_on_delete") (param i32)))
