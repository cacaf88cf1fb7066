;; A memory without a declared maximum: growth is bounded by EngineOptions::max_memory_pages.
(module
  (memory (export "memory") 1)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))
