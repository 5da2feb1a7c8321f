#include "redirects/redirects.h"

#include <cctype>

namespace redirects {

namespace {

constexpr std::size_t kMaxBytes = 2000;

bool clean(std::string_view s) {
  for (unsigned char c : s) {
    if (c <= 0x20 || c == 0x7f) return false;
  }
  return true;
}

bool local_path(std::string_view s) {
  // `//host` and `/\host` are other sites to a browser.
  return s.size() >= 1 && s[0] == '/' && (s.size() == 1 || (s[1] != '/' && s[1] != '\\'));
}

}  // namespace

std::string normalize_address(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else if (c == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += '%';
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(s[i + 1])));
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(s[i + 2])));
      i += 2;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

namespace {

auto invalid(const std::string& why) { return core::fail(core::ErrorCode::kInvalidInput, why); }

}  // namespace

core::Result<store::Redirect> make_redirect(std::string_view from, std::string_view to,
                                            std::string origin, core::UnixTime now) {
  if (from.empty()) return invalid("Say which old address moves.");
  if (to.empty()) return invalid("Say where the old address moves to.");
  if (from.size() > kMaxBytes || to.size() > kMaxBytes) {
    return invalid("An address may be at most 2,000 characters long.");
  }
  if (!clean(from) || !clean(to)) {
    return invalid("Addresses cannot contain spaces or control characters.");
  }
  if (!local_path(from)) {
    return invalid("The old address must be a path on this site, starting with / (for "
                   "example /2014/05/old-slug/ or /?p=22).");
  }
  if (from == "/") return invalid("The front page cannot be redirected.");
  if (!local_path(to) && !to.starts_with("https://") && !to.starts_with("http://")) {
    return invalid("The new address must be a path on this site, starting with /, or "
                   "an http(s) address.");
  }
  if (from == to) return invalid("A redirect cannot point to itself.");
  return store::Redirect{normalize_address(from), normalize_address(to), std::move(origin), now};
}

core::Result<void> put(store::RedirectStore& store, std::string_view from, std::string_view to,
                       std::string origin, core::UnixTime now) {
  auto r = make_redirect(from, to, std::move(origin), now);
  if (!r) return std::unexpected(r.error());
  return store.put_redirect(*r);
}

std::shared_ptr<const Redirects::Snapshot> Redirects::snapshot(long long version) {
  std::lock_guard lock(mu_);
  if (snapshot_ && snapshot_->version == version) return snapshot_;
  auto next = std::make_shared<Snapshot>();
  next->version = version;
  for (auto& r : store_.redirects()) {
    next->any_query = next->any_query || r.from.find('?') != std::string::npos;
    next->to.emplace(std::move(r.from), std::move(r.to));
  }
  snapshot_ = next;
  known_any_query_ = next->any_query;
  known_empty_ = next->to.empty();
  known_version_ = version;
  return snapshot_;
}

std::optional<std::string> Redirects::find(std::string_view target, long long version,
                                           bool missing) {
  auto query = target.find('?');
  if (!missing && query == std::string_view::npos) return std::nullopt;
  if (known_version_.load() == version &&
      (known_empty_.load() || (!missing && !known_any_query_.load()))) {
    return std::nullopt;
  }
  auto s = snapshot(version);
  if (s->to.empty() || (!missing && !s->any_query)) return std::nullopt;
  std::string normal = normalize_address(target);
  target = normal;
  query = target.find('?');
  auto at = [&](std::string_view key) -> std::optional<std::string> {
    auto it = s->to.find(std::string(key));
    if (it == s->to.end()) return std::nullopt;
    return it->second;
  };
  if (auto to = at(target)) return to;
  if (!missing) return std::nullopt;
  std::string_view path = target.substr(0, query);
  if (query != std::string_view::npos) {
    if (auto to = at(path)) return to;
  }
  // The same page with or without its final slash.
  if (path.size() > 1 && path.back() == '/') return at(path.substr(0, path.size() - 1));
  return at(std::string(path) + "/");
}

}  // namespace redirects
