#include "trail/archive/uploader.hpp"

#include <optional>
#include <random>
#include <spdlog/spdlog.h>

#include "trail/archive/sha256.hpp"

namespace jobtrail::archive {

using clock = std::chrono::steady_clock;
using storage::StoreError;

Uploader::Uploader(std::shared_ptr<storage::Store> store, std::chrono::milliseconds retry_base,
                   std::chrono::milliseconds retry_max, Done on_done, UploadPolicy policy, GivenUp on_given_up)
    : store_(std::move(store)),
      base_(retry_base),
      max_(retry_max),
      on_done_(std::move(on_done)),
      policy_(policy),
      on_given_up_(std::move(on_given_up)) {
  for (unsigned i = 0; i < workers; ++i) threads_.emplace_back([this] { run(); });
}

Uploader::~Uploader() { stop(); }

void Uploader::enqueue(UploadItem item) {
  {
    std::lock_guard lock(mu_);
    Entry e;
    e.item = std::move(item);
    queue_.push_back(std::move(e));
  }
  cv_.notify_all();
}

bool Uploader::wait_idle(clock::time_point deadline) {
  std::unique_lock lock(mu_);
  return idle_cv_.wait_until(lock, deadline, [&] { return queue_.empty(); });
}

void Uploader::hurry() {
  {
    std::lock_guard lock(mu_);
    hurry_ = true;
    auto soon = clock::now() + std::chrono::milliseconds(100);
    for (auto& e : queue_) e.next_try = std::min(e.next_try, soon);
  }
  cv_.notify_all();
}

void Uploader::hold_retries() {
  std::lock_guard lock(mu_);
  retries_held_ = true;
}

void Uploader::stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

std::vector<UploadItem> Uploader::pending() const {
  std::lock_guard lock(mu_);
  std::vector<UploadItem> out;
  for (auto& e : queue_) out.push_back(e.item);
  for (auto& f : given_up_) out.push_back(f.item);
  return out;
}

std::vector<FailedUpload> Uploader::failed() const {
  std::lock_guard lock(mu_);
  return given_up_;
}

UploaderStats Uploader::stats() const {
  std::lock_guard lock(mu_);
  return stats_;
}

// Exponential with "equal jitter": never a hot loop, never in lock-step with other pods.
std::chrono::milliseconds Uploader::backoff(unsigned attempt) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  auto cap = hurry_ ? std::min(max_, std::chrono::milliseconds(250)) : max_;
  auto d = base_ * (1ll << std::min(attempt, 20u));
  if (d > cap || d.count() <= 0) d = cap;
  std::uniform_int_distribution<long long> jitter(0, d.count() / 2);
  return std::chrono::milliseconds(d.count() / 2 + jitter(rng));
}

void Uploader::log_failure(const Entry& e, const std::string& text) {
  if (text != last_logged_) {
    spdlog::warn("upload of {} to {} failed ({}); the spool keeps it and retries with backoff", e.item.label,
                 store_->url(), text);
    last_logged_ = text;
  } else {
    spdlog::debug("upload of {} failed again ({})", e.item.label, text);
  }
}

// Puts one object. AlreadyExists after an earlier attempt (or a restarted writer) that did
// land is success when the stored bytes are ours; anything else there is a conflict.
Uploader::Attempt Uploader::attempt(const UploadItem& item) {
  try {
    if (item.file.empty())
      store_->put_new(item.key, item.body, item.content_type);
    else
      store_->put_new_file(item.key, item.file, item.content_type);
    return {Outcome::stored, FailureKind::transient, ""};
  } catch (const StoreError& e) {
    if (e.code() != "AlreadyExists") return {Outcome::failed, classify_failure(e.code(), e.retryable()), e.code() + ": " + e.what()};
  } catch (const std::exception& e) {
    return {Outcome::failed, FailureKind::transient, std::string("Error: ") + e.what()};
  }
  try {
    bool same;
    if (item.file.empty()) {
      same = store_->get(item.key) == item.body;
    } else {
      auto in = store_->open_read(item.key);
      Sha256 h;
      char buf[1 << 16];
      while (in->read(buf, sizeof buf) || in->gcount() > 0) h.update(buf, static_cast<std::size_t>(in->gcount()));
      same = h.hex() == item.sha256;
    }
    if (same) {
      spdlog::info("{} was already in the store (an earlier attempt landed); not uploaded twice", item.label);
      return {Outcome::stored, FailureKind::transient, ""};
    }
    spdlog::error("{} exists in {} with different content; nothing is overwritten, the spool keeps ours",
                  item.key, store_->url());
    return {Outcome::conflict, FailureKind::refused, "AlreadyExists: a different " + item.key + " is in the store"};
  } catch (const std::exception& e) {
    return {Outcome::failed, FailureKind::transient,
            std::string("AlreadyExists: cannot compare with the stored object: ") + e.what()};
  }
}

