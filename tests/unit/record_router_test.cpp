// Which tracer decodes a record of the one ring (sidecar/record_router): the family owning the
// range of its event_header.type, or none for a type the job could make up or a newer object's.
#include <doctest/doctest.h>

#include <cstring>
#include <string>

#include "bpf/events/common.h"
#include "sidecar/record_router.hpp"

using namespace jobtrail::sidecar;

namespace {
class Named final : public Tracer {
 public:
  explicit Named(std::string n) : n_(std::move(n)) {}
  std::string name() const override { return n_; }
  void open_and_load(const TracerContext&) override {}
  void attach() override {}
  std::optional<nlohmann::json> decode(const void*, std::size_t) override { return std::nullopt; }
  std::map<std::string, std::uint64_t> read_losses() override { return {}; }

 private:
  std::string n_;
};

std::string record(std::uint16_t type) {
  event_header h{};
  h.type = type;
  h.size = sizeof h;
  return std::string(reinterpret_cast<const char*>(&h), sizeof h);
}
}  // namespace

TEST_CASE("record types: every range and its edges have their family, the rest none") {
  CHECK(family_of_type(JT_EV_PROCESS_EXEC) == "process");
  CHECK(family_of_type(JT_EV_PROCESS_MAX) == "process");
  CHECK(family_of_type(JT_EV_FILE_MIN) == "file");
  CHECK(family_of_type(JT_EV_NET_MIN - 1) == "file");
  CHECK(family_of_type(JT_EV_NET_MIN) == "net");
  CHECK(family_of_type(JT_EV_DNS_MIN) == "net");  // DNS records are the net family's
  CHECK(family_of_type(JT_EV_PRIV_MIN - 1) == "net");
  CHECK(family_of_type(JT_EV_PRIV_MIN) == "priv");
  CHECK(family_of_type(JT_EV_PRIV_MAX) == "priv");
  CHECK_FALSE(family_of_type(0));
  CHECK_FALSE(family_of_type(JT_EV_PRIV_MAX + 1));
  CHECK_FALSE(family_of_type(JT_EV_TYPE_MAX));
  CHECK_FALSE(family_of_type(0xffff));
  CHECK_FALSE(family_of_type(0xffffffffu));
}

TEST_CASE("record router: a record goes to its family's loaded tracer; hostile, short or unloaded ones to none") {
  std::vector<std::unique_ptr<Tracer>> tracers;
  tracers.push_back(std::make_unique<Named>("process"));
  tracers.push_back(std::make_unique<Named>("net"));
  tracers.push_back(std::make_unique<Named>("priv"));  // no file tracer: not loaded on this kernel
  RecordRouter router(tracers);
  auto route = [&](const std::string& r) { return router.route(r.data(), r.size()); };

  CHECK(route(record(JT_EV_PROCESS_EXIT)).tracer == tracers[0].get());
  CHECK(route(record(JT_EV_DNS_MIN + 5)).tracer == tracers[1].get());
  CHECK(route(record(JT_EV_PRIV_MIN + 1)).tracer == tracers[2].get());
  CHECK(route(record(JT_EV_PRIV_MIN + 1)).family == "priv");

  const auto unloaded = route(record(JT_EV_FILE_MIN));
  CHECK(unloaded.tracer == nullptr);
  CHECK(unloaded.family == "file");  // counted as the file family's undecodable records

  for (std::uint16_t hostile : {std::uint16_t{0}, std::uint16_t{JT_EV_PRIV_MAX + 1}, std::uint16_t{JT_EV_TYPE_MAX},
                                std::uint16_t{0xffff}}) {
    const auto r = route(record(hostile));
    CHECK(r.tracer == nullptr);
    CHECK(r.family.empty());
  }
  const std::string cut = record(JT_EV_PROCESS_EXEC).substr(0, sizeof(event_header) - 1);
  CHECK(route(cut).tracer == nullptr);  // shorter than a header: its type is not trusted either
  CHECK(router.route(nullptr, 0).tracer == nullptr);
}
