#include "base/subprocess.h"

#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "base/error.h"

namespace npusim {

namespace {

// A message on the wire: its length (8 bytes, this machine's order), then its bytes.
using FrameLength = std::uint64_t;

bool send_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    const ssize_t k = ::send(fd, p, n, MSG_NOSIGNAL);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return false;  // the other end is gone
    p += k;
    n -= static_cast<std::size_t>(k);
  }
  return true;
}

bool send_frame(int fd, std::string_view message) {
  const FrameLength n = message.size();
  char head[sizeof n];
  std::memcpy(head, &n, sizeof n);
  return send_all(fd, head, sizeof head) && send_all(fd, message.data(), message.size());
}

bool receive_all(int fd, char* p, std::size_t n) {
  while (n > 0) {
    const ssize_t k = ::recv(fd, p, n, 0);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) return false;
    p += k;
    n -= static_cast<std::size_t>(k);
  }
  return true;
}

}  // namespace

std::string ExitStatus::str() const {
  if (signaled) return fmt::format("signal {} ({})", signal, ::strsignal(signal));
  return fmt::format("status {}", code);
}

std::optional<std::string> Channel::receive() {
  FrameLength n = 0;
  char head[sizeof n];
  if (!receive_all(fd_, head, sizeof head)) return std::nullopt;
  std::memcpy(&n, head, sizeof n);
  std::string s(n, '\0');
  if (!receive_all(fd_, s.data(), s.size())) return std::nullopt;
  return s;
}

bool Channel::send(std::string_view message) { return send_frame(fd_, message); }

Subprocess::Subprocess(const std::function<int(Channel&)>& body, const SpawnOptions& o, std::string_view what) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    throw Error(fmt::format("{}: cannot create a pipe: {}", what, std::strerror(errno)));
  const pid_t parent = ::getpid();
  std::fflush(nullptr);  // nothing buffered may be written twice
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int e = errno;
    ::close(sv[0]), ::close(sv[1]);
    throw Error(fmt::format("{}: cannot fork: {}", what, std::strerror(e)));
  }
  if (pid == 0) {
    ::close(sv[0]);
    for (int fd : o.close_in_child) ::close(fd);
    if (o.die_with_parent) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(3);  // the parent died before the line above
    }
    if (o.stdout_to_stderr) ::dup2(STDERR_FILENO, STDOUT_FILENO);
    int rc = 1;
    try {
      Channel ch(sv[1]);
      rc = body(ch);
    } catch (const std::exception& e) {
      fmt::print(stderr, "{}: {}\n", what, e.what());
    } catch (...) {
      fmt::print(stderr, "{}: an unknown exception\n", what);
    }
    std::fflush(nullptr);
    ::_exit(rc);
  }
  ::close(sv[1]);
  pid_ = pid;
  fd_ = sv[0];
}

Subprocess::~Subprocess() { release(); }

Subprocess::Subprocess(Subprocess&& o) noexcept
    : pid_(o.pid_), fd_(o.fd_), ended_(o.ended_), status_(o.status_), in_(std::move(o.in_)) {
  o.pid_ = -1;
  o.fd_ = -1;
}

Subprocess& Subprocess::operator=(Subprocess&& o) noexcept {
  if (this != &o) {
    release();
    pid_ = o.pid_, fd_ = o.fd_, ended_ = o.ended_, status_ = o.status_, in_ = std::move(o.in_);
    o.pid_ = -1;
    o.fd_ = -1;
  }
  return *this;
}

void Subprocess::release() {
  if (pid_ > 0 && !status_) {
    ::kill(pid_, SIGKILL);
    wait();
  }
  if (fd_ >= 0) ::close(fd_);
  pid_ = -1;
  fd_ = -1;
}

bool Subprocess::send(std::string_view message) { return fd_ >= 0 && !ended_ && send_frame(fd_, message); }

std::vector<std::string> Subprocess::read_available() {
  char buf[1 << 16];
  while (fd_ >= 0 && !ended_) {
    const ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) {
      in_.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;  // more later
    ended_ = true;  // 0: the child closed its end; an error: the same for us
  }
  std::vector<std::string> out;
  std::size_t at = 0;
  while (in_.size() - at >= sizeof(FrameLength)) {
    FrameLength n = 0;
    std::memcpy(&n, in_.data() + at, sizeof n);
    if (in_.size() - at - sizeof n < n) break;
    out.emplace_back(in_, at + sizeof n, n);
    at += sizeof n + n;
  }
  in_.erase(0, at);
  return out;
}

void Subprocess::kill(int signal) {
  if (pid_ > 0 && !status_) ::kill(pid_, signal);
}

ExitStatus Subprocess::wait() {
  if (status_) return *status_;
  if (pid_ <= 0) return ExitStatus{};
  int st = 0;
  while (::waitpid(pid_, &st, 0) < 0) {
    if (errno == EINTR) continue;
    status_ = ExitStatus{false, 0, -1};  // not our child any more (cannot happen)
    return *status_;
  }
  ExitStatus s;
  if (WIFSIGNALED(st)) {
    s.signaled = true;
    s.signal = WTERMSIG(st);
  } else {
    s.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  }
  status_ = s;
  return s;
}

std::vector<std::size_t> wait_readable(const std::vector<const Subprocess*>& children, int timeout_ms) {
  std::vector<pollfd> pfds;
  pfds.reserve(children.size());
  for (const Subprocess* c : children) pfds.push_back(pollfd{c->fd(), POLLIN, 0});
  const int rc = ::poll(pfds.data(), pfds.size(), timeout_ms);
  std::vector<std::size_t> ready;
  if (rc < 0) {
    if (errno == EINTR) return ready;
    throw Error(fmt::format("waiting for child processes: poll: {}", std::strerror(errno)));
  }
  for (std::size_t i = 0; i < pfds.size(); ++i)
    if (pfds[i].revents) ready.push_back(i);
  return ready;
}

ChildResult run_in_child(const std::function<std::string()>& fn, const SpawnOptions& options, std::string_view what,
                         double timeout_s) {
  Subprocess child([&fn](Channel& ch) { return ch.send(fn()) ? 0 : 1; }, options, what);
  ChildResult r;
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(timeout_s));
  while (!child.ended()) {
    int wait_ms = -1;
    if (timeout_s > 0 && !r.output) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()).count();
      if (left <= 0) {
        child.kill(SIGKILL);
        r.timed_out = true;
        break;
      }
      wait_ms = static_cast<int>(std::min<long long>(left + 1, 1 << 30));
    }
    wait_readable({&child}, wait_ms);
    for (auto& m : child.read_available())
      if (!r.output) r.output = std::move(m);
  }
  r.status = child.wait();
  return r;
}

}  // namespace npusim
