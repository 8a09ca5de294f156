#pragma once
// When the uploader stops retrying one object: pure rules, unit-tested without a store.
//
// An outage (connection refused, 5xx, throttling, a 409 from a concurrent conditional write) is
// retried for as long as the writer runs: the spool keeps the object and the flush deadline
// decides. An object is given up only when retrying cannot help:
//  - the store refused it with an error retrying cannot fix (403 AccessDenied on its key, 400 for
//    a key longer than S3's 1,024 bytes, ...) on `refused_attempts` attempts in a row, or
//  - it kept failing for `give_up_after` while the store accepted other objects (the store works,
//    only not for this object).
// A given-up object stops taking the uploader's time; it is counted, logged, written into the
// trail and named in the manifest's failed_objects.
#include <chrono>
#include <string>

namespace jobtrail::archive {

struct UploadPolicy {
  unsigned refused_attempts = 3;  // a few, not one: a 403 while credentials rotate clears up
  std::chrono::milliseconds give_up_after{std::chrono::minutes(10)};
};

enum class FailureKind { transient, refused };

// `code`/`retryable` of the StoreError (trail/storage/store.hpp). The 409 family is a conflict
// between concurrent requests, not a verdict on the object, so it is transient.
FailureKind classify_failure(const std::string& code, bool retryable);

struct FailureHistory {
  FailureKind last = FailureKind::transient;
  unsigned refused_in_a_row = 0;                 // consecutive refusals, the last attempt included
  std::chrono::steady_clock::duration failing_for{};  // since the object's first failure
  bool others_stored_since = false;              // the store accepted another object meanwhile
};

bool should_give_up(const FailureHistory&, const UploadPolicy&);

}  // namespace jobtrail::archive
