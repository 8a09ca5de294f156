// The live stream is written in whole lines of at most PIPE_BUF bytes per write, so a job's output
// sharing the pipe cannot splice into a trail line.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "sidecar/line_stream.hpp"

using jobtrail::sidecar::fit_live_line;
using jobtrail::sidecar::whole_line_chunks;
using jobtrail::sidecar::write_whole_lines;

TEST_CASE("live stream: chunks are whole lines of at most max bytes; a longer line stands alone") {
  const std::string a(10, 'a'), b(10, 'b'), c(30, 'c');
  const std::string text = a + "\n" + b + "\n" + c + "\n" + a + "\n";
  auto chunks = whole_line_chunks(text, 24);
  REQUIRE(chunks.size() == 3);
  CHECK(chunks[0] == a + "\n" + b + "\n");  // 22 bytes: both fit
  CHECK(chunks[1] == c + "\n");             // 31 bytes: alone, over the limit
  CHECK(chunks[2] == a + "\n");
  std::string joined;
  for (auto ch : chunks) {
    CHECK(ch.back() == '\n');
    joined += ch;
  }
  CHECK(joined == text);
  CHECK(whole_line_chunks("", 24).empty());
  CHECK(whole_line_chunks(std::string(24, 'x').substr(0, 23) + "\n", 24).size() == 1);  // exactly max
}

TEST_CASE("live stream: a long line is cut to one atomic write, never inside a UTF-8 sequence") {
  std::string line(100, 'x');
  fit_live_line(line, 50);
  CHECK(line.size() + 1 <= 50);
  CHECK(line.ends_with("…"));
  std::string utf;  // 3-byte characters: a cut at any byte would split one
  for (int i = 0; i < 40; ++i) utf += "é€";
  fit_live_line(utf, 50);
  CHECK(utf.size() + 1 <= 50);
  CHECK(utf.ends_with("…"));
  std::string body = utf.substr(0, utf.size() - std::string("…").size());
  for (std::size_t i = 0; i < body.size();) {  // every sequence whole
    unsigned char c = static_cast<unsigned char>(body[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
    REQUIRE(i + len <= body.size());
    i += len;
  }
  std::string fits(48, 'y');
  fit_live_line(fits, 50);
  CHECK(fits == std::string(48, 'y'));
}

TEST_CASE("live stream: a job writing to the same pipe never lands inside a trail line") {
  int p[2];
  REQUIRE(pipe(p) == 0);
  fcntl(p[1], F_SETPIPE_SZ, 4096);  // a small pipe: a write larger than it is taken in parts
  const std::string trail_line = "TRAIL " + std::string(200, 't') + "\n";
  std::string trail;
  for (int i = 0; i < 8000; ++i) trail += trail_line;  // 1.6 MiB: many PIPE_BUF chunks
  std::string got;
  std::thread reader([&] {
    char buf[8192];
    for (ssize_t n; (n = read(p[0], buf, sizeof buf)) > 0;) got.append(buf, static_cast<std::size_t>(n));
  });
  std::thread job([&] {  // the job's own lines, written as a program's stdio would
    const std::string mine = "JOB " + std::string(50, 'j') + "\n";
    for (int i = 0; i < 20000; ++i) REQUIRE(write(p[1], mine.data(), mine.size()) == static_cast<ssize_t>(mine.size()));
  });
  CHECK(write_whole_lines(p[1], trail, PIPE_BUF));
  job.join();
  close(p[1]);
  reader.join();
  std::size_t trail_lines = 0, job_lines = 0, start = 0;
  while (start < got.size()) {
    std::size_t nl = got.find('\n', start);
    REQUIRE(nl != std::string::npos);
    std::string l = got.substr(start, nl + 1 - start);
    if (l == trail_line) ++trail_lines;
    else if (l == "JOB " + std::string(50, 'j') + "\n") ++job_lines;
    else FAIL("a spliced line: " << l.substr(0, 80));
    start = nl + 1;
  }
  CHECK(trail_lines == 8000);
  CHECK(job_lines == 20000);
  close(p[0]);
}
