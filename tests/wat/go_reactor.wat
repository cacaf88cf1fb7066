;; A module shaped like a Go 1.24 wasip1 c-shared plugin (what wasm-go builds): a WASI reactor
;; exporting memory, _initialize, proxy_abi_version_0_2_100, proxy_on_memory_allocate and the
;; proxy_on_* callbacks, and NO malloc. Its _initialize makes the WASI calls Go's runtime makes
;; and traps where Go's runtime would throw: the preopen scan needs EBADF (8) for fd 3, and
;; clocks, random, args, environ and poll_oneoff (usleep) must all succeed.
;; The callbacks use real host functions: the configuration is read with proxy_get_buffer_bytes
;; (and must be a JSON object), request headers get "x-go-reactor: 1".
(module
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $fd_prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fd_fdstat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_set_flags" (func $fd_fdstat_set_flags (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "env" "proxy_log" (func $proxy_log (param i32 i32 i32) (result i32)))
  (import "env" "proxy_get_buffer_bytes" (func $proxy_get_buffer_bytes (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_add_header_map_value" (func $proxy_add_header_map_value (param i32 i32 i32 i32 i32) (result i32)))

  (memory (export "memory") 2)
  ;; 0..1023: scratch for WASI out-parameters. Strings from 1024. Heap from 64 KiB.
  (data (i32.const 1024) "go-reactor: vm started")          ;; 22
  (data (i32.const 1056) "go-reactor: configuration ")      ;; 26
  (data (i32.const 1088) "go-reactor: configuration must be a JSON object") ;; 47
  (data (i32.const 1152) "go-reactor: empty configuration") ;; 31
  (data (i32.const 1184) "x-go-reactor")                    ;; 12
  (data (i32.const 1200) "1")
  (data (i32.const 1216) "go-reactor: env ")                ;; 16
  (global $heap (mut i32) (i32.const 65536))
  (global $env_first (mut i32) (i32.const 0))
  (global $env_first_len (mut i32) (i32.const 0))

  (func $alloc (export "proxy_on_memory_allocate") (param $n i32) (result i32)
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

  (func $strlen (param $p i32) (result i32)
    (local $n i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get $p) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $n))

  ;; log(level, prefix, prefix_len, text, text_len): one line "prefix" + "text".
  (func $log2 (param $level i32) (param $a i32) (param $alen i32) (param $b i32) (param $blen i32)
    (local $buf i32)
    (local.set $buf (call $alloc (i32.add (local.get $alen) (local.get $blen))))
    (memory.copy (local.get $buf) (local.get $a) (local.get $alen))
    (memory.copy (i32.add (local.get $buf) (local.get $alen)) (local.get $b) (local.get $blen))
    (drop (call $proxy_log (local.get $level) (local.get $buf) (i32.add (local.get $alen) (local.get $blen)))))

  (func (export "_initialize")
    (local $count i32) (local $size i32) (local $ptrs i32)
    ;; os: preopen scan from fd 3; only EBADF ends it cleanly.
    (if (i32.ne (call $fd_prestat_get (i32.const 3) (i32.const 0)) (i32.const 8)) (then unreachable))
    ;; syscall.SetNonblock(0..2): answers ignored.
    (drop (call $fd_fdstat_get (i32.const 0) (i32.const 8)))
    (drop (call $fd_fdstat_set_flags (i32.const 1) (i32.const 4)))
    ;; runtime: nanotime, walltime, random seed, args and environ.
    (if (call $clock_time_get (i32.const 1) (i64.const 0) (i32.const 64)) (then unreachable))
    (if (call $clock_time_get (i32.const 0) (i64.const 1000) (i32.const 72)) (then unreachable))
    (if (call $random_get (i32.const 80) (i32.const 32)) (then unreachable))
    (if (call $args_sizes_get (i32.const 112) (i32.const 116)) (then unreachable))
    (if (call $args_get (i32.const 0) (i32.const 0)) (then unreachable))
    (if (call $environ_sizes_get (i32.const 120) (i32.const 124)) (then unreachable))
    (local.set $count (i32.load (i32.const 120)))
    (local.set $size (i32.load (i32.const 124)))
    (local.set $ptrs (call $alloc (i32.shl (local.get $count) (i32.const 2))))
    (if (call $environ_get (local.get $ptrs) (call $alloc (local.get $size))) (then unreachable))
    (if (local.get $count)
      (then
        (global.set $env_first (i32.load (local.get $ptrs)))
        (global.set $env_first_len (call $strlen (global.get $env_first)))))
    ;; usleep(1000): one relative monotonic clock subscription; Go throws on a non-zero errno.
    (i64.store (i32.const 128) (i64.const 0))
    (i32.store8 (i32.const 136) (i32.const 0))
    (i32.store (i32.const 144) (i32.const 1))
    (i64.store (i32.const 152) (i64.const 1000))
    (i64.store (i32.const 160) (i64.const 0))
    (i32.store16 (i32.const 168) (i32.const 0))
    (if (call $poll_oneoff (i32.const 128) (i32.const 192) (i32.const 1) (i32.const 224)) (then unreachable)))

  (func (export "proxy_abi_version_0_2_100"))
  (func (export "proxy_on_context_create") (param i32 i32))

  (func (export "proxy_on_vm_start") (param i32 i32) (result i32)
    (drop (call $proxy_log (i32.const 2) (i32.const 1024) (i32.const 22)))
    (if (global.get $env_first_len)
      (then (call $log2 (i32.const 2) (i32.const 1216) (i32.const 16) (global.get $env_first) (global.get $env_first_len))))
    (i32.const 1))

  (func (export "proxy_on_configure") (param $root i32) (param $size i32) (result i32)
    (local $ptr i32) (local $len i32)
    (if (i32.eqz (local.get $size))
      (then
        (drop (call $proxy_log (i32.const 4) (i32.const 1152) (i32.const 31)))
        (return (i32.const 0))))
    (if (call $proxy_get_buffer_bytes (i32.const 7) (i32.const 0) (local.get $size) (i32.const 16) (i32.const 20))
      (then (return (i32.const 0))))
    (local.set $ptr (i32.load (i32.const 16)))
    (local.set $len (i32.load (i32.const 20)))
    (call $log2 (i32.const 2) (i32.const 1056) (i32.const 26) (local.get $ptr) (local.get $len))
    (if (i32.ne (i32.load8_u (local.get $ptr)) (i32.const 123))  ;; '{'
      (then
        (drop (call $proxy_log (i32.const 4) (i32.const 1088) (i32.const 47)))
        (return (i32.const 0))))
    (i32.const 1))

  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    (drop (call $proxy_add_header_map_value (i32.const 0) (i32.const 1184) (i32.const 12) (i32.const 1200) (i32.const 1)))
    (i32.const 0))
  (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_log") (param i32))
  (func (export "proxy_on_done") (param i32) (result i32) (i32.const 1))
  (func (export "proxy_on_delete") (param i32)))
