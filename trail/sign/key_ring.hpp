#pragma once
// The public keys a verifier trusts, by key id: the current key and the older ones kept for
// archives signed before a rotation (docs/install.md).
#include <vector>

#include "trail/sign/ed25519.hpp"

namespace jobtrail::sign {

class KeyRing {
 public:
  void add(PublicKey k) {
    if (!find(k.key_id())) keys_.push_back(std::move(k));
  }
  const PublicKey* find(std::string_view key_id) const {
    for (auto& k : keys_)
      if (k.key_id() == key_id) return &k;
    return nullptr;
  }
  bool empty() const { return keys_.empty(); }
  const std::vector<PublicKey>& keys() const { return keys_; }

 private:
  std::vector<PublicKey> keys_;
};

}  // namespace jobtrail::sign
