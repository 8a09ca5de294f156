#include "trail/archive/uploader.hpp"

#include <random>
#include <spdlog/spdlog.h>

#include "trail/archive/sha256.hpp"

namespace jobtrail::archive {

using clock = std::chrono::steady_clock;
using storage::StoreError;

Uploader::Uploader(std::shared_ptr<storage::Store> store, std::chrono::milliseconds retry_base,
                   std::chrono::milliseconds retry_max, Done on_done)
    : store_(std::move(store)), base_(retry_base), max_(retry_max), on_done_(std::move(on_done)) {
  thread_ = std::thread([this] { run(); });
}

Uploader::~Uploader() { stop(); }

void Uploader::enqueue(UploadItem item) {
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(item));
  }
  cv_.notify_all();
}

bool Uploader::wait_idle(clock::time_point deadline) {
  std::unique_lock lock(mu_);
  return idle_cv_.wait_until(lock, deadline, [&] { return queue_.empty() && !in_flight_; });
}

void Uploader::hurry() {
  {
    std::lock_guard lock(mu_);
    hurry_ = true;
    next_try_ = std::min(next_try_, clock::now() + std::chrono::milliseconds(100));
  }
  cv_.notify_all();
}

void Uploader::stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::vector<UploadItem> Uploader::pending() const {
  std::lock_guard lock(mu_);
  std::vector<UploadItem> out(queue_.begin(), queue_.end());
  out.insert(out.end(), given_up_.begin(), given_up_.end());
  return out;
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

void Uploader::note_failure(const std::string& code, const std::string& message, const UploadItem& item) {
  std::string text = code + ": " + message;
  std::lock_guard lock(mu_);
  ++stats_.retries;
  stats_.last_error = text;
  if (text != last_logged_) {
    spdlog::warn("upload of {} to {} failed ({}); the spool keeps it and retries with backoff", item.label,
                 store_->url(), text);
    last_logged_ = text;
  } else {
    spdlog::debug("upload of {} failed again ({})", item.label, text);
  }
}

// Puts one object. AlreadyExists after an earlier attempt (or a restarted writer) that did
// land is success when the stored bytes are ours; anything else there is a conflict.
bool Uploader::attempt(const UploadItem& item) {
  try {
    if (item.file.empty())
      store_->put_new(item.key, item.body, item.content_type);
    else
      store_->put_new_file(item.key, item.file, item.content_type);
    return true;
  } catch (const StoreError& e) {
    if (e.code() != "AlreadyExists") {
      note_failure(e.code(), e.what(), item);
      return false;
    }
  } catch (const std::exception& e) {
    note_failure("Error", e.what(), item);
    return false;
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
      return true;
    }
    std::lock_guard lock(mu_);
    ++stats_.conflicts;
    stats_.last_error = "AlreadyExists: a different " + item.key + " is in the store";
    spdlog::error("{} exists in {} with different content; nothing is overwritten, the spool keeps ours",
                  item.key, store_->url());
    given_up_.push_back(item);
    return true;  // leaves the queue: retrying cannot help
  } catch (const std::exception& e) {
    note_failure("AlreadyExists", std::string("cannot compare with the stored object: ") + e.what(), item);
    return false;
  }
}

void Uploader::run() {
  std::unique_lock lock(mu_);
  while (true) {
    if (stop_) break;
    if (queue_.empty()) {
      cv_.wait(lock);
      continue;
    }
    if (clock::now() < next_try_) {
      cv_.wait_until(lock, next_try_);  // hurry() or stop() wake it early
      continue;
    }
    UploadItem item = queue_.front();
    in_flight_ = true;
    lock.unlock();
    bool ok = attempt(item);
    bool conflict = false;
    if (ok) {
      {
        std::lock_guard check(mu_);
        conflict = !given_up_.empty() && given_up_.back().key == item.key;
      }
      if (!conflict && on_done_) on_done_(item);
    }
    lock.lock();
    in_flight_ = false;
    if (ok) {
      queue_.pop_front();
      if (!conflict) {
        ++stats_.uploaded;
        stats_.bytes += item.size;
      }
      if (attempts_ > 0) spdlog::info("store {} accepts uploads again after {} failed attempts", store_->url(), attempts_);
      attempts_ = 0;
      last_logged_.clear();
      next_try_ = {};
    } else {
      next_try_ = clock::now() + backoff(attempts_++);
    }
    idle_cv_.notify_all();
  }
  in_flight_ = false;
  idle_cv_.notify_all();
}

}  // namespace jobtrail::archive
