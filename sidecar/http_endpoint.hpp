#pragma once
// /readyz, /healthz and /metrics over plain HTTP on its own thread (Beast, synchronous: one
// kubelet probe at a time needs nothing more). /readyz is 200 only once every BPF program is
// attached: the webhook's startupProbe uses it so no process of the pod starts untraced.
#include <memory>
#include <string>

namespace jobtrail::sidecar {

class HttpEndpoint {
 public:
  // listen: "ADDR:PORT" ("[::]:9477" for IPv6). Throws one line if it cannot bind.
  explicit HttpEndpoint(const std::string& listen);
  ~HttpEndpoint();  // stops the thread
  unsigned short port() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace jobtrail::sidecar
