#include "gateway/filter_chain.h"

namespace wasmgate::gateway {

FilterChain::FilterChain(std::vector<std::unique_ptr<StreamFilter>> filters, EncodeSink& sink)
    : filters_(std::move(filters)), sink_(sink) {
  encode_.decode = false;
}

HeadersStatus FilterChain::callHeaders(Direction& d, size_t pos) {
  StreamFilter& f = at(d, pos);
  return d.decode ? f.decodeHeaders(*request_, d.headers_end) : f.encodeHeaders(response_, d.headers_end);
}

DataStatus FilterChain::callData(Direction& d, size_t pos) {
  StreamFilter& f = at(d, pos);
  return d.decode ? f.decodeData(d.held, d.end_seen) : f.encodeData(d.held, d.end_seen);
}

void FilterChain::iterate(Direction& d, size_t pos, bool headers_here, bool data_here) {
  // Restored on every way out: a filter's call may start a nested pass.
  struct PassKind {
    PassKind(bool& flag, bool value) : flag(flag), saved(flag) { flag = value; }
    ~PassKind() { flag = saved; }
    bool& flag;
    bool saved;
  } pass_kind(d.headers_only_pass, headers_here && !data_here);
  for (; pos < filters_.size(); ++pos) {
    if (headers_here) {
      HeadersStatus hs = callHeaders(d, pos);
      if (d.stopped_forever) return;
      if (hs != HeadersStatus::Continue) {
        d.stopped_at = pos;
        d.headers_held = true;
        d.replay_on_resume = hs == HeadersStatus::StopAllIteration;
        if (!data_here) return;
        // Body that already arrived goes to the filter holding the headers (as in Envoy); its
        // Continue releases both.
        DataStatus ds = callData(d, pos);
        if (d.stopped_forever) return;
        if (ds == DataStatus::StopIterationNoBuffer) d.held.clear();
        if (ds != DataStatus::Continue) return;
        d.stopped_at = kNone;
        d.headers_held = false;
        d.replay_on_resume = false;
        continue;
      }
    }
    if (data_here) {
      DataStatus ds = callData(d, pos);
      if (d.stopped_forever) return;
      if (ds == DataStatus::StopIterationAndBuffer) {
        d.stopped_at = pos;
        d.replay_on_resume = false;
        return;
      }
      if (ds == DataStatus::StopIterationNoBuffer) {
        d.held.clear();
        return;
      }
    }
  }
  if (d.decode) {
    d.held.clear();  // the router (last filter) has taken the data
    return;
  }
  if (headers_here) sink_.sinkHeaders(response_, d.headers_end);
  if (d.stopped_forever) return;
  if (data_here) {
    std::string data = std::move(d.held);
    d.held.clear();
    sink_.sinkData(data, d.end_seen);
  }
}

void FilterChain::resume(Direction& d) {
  if (d.stopped_at == kNone || d.stopped_forever) return;
  size_t pos = d.stopped_at;
  bool headers_here = d.headers_held;
  bool data_here = !d.held.empty() || (d.end_seen && !d.headers_end);
  if (d.replay_on_resume && data_here) {
    // The holder has not really seen this body yet (it stopped all): it comes first, and may
    // keep holding it (the headers stay with it) or take it.
    d.replay_on_resume = false;
    DataStatus ds = callData(d, pos);
    if (d.stopped_forever) return;
    if (ds == DataStatus::StopIterationNoBuffer) d.held.clear();
    if (ds != DataStatus::Continue) return;
    data_here = !d.held.empty() || d.end_seen;
  }
  d.replay_on_resume = false;
  d.stopped_at = kNone;
  d.headers_held = false;
  iterate(d, pos + 1, headers_here, data_here);
}

void FilterChain::onData(Direction& d, std::string_view data, bool end_stream) {
  if (d.stopped_forever) return;
  d.end_seen = d.end_seen || end_stream;
  if (d.stopped_at == kNone) {
    d.held.append(data);
    iterate(d, 0, false, true);
    return;
  }
  size_t pos = d.stopped_at;
  d.early.append(data);
  for (size_t i = d.data_from; i < pos; ++i) {
    StreamFilter& f = at(d, i);
    DataStatus early = d.decode ? f.decodeData(d.early, d.end_seen) : f.encodeData(d.early, d.end_seen);
    if (d.stopped_forever) return;
    if (early == DataStatus::StopIterationNoBuffer) {
      d.early.clear();
      d.data_from = 0;
      return;
    }
    if (early == DataStatus::StopIterationAndBuffer) {
      d.data_from = i;
      return;
    }
  }
  d.data_from = 0;
  d.held.append(d.early);
  d.early.clear();
  // The holding filter sees everything buffered so far.
  DataStatus ds = callData(d, pos);
  if (d.stopped_forever) return;
  if (ds == DataStatus::StopIterationNoBuffer) d.held.clear();
  if (ds == DataStatus::Continue) {
    bool headers_here = d.headers_held;
    d.stopped_at = kNone;
    d.headers_held = false;
    d.replay_on_resume = false;
    iterate(d, pos + 1, headers_here, true);
  }
}

void FilterChain::decodeHeaders(RequestHead& head, bool end_stream) {
  request_ = &head;
  decode_.headers_end = end_stream;
  decode_.end_seen = end_stream;
  iterate(decode_, 0, true, false);
}

void FilterChain::decodeData(std::string_view data, bool end_stream) { onData(decode_, data, end_stream); }
void FilterChain::continueDecoding() { resume(decode_); }

void FilterChain::encodeHeaders(ResponseHead&& head, bool end_stream) {
  if (encode_.stopped_forever || encode_started_) return;
  encode_started_ = true;
  response_ = std::move(head);
  encode_.headers_end = end_stream;
  encode_.end_seen = end_stream;
  iterate(encode_, 0, true, false);
}

void FilterChain::encodeData(std::string_view data, bool end_stream) { onData(encode_, data, end_stream); }
void FilterChain::continueEncoding() { resume(encode_); }

bool FilterChain::holds(const StreamFilter& filter, bool decoding) const {
  const Direction& d = decoding ? decode_ : encode_;
  if (d.stopped_at == kNone || d.stopped_forever) return false;
  const size_t index = d.decode ? d.stopped_at : filters_.size() - 1 - d.stopped_at;
  return index < filters_.size() && filters_[index].get() == &filter;
}

void FilterChain::onStreamComplete() {
  for (auto& f : filters_) f->onStreamComplete();
}

}  // namespace wasmgate::gateway
