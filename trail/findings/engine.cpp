#include "trail/findings/engine.hpp"

#include <stdexcept>

#include "trail/events/types.hpp"
#include "trail/findings/event_view.hpp"

namespace jobtrail::findings {

Engine::Engine(Config cfg) : cfg_(std::move(cfg)), state_(cfg_.max_tracked) {
  for (auto& id : cfg_.disabled) {
    bool known = id == "new-egress";  // computed by `jobtrail findings`, not by the engine
    for (auto& r : all_rules()) known |= id == r.id;
    if (!known) throw std::invalid_argument("unknown finding id '" + id + "' (see docs/findings.md)");
  }
  for (auto& r : all_rules())
    if (!cfg_.disabled.count(r.id)) rules_.push_back(r.make());
}

Engine::~Engine() = default;

std::vector<nlohmann::json> Engine::on_event(const nlohmann::json& ev) {
  std::vector<nlohmann::json> out;
  if (!ev.is_object()) return out;
  const EventMemo memo(ev);  // the rules ask the same questions of this event
  if (type_of(ev) == events::type_name::finding) return out;
  state_.observe(ev);
  std::vector<Finding> found;
  for (auto& r : rules_) r->on_event(ev, state_, cfg_, found);
  for (auto& f : found) {
    std::string key = f.id + "\n" + f.title;
    for (auto id : f.exec_ids) key += "\n" + std::to_string(id);
    if (seen_.count(key)) continue;  // the same fact proven again (folded opens, repeated syscalls)
    if (seen_.size() < cfg_.max_tracked) seen_.insert(key);
    if (++count_[f.id] > cfg_.max_per_rule) {
      ++suppressed_[f.id];
      continue;
    }
    out.push_back(to_event(f, ev));
    ++emitted_;
  }
  if (auto t = ev.find("time"); t != ev.end()) last_time_ = *t;
  return out;
}

std::uint64_t Engine::dropped() const {
  std::uint64_t n = state_.evicted();
  for (auto& r : rules_) n += r->dropped();
  return n;
}

std::vector<nlohmann::json> Engine::finish() {
  std::vector<nlohmann::json> out;
  std::vector<Finding> late;
  for (auto& r : rules_) r->finish(late);
  for (auto& f : late) {
    if (++count_[f.id] > cfg_.max_per_rule) {
      ++suppressed_[f.id];
      continue;
    }
    out.push_back(to_event(f, nlohmann::json{{"time", last_time_}}));
    ++emitted_;
  }
  for (auto& [id, n] : suppressed_) {
    std::string severity = low;
    for (auto& r : all_rules())
      if (id == r.id) severity = r.severity;
    Finding f{id, severity, std::to_string(n) + " more " + id + " findings not listed (limit " +
                                std::to_string(cfg_.max_per_rule) + " per rule)", {}, {}};
    nlohmann::json cause = {{"time", last_time_}};
    out.push_back(to_event(f, cause));
    ++emitted_;
  }
  suppressed_.clear();
  return out;
}

}  // namespace jobtrail::findings
