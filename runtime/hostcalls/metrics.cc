// Metrics: define, increment (i64 offset), record (i64 value, read as unsigned), get. MetricsHost
// keeps the values; the runtime checks arguments and guest memory.
#include "runtime/hostcalls/hostcalls.h"

namespace wasmgate::runtime::hostcalls {
namespace {

// proxy_define_metric(type, name_ptr, name_size, ret_metric_id_ptr)
void defineMetric(HostCall& call) {
  if (call.u32(0) > static_cast<uint32_t>(abi::MetricType::Histogram)) return finish(call, abi::Status::BadArgument);
  auto name = guestBytes(call, call.u32(1), call.u32(2));
  if (!name) return finish(call, abi::Status::InvalidMemoryAccess);
  uint32_t id = 0;
  const abi::Status s = vmStateOf(call).metricsHost().define(static_cast<abi::MetricType>(call.u32(0)), *name, &id);
  if (s != abi::Status::Ok) return finish(call, s);
  finish(call, storeGuest(call, call.u32(3), id) ? abi::Status::Ok : abi::Status::InvalidMemoryAccess);
}

// proxy_increment_metric(metric_id, i64 offset)
void incrementMetric(HostCall& call) {
  finish(call, vmStateOf(call).metricsHost().increment(call.u32(0), static_cast<int64_t>(call.u64(1))));
}

// proxy_record_metric(metric_id, i64 value)
void recordMetric(HostCall& call) { finish(call, vmStateOf(call).metricsHost().record(call.u32(0), call.u64(1))); }

// proxy_get_metric(metric_id, ret_u64_ptr)
void getMetric(HostCall& call) {
  uint64_t value = 0;
  const abi::Status s = vmStateOf(call).metricsHost().get(call.u32(0), &value);
  if (s != abi::Status::Ok) return finish(call, s);
  finish(call, storeGuest(call, call.u32(1), value) ? abi::Status::Ok : abi::Status::InvalidMemoryAccess);
}

FuncSig idAndI64() { return FuncSig{{ValType::I32, ValType::I64}, {ValType::I32}}; }

}  // namespace

std::span<const Entry> metricFunctions() {
  static const Entry entries[] = {
      {{"env", "proxy_define_metric", i32Sig(4), defineMetric, kNoCopy, kFast}, kAllAbis},
      {{"env", "proxy_increment_metric", idAndI64(), incrementMetric}, kAllAbis},
      {{"env", "proxy_record_metric", idAndI64(), recordMetric}, kAllAbis},
      {{"env", "proxy_get_metric", i32Sig(2), getMetric, kNoCopy, kFast}, kAllAbis},
  };
  return entries;
}

}  // namespace wasmgate::runtime::hostcalls