// The first entry in queue order that may go now: not in flight, its backoff over, and, for a
// retry, no other worker on a retry. `wake` becomes the earliest time another one may go.
std::list<Uploader::Entry>::iterator Uploader::pick(clock::time_point now, clock::time_point& wake) {
  wake = clock::time_point::max();
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    if (it->in_flight) continue;
    if (it->attempts > 0 && (retry_busy_ || retries_held_)) continue;  // a retry's worker wakes the others when done
    if (it->next_try > now) {
      wake = std::min(wake, it->next_try);
      continue;
    }
    return it;
  }
  return queue_.end();
}

void Uploader::settle(std::list<Entry>::iterator it, const Attempt& a) {
  if (a.outcome == Outcome::stored && on_done_) on_done_(it->item);
  std::optional<FailedUpload> gave_up;
  {
    std::lock_guard lock(mu_);
    Entry& e = *it;
    e.in_flight = false;
    if (e.attempts > 0) retry_busy_ = false;
    if (a.outcome == Outcome::stored) {
      ++stats_.uploaded;
      stats_.bytes += e.item.size;
      ++stores_;
      if (e.attempts > 0) {
        spdlog::info("{} went to {} after {} failed attempts", e.item.label, store_->url(), e.attempts);
        last_logged_.clear();
      }
      queue_.erase(it);
    } else {
      const auto now = clock::now();
      ++stats_.retries;
      stats_.last_error = a.error;
      if (e.attempts++ == 0) {
        e.first_failure = now;
        e.stored_before = stores_;
      }
      e.last_error = a.error;
      e.refused_in_a_row = a.kind == FailureKind::refused ? e.refused_in_a_row + 1 : 0;
      FailureHistory h{a.kind, e.refused_in_a_row, now - e.first_failure, stores_ > e.stored_before};
      if (a.outcome == Outcome::conflict || should_give_up(h, policy_)) {
        if (a.outcome == Outcome::conflict) ++stats_.conflicts;
        else
          spdlog::error("upload of {} to {} given up after {} attempts ({}); later objects go on, the manifest "
                        "names it in failed_objects",
                        e.item.label, store_->url(), e.attempts, a.error);
        ++stats_.given_up;
        gave_up = FailedUpload{e.item, a.error, e.attempts};
        given_up_.push_back(*gave_up);
        queue_.erase(it);
      } else {
        log_failure(e, a.error);
        e.next_try = now + backoff(e.attempts - 1);
      }
    }
  }
  if (gave_up && on_given_up_) on_given_up_(*gave_up);
  cv_.notify_all();
  idle_cv_.notify_all();
}

void Uploader::run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    clock::time_point wake;
    auto it = pick(clock::now(), wake);
    if (it == queue_.end()) {
      if (wake == clock::time_point::max()) cv_.wait(lock);
      else cv_.wait_until(lock, wake);  // enqueue(), hurry(), stop() or another worker wake it early
      continue;
    }
    it->in_flight = true;
    if (it->attempts > 0) retry_busy_ = true;
    UploadItem item = it->item;
    lock.unlock();
    Attempt a = attempt(item);
    settle(it, a);
    lock.lock();
  }
}

}  // namespace jobtrail::archive
