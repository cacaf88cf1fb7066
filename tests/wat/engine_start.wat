;; Parser test module: imported memory, a start section, several ABI markers (the newest must
;; win), a WASI command entry point and the proxy-wasm allocator, plus a table and a global.
(module
  (import "env" "memory" (memory 2 8))
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (import "env" "flag" (global i32))
  (table (export "table") 1 funcref)
  (global (export "answer") i32 (i32.const 42))
  (func $init)
  (start $init)
  (func (export "proxy_abi_version_0_1_0"))
  (func (export "proxy_abi_version_0_2_100"))
  (func (export "proxy_abi_version_0_2_0"))
  (func (export "_start"))
  (func (export "proxy_on_memory_allocate") (param i32) (result i32) (i32.const 0))
  (func (export "sum") (param i64 f32 f64) (result f64) (f64.const 0))
)
