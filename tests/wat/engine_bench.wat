;; Benchmark module: the cheapest export (host->guest cost) and a loop of imports
;; (guest->host cost per call = loop time / n).
(module
  (import "env" "host_noop" (func $host_noop (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "noop") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func (export "call_host") (param $n i32) (result i32)
    (local $acc i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (i32.add (local.get $acc) (call $host_noop (local.get $n))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $acc))
)
