// event_storm MODE THREADS SECONDS [RATE]: THREADS threads each make calls the sidecar records one
// event per call for, for SECONDS, so an events/s figure measures the sidecar, not how fast the
// machine execs. RATE is the calls per second of all threads together (0 or absent: as fast as they
// can); a thread that is ahead of its share sleeps. Prints "calls N seconds S" once all have joined.
//   open     openat(2) of a path that does not exist (ENOENT), a new path each call: one file_open
//            per call with --files all and with --files folded (folding merges only equal paths)
//   connect  socket + connect to a loopback port nothing listens on (ECONNREFUSED) + close: one
//            net_connect per call
// Exits 2 on bad arguments, 1 if a call fails otherwise than expected.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

enum class Mode { open, connect };

bool parse(const char* s, long& out) {
  const std::string_view v(s);
  const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  return ec == std::errc() && p == v.data() + v.size() && out >= 0;
}

// A port on 127.0.0.1 with no listener: bind one, read its number, close it (nothing listens there
// afterwards unless another program takes it in between, which makes connects succeed: still events).
int closed_port() {
  const int s = socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  const bool ok = bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) == 0;
  close(s);
  return ok ? ntohs(a.sin_port) : -1;
}

bool one_open(int thread, long i) {
  char path[96];
  std::snprintf(path, sizeof path, "/nonexistent-jt-event-storm/%d/%ld", thread, i);
  const int fd = open(path, O_RDONLY);
  if (fd >= 0) close(fd);
  return fd < 0 && errno == ENOENT;
}

bool one_connect(int port) {
  const int s = socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0) return false;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const int r = connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  const bool ok = r == 0 || errno == ECONNREFUSED;
  close(s);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  long threads = 0, seconds = 0, rate = 0;
  if (argc < 4 || argc > 5 || !parse(argv[2], threads) || !parse(argv[3], seconds) ||
      (argc == 5 && !parse(argv[4], rate)) || threads < 1 || threads > 256 || seconds < 1) {
    std::fprintf(stderr, "usage: event_storm open|connect THREADS SECONDS [RATE]\n");
    return 2;
  }
  const std::string_view m(argv[1]);
  if (m != "open" && m != "connect") return 2;
  const Mode mode = m == "open" ? Mode::open : Mode::connect;
  const int port = mode == Mode::connect ? closed_port() : 0;
  if (port < 0) return 1;

  const auto start = Clock::now();
  const auto end = start + std::chrono::seconds(seconds);
  // Per thread: nanoseconds between two calls at its share of RATE (0: no pacing).
  const double gap_ns = rate > 0 ? 1e9 * static_cast<double>(threads) / static_cast<double>(rate) : 0;
  std::atomic<long> total{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      long i = 0;
      // The clock is read every 64 calls: often enough to stop on time and pace, rare enough
      // not to be a cost of its own next to a syscall.
      for (;;) {
        if (i % 64 == 0) {
          const auto now = Clock::now();
          if (now >= end) break;
          if (gap_ns > 0) {
            const auto due = start + std::chrono::nanoseconds(static_cast<long long>(gap_ns * static_cast<double>(i)));
            if (due > now) std::this_thread::sleep_until(due < end ? due : end);
            if (Clock::now() >= end) break;
          }
        }
        if (!(mode == Mode::open ? one_open(t, i) : one_connect(port))) failed = true;
        ++i;
      }
      total += i;
    });
  }
  for (auto& th : pool) th.join();
  const double took = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("calls %ld seconds %.3f\n", total.load(), took);
  return failed ? 1 : 0;
}
