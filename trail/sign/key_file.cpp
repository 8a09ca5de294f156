#include "trail/sign/key_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace jobtrail::sign {

namespace {
std::string read_small(const std::filesystem::path& file, const char* what) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw KeyError(std::string("cannot read ") + what + " " + file.string() + ": " + std::strerror(errno));
  std::string text;
  char buf[4096];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > 64 * 1024) throw KeyError(std::string(what) + " " + file.string() + " is larger than 64 KiB: not a key");
  }
  if (in.bad()) throw KeyError(std::string("cannot read ") + what + " " + file.string());
  return text;
}
}  // namespace

PrivateKey load_private_key(const std::filesystem::path& file) {
  auto text = read_small(file, "signing key");
  try {
    return PrivateKey::from_pem(text);
  } catch (const KeyError& e) {
    throw KeyError("signing key " + file.string() + ": " + e.what());
  }
}

PublicKey load_public_key(const std::filesystem::path& file) {
  auto text = read_small(file, "public key");
  try {
    return PublicKey::from_pem(text);
  } catch (const KeyError& e) {
    throw KeyError("public key " + file.string() + ": " + e.what());
  }
}

}  // namespace jobtrail::sign
