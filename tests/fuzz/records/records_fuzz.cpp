// libFuzzer target for everything after the ring buffer: the input is a sequence of raw kernel
// records of any family (process, file, net, priv), each taken through the sidecar's stages in
// its order: decode, /proc access derivation and file folding, exec join, findings, the live
// line and the archive writer (segments to a store that keeps nothing). Nothing a record holds
// may crash, hang, read out of bounds (ASan) or throw out of a stage the pipeline does not
// catch. Input: [family byte][size: 2 bytes LE][size bytes of record]...
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "sidecar/exec_join.hpp"
#include "trail/archive/writer.hpp"
#include "trail/dns/name_table.hpp"
#include "trail/dns/tcp_stream.hpp"
#include "trail/events/compact.hpp"
#include "trail/events/file_decode.hpp"
#include "trail/events/net_decode.hpp"
#include "trail/events/priv_decode.hpp"
#include "trail/events/process_decode.hpp"
#include "trail/findings/engine.hpp"
#include "trail/storage/store.hpp"

using nlohmann::json;
namespace js = jobtrail;

namespace {

class DiscardStore : public js::storage::Store {
 public:
  std::string url() const override { return "discard://"; }
  void put_new(const std::string&, std::string_view, std::string_view) override {}
  void put_new_file(const std::string&, const std::filesystem::path&, std::string_view) override {}
  std::string get(const std::string& key) override { throw js::storage::StoreError("NoSuchKey", key, false); }
  void get_to_file(const std::string& key, const std::filesystem::path&) override {
    throw js::storage::StoreError("NoSuchKey", key, false);
  }
  std::vector<js::storage::ObjectInfo> list(const std::string&) override { return {}; }
};

// One writer for the whole run (its uploader thread is not per input); its spool goes at exit.
struct FuzzArchive {
  std::filesystem::path spool;
  std::unique_ptr<js::archive::Writer> writer;
  FuzzArchive() {
    char dir[] = "/tmp/jt-records-fuzz-XXXXXX";
    if (!mkdtemp(dir)) std::abort();
    spool = dir;
    js::archive::WriterOptions o;
    o.spool_dir = spool;
    o.segment_max_bytes = 1 << 20;
    writer = std::make_unique<js::archive::Writer>(o, std::make_shared<DiscardStore>(), "fuzz/", json::object());
  }
  ~FuzzArchive() {
    writer.reset();
    std::error_code ec;
    std::filesystem::remove_all(spool, ec);
  }
};

js::archive::Writer& writer() {
  static FuzzArchive archive;
  return *archive.writer;
}

std::string time_text(std::int64_t ns) { return std::to_string(ns); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  js::sidecar::ExecJoin join(64, 1 << 20);
  js::events::FileFolder folder(true, 64, 1 << 16);
  js::dns::NameTable names(8);
  js::dns::TcpStreams tcp_dns(4, 512);
  js::findings::Engine engine({.allowed_domains = {"github.com"}, .max_tracked = 64});
  const js::events::PodRef pod{"ns", "pod"};
  std::string out;

  auto emit = [&](json& e) {
    if (e.contains("ktime_ns") && e["ktime_ns"].is_number_integer()) e["time"] = time_text(e["ktime_ns"].get<std::int64_t>());
    e.erase("ktime_ns");
    try {
      writer().append(e);
    } catch (const json::type_error&) {  // invalid UTF-8: the pipeline retries with replacements
      e = json::parse(e.dump(-1, ' ', false, json::error_handler_t::replace));
      writer().append(e);
    }
    out = js::events::format_compact(e, pod);
    for (auto& f : engine.on_event(e)) out = js::events::format_compact(f, pod);
  };
  auto handle = [&](json& e) {
    join.arrive(e);
    emit(e);
  };

  std::size_t at = 0;
  for (int records = 0; at + 3 <= size && records < 256; ++records) {
    const std::uint8_t family = data[at] % 4;
    std::size_t len = data[at + 1] | (std::size_t{data[at + 2]} << 8);
    at += 3;
    len = std::min(len, size - at);
    // the ring hands out 8-byte aligned records: copy, as libbpf's memory would be aligned
    std::vector<std::uint64_t> record((len + 7) / 8);
    std::memcpy(record.data(), data + at, len);
    at += len;
    std::string why;
    std::optional<json> ev;
    switch (family) {
      case 0: ev = js::events::decode_process_record(record.data(), len, &why); break;
      case 1: ev = js::events::decode_file_record(record.data(), len, &why); break;
      case 2: ev = js::events::decode_net_record(record.data(), len, names, tcp_dns, &why); break;
      case 3: ev = js::events::decode_priv_record(record.data(), len, &why); break;
    }
    if (!ev) continue;
    if (family == 1) {
      std::optional<json> proc_access;
      if ((*ev)["type"] == "file_open") proc_access = js::events::proc_access_event(*ev);
      for (auto& e : folder.add(std::move(*ev), time_text)) handle(e);
      if (proc_access) handle(*proc_access);
    } else if (ev->is_array()) {
      for (auto& e : *ev) handle(e);
    } else {
      handle(*ev);
    }
  }
  for (auto& e : folder.flush()) handle(e);
  for (auto& f : engine.finish()) out = js::events::format_compact(f, pod);
  return 0;
}
