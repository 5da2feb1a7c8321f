// The meridian command line: serve, import, export. Each command accepts --data DIR
// anywhere after its name (or MERIDIAN_DATA in the environment).
#include <CLI/CLI.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <pthread.h>
#include <unistd.h>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "accounts/members_csv.h"
#include "app/app.h"
#include "importers/ghost.h"
#include "importers/ghost_members.h"
#include "importers/import.h"
#include "pages/demo.h"
#include "importers/jsonl.h"
#include "importers/publication.h"
#include "importers/wxr.h"
#include "backup/backup.h"
#include "billing/housekeeper.h"
#include "newsletter/personal.h"
#include "newsletter/scheduler.h"
#include "core/net.h"
#include "core/time.h"
#include "core/version.h"
#include "store/postgres/pg.h"
#include "store/postgres/copy.h"
#include "store/postgres/pg_store.h"
#include "store/sqlite/migrations.h"
#include "store/store.h"
#include "web/server.h"
#include "web/site.h"

namespace {

int fail_with(const std::string& command, const std::string& message) {
  std::fprintf(stderr, "meridian %s: %s\n", command.c_str(), message.c_str());
  return 1;
}

std::unique_ptr<app::App> open_or_exit(const std::string& command, core::Config config,
                                       int& status) {
  auto opened = app::open_app(std::move(config));
  if (!opened) {
    status = fail_with(command, opened.error().message);
    return nullptr;
  }
  status = 0;
  return std::move(*opened);
}

// What serves requests: the app (store, services), the site and the newsletter
// scheduler. A reload (SIGHUP, or saving settings in the back office) builds a new one
// and swaps it in; requests in flight finish on the old one, which goes when they do.
struct Runtime {
  std::unique_ptr<app::App> app;
  std::unique_ptr<web::Site> site;
  std::unique_ptr<newsletter::Scheduler> scheduler;
  std::unique_ptr<billing::Housekeeper> billing;
  std::unique_ptr<backup::Scheduler> backups;
  long long settings_version = 0;  // of the settings it was built with
  ~Runtime() {
    scheduler.reset();
    billing.reset();
    backups.reset();
    site.reset();
  }
};

// What a site needs from the app; `reload` asks for a settings reload (serve only).
web::SiteDeps site_deps(app::App& a, std::function<void()> reload) {
  return web::SiteDeps{*a.store,    a.config,          a.clock,           *a.accounts,
                       *a.paywall,  *a.events,         *a.newsletters,    *a.editorial,
                       *a.member_admin, std::move(reload), a.recut.get(), a.billing.get(),
                       a.api_tokens.get(), a.webhooks.get(), a.curator.get(),
                       a.alerts.get()};
}

core::Result<std::shared_ptr<Runtime>> make_runtime(const core::Config& config) {
  auto a = app::open_app(config);
  if (!a) return std::unexpected(a.error());
  auto rt = std::make_shared<Runtime>();
  rt->app = std::move(*a);
  auto* app = rt->app.get();
  rt->settings_version = app->store->editorial().settings_version();
  rt->site = std::make_unique<web::Site>(site_deps(*app, [] { ::kill(::getpid(), SIGHUP); }));
  rt->scheduler = std::make_unique<newsletter::Scheduler>(*app->newsletters, app->clock, app->config);
  rt->scheduler->start();
  app->alerts->start();
  rt->billing = std::make_unique<billing::Housekeeper>(*app->billing, app->clock, app->config);
  rt->billing->start();
  rt->backups = std::make_unique<backup::Scheduler>(*app->store, app->config, app->clock);
  rt->backups->start();
  app->webhooks->start();
  app->store->content().warm_search(app->config.timezone);
  if (app->mail_queue) app->mail_queue->start();
  app->recut->start();
  return rt;
}

int cmd_serve(core::Config config, const std::string& listen, bool demo) {
  auto started = std::chrono::steady_clock::now();
  // Block the stop and reload signals before any thread starts (the event writer, the log
  // flusher, the request threads inherit the mask), so that only run_server's sigwait
  // receives them and shutdown is always graceful.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  if (!listen.empty()) {
    if (auto ok = core::parse_listen(listen, config); !ok) {
      return fail_with("serve", ok.error().message);
    }
  }
  if (demo) {
    int status = 0;
    auto a = open_or_exit("serve", config, status);
    if (!a) return status;
    auto loaded = a->content->load_demo_if_empty();
    if (!loaded) return fail_with("serve", "could not load the demo: " + loaded.error().message);
    if (*loaded > 0) std::fprintf(stderr, "meridian: loaded %d demo articles\n", *loaded);
    if (*loaded > 0) {
      auto added = pages::load_demo_pages_if_empty(a->store->pages(), a->clock.now());
      if (!added) return fail_with("serve", "could not add the demo pages: " + added.error().message);
    }
  }
  try {
    auto first = make_runtime(config);
    if (!first) return fail_with("serve", first.error().message);
    const core::Config cfg = (*first)->app->config;  // for the start-up line
    // Moved, so `current` holds the only reference (a reload waits for it to be the last).
    std::atomic<std::shared_ptr<Runtime>> current(std::move(*first));
    web::ServerOptions options;
    options.host = cfg.listen_host;
    options.port = cfg.listen_port;
    options.threads = cfg.threads;
    // Only POSTs can be heavy: pages never pay for the runtime load this takes.
    options.heavy = [&current](const web::Request& r) {
      return r.method == "POST" && current.load()->site->heavy(r);
    };
    options.heavy_threads = cfg.password_workers;
    options.heavy_queue = static_cast<std::size_t>(cfg.password_queue);
    // Settings saved through another node (or another process on the same database): this
    // node reloads within a second, as the one that saved them did at once.
    std::atomic<bool> stopping{false};
    std::thread settings_watch([&current, &stopping] {
      long long asked = -1;  // the version a reload was last asked for
      while (!stopping.load()) {
        try {
          if (auto rt = current.load()) {
            long long v = rt->app->store->editorial().settings_version();
            if (v != rt->settings_version && v != asked) {
              asked = v;
              ::kill(::getpid(), SIGHUP);
            }
          }
        } catch (const std::exception&) {  // the database is away: asked again next second
        }
        for (int i = 0; i < 10 && !stopping.load(); ++i) {
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
      }
    });
    struct Join {
      std::atomic<bool>& stop;
      std::thread& t;
      ~Join() {
        stop = true;
        t.join();
      }
    } join_watch{stopping, settings_watch};
    web::run_server(
        options,
        [&current](web::Request& r) {
          auto rt = current.load();
          return rt->site->handle(r);
        },
        [&] {
          auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
          std::fprintf(stderr, "meridian %s: serving %s on http://%s:%d (data in %s, schema %d, "
                       "ready in %lld ms)\n",
                       core::version(), cfg.site_name.c_str(), cfg.listen_host.c_str(),
                       cfg.listen_port, cfg.data_dir.c_str(),
                       current.load()->app->store->content().schema_version(),
                       static_cast<long long>(ms));
        },
        [&] {
          auto next = make_runtime(config);
          if (!next) {
            std::fprintf(stderr, "meridian: reload failed, still serving the old settings: %s\n",
                         next.error().message.c_str());
            return;
          }
          auto old = current.exchange(*next);
          std::fprintf(stderr, "meridian: reloaded settings\n");
          // Requests in flight finish on the old runtime (within the handling timeout);
          // it is taken down here, not on a request thread (its scheduler may be
          // finishing a send).
          for (int i = 0; i < 3000 && old.use_count() > 1; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
          }
          old.reset();
        });
    current.store(nullptr);
  } catch (const std::exception& e) {
    return fail_with("serve", e.what());
  }
  std::fprintf(stderr, "meridian: stopped\n");
  return 0;
}

// Where the database stands, without opening the publication (nothing migrates).
int cmd_db_copy(core::Config config, const std::string& to) {
  if (auto loaded = core::load_config(config, core::process_environment()); !loaded) {
    std::fprintf(stderr, "meridian: %s\n", loaded.error().message.c_str());
    return 2;
  }
  if (!to.starts_with("postgresql://") && !to.starts_with("postgres://")) {
    std::fprintf(stderr, "meridian: db copy: --to must be a PostgreSQL URI (postgresql://…)\n");
    return 2;
  }
  std::string path = (std::filesystem::path(config.data_dir) / "meridian.db").string();
  bool tty = isatty(fileno(stderr));
  auto started = std::chrono::steady_clock::now();
  auto copied = store::postgres::copy_from_sqlite(path, to, [tty](long long done, long long total) {
    if (!tty || total == 0) return;
    int width = 40;
    int filled = static_cast<int>(done * width / total);
    std::fprintf(stderr, "\r[%s%s] %lld/%lld rows",
                 std::string(static_cast<std::size_t>(filled), '#').c_str(),
                 std::string(static_cast<std::size_t>(width - filled), ' ').c_str(), done, total);
    if (done == total) std::fprintf(stderr, "\n");
  });
  if (!copied) {
    std::fprintf(stderr, "meridian: db copy: %s\n", copied.error().message.c_str());
    return 1;
  }
  long long rows = 0;
  for (const auto& t : *copied) {
    std::printf("%-24s %lld\n", t.name.c_str(), t.rows);
    rows += t.rows;
  }
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("copied %lld rows in %zu tables to %s in %.1f s (each count checked); set "
              "[database] url to it, and the search index was made there\n",
              rows, copied->size(), store::postgres::describe_target(to).c_str(), seconds);
  return 0;
}

// The schema lines of `db status`, the same for both backends.
template <typename Migration>
void print_schema(int version, int latest, bool empty, const std::vector<const Migration*>& pending) {
  if (version > latest) {
    std::printf("schema: version %d, newer than this binary knows (%d): upgrade meridian\n",
                version, latest);
    return;
  }
  if (empty) {
    std::printf("schema: none yet (an empty database)\n");
  } else {
    std::printf("schema: version %d of %d%s\n", version, latest,
                pending.empty() ? " (up to date)" : "");
  }
  for (const auto* m : pending) std::printf("pending: %d %s\n", m->version, m->description);
  if (!pending.empty()) {
    std::printf("(pending migrations run when serve or any other command next opens the "
                "publication)\n");
  }
}

int cmd_db_status(core::Config config) {
  if (auto loaded = core::load_config(config, core::process_environment()); !loaded) {
    std::fprintf(stderr, "meridian: %s\n", loaded.error().message.c_str());
    return 2;
  }
  try {
    if (!config.database_url.empty()) {
      store::postgres::Connection c(config.database_url);
      int v = c.server_version();
      std::printf("backend: PostgreSQL %d.%d at %s (reachable)\n", v / 10000, v % 10000,
                  store::postgres::describe_target(config.database_url).c_str());
      auto status = store::postgres::schema_status(config.database_url);
      int latest = store::postgres::migrations().back().version;
      print_schema(status.version, latest, status.version == 0, status.pending);
      return status.version > latest ? 1 : 0;
    }
    std::string path = (std::filesystem::path(config.data_dir) / "meridian.db").string();
    auto status = store::sqlite::schema_status(path);
    int latest = store::sqlite::migrations().back().version;
    std::printf("backend: SQLite, %s%s\n", path.c_str(), status.exists ? "" : " (not created yet)");
    print_schema(status.version, latest, false, status.pending);
    if (status.version > latest) return 1;
    return 0;
  } catch (const store::StoreError& e) {
    std::fprintf(stderr, "meridian: %s\n", e.what());
    return 1;
  }
}

struct ImportArgs {
  std::string file;
  std::string format;  // "" = by content
  bool dry_run = false;
  std::string access;
  std::string comp_until;
  std::string map;
  std::string media_dir;
};

// Standard input copied to a temporary file: the WordPress and Ghost importers read a file
// twice (check, then write) without holding it in memory.
std::optional<std::string> spool_stdin() {
  char name[] = "/tmp/meridian-import-XXXXXX";
  int fd = ::mkstemp(name);
  if (fd < 0) return std::nullopt;
  std::FILE* out = ::fdopen(fd, "wb");
  char buffer[1 << 16];
  std::size_t n;
  bool ok = out != nullptr;
  while (ok && (n = std::fread(buffer, 1, sizeof buffer, stdin)) > 0) {
    ok = std::fwrite(buffer, 1, n, out) == n;
  }
  if (out) ok = std::fclose(out) == 0 && ok;
  if (!ok) {
    ::unlink(name);
    return std::nullopt;
  }
  return std::string(name);
}

int cmd_import(core::Config config, const ImportArgs& args) {
  const std::string& file = args.file;
  std::string path = file;
  std::optional<std::string> spooled;
  if (file == "-") {
    spooled = spool_stdin();
    if (!spooled) return fail_with("import", "cannot copy standard input to a temporary file");
    path = *spooled;
  }
  struct Unlink {
    std::optional<std::string>& p;
    ~Unlink() { if (p) ::unlink(p->c_str()); }
  } unlink_spool{spooled};
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail_with("import", "cannot read " + file);
  std::string head(8192, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  in.clear();
  in.seekg(0);
  importers::Format detected = importers::detect_format(head);
  std::optional<importers::Format> format = detected;
  if (!args.format.empty()) {
    format = importers::parse_format(args.format);
    if (!format) return fail_with("import", "--format must be jsonl, wxr or ghost, not '" + args.format + "'");
    // --format ghost also names Ghost's members CSV.
    if (*format == importers::Format::kGhost && detected == importers::Format::kGhostMembers) {
      format = detected;
    }
  }
  importers::ImportOptions options;
  options.dry_run = args.dry_run;
  if (!args.access.empty()) {
    options.access = content::parse_access_class(args.access);
    if (!options.access) {
      return fail_with("import", "--access must be free, metered or premium, not '" + args.access + "'");
    }
  }
  if (!args.comp_until.empty()) {
    auto day = core::parse_rfc3339(args.comp_until + "T00:00:00Z");
    if (!day || args.comp_until.size() != 10) {
      return fail_with("import", "--comp-until must be a date like 2027-12-31, not '" + args.comp_until + "'");
    }
    options.comp_until = *day + 86400;  // through that whole day
  }
  if (!args.media_dir.empty()) {
    if (!std::filesystem::is_directory(args.media_dir)) {
      return fail_with("import", "--media-dir " + args.media_dir + " is not a folder");
    }
    options.media_from = args.media_dir;
    options.media_into = config.media_dir.empty()
                             ? (std::filesystem::path(config.data_dir) / "media").string()
                             : config.media_dir;
  }
  std::optional<importers::TermMap> term_map;
  if (!args.map.empty()) {
    auto loaded = importers::TermMap::load(args.map);
    if (!loaded) return fail_with("import", loaded.error().message + " (nothing imported)");
    term_map = std::move(*loaded);
    options.map = &*term_map;
  }
  int status = 0;
  auto a = open_or_exit("import", std::move(config), status);
  if (!a) return status;
  if (*format == importers::Format::kGhostMembers) {
    std::stringstream members_text;
    members_text << in.rdbuf();
    auto summary = importers::import_ghost_members(members_text.str(), *a->store, a->clock, options);
    if (!summary) {
      return fail_with("import", file + ": " + summary.error().message + " (nothing imported)");
    }
    std::fputs(importers::describe(*summary, file, args.dry_run).c_str(), stdout);
    return 0;
  }
  if (*format == importers::Format::kWxr) {
    bool bar = ::isatty(2) != 0;
    int shown = -1;
    options.progress = [&](int pass, long long done, long long total) {
      if (!bar || total <= 0) return;
      int percent = static_cast<int>(done * 100 / total);
      if (percent == shown) return;
      shown = percent;
      int filled = percent / 4;
      std::fprintf(stderr, "\r%s [%s%s] %3d%%", pass == 1 ? "checking" : "importing",
                   std::string(static_cast<std::size_t>(filled), '#').c_str(),
                   std::string(static_cast<std::size_t>(25 - filled), '.').c_str(), percent);
      if (percent == 100) {
        std::fprintf(stderr, "\n");
        shown = -1;
      }
    };
    auto summary = importers::import_wxr(path, *a->store, *a->content, a->clock, options);
    if (!summary) {
      return fail_with("import", file + ": " + summary.error().message + " (nothing imported)");
    }
    std::fputs(importers::describe(*summary, file, args.dry_run).c_str(), stdout);
    return 0;
  }
  if (*format == importers::Format::kGhost) {
    auto summary = importers::import_ghost(path, *a->store, *a->content, a->clock, options);
    if (!summary) {
      return fail_with("import", file + ": " + summary.error().message + " (nothing imported)");
    }
    std::fputs(importers::describe(*summary, file, args.dry_run).c_str(), stdout);
    return 0;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  if (*format == importers::Format::kPublication) {
    if (args.dry_run) return fail_with("import", "--dry-run reads JSON Lines, WordPress and Ghost exports, not a whole-publication export");
    auto whole = importers::import_publication(text, *a->store, *a->content, a->clock);
    if (!whole) return fail_with("import", file + ": " + whole.error().message);
    std::printf("imported the publication from %s: %d articles, %d topics, %d countries, %d "
                "authors, %d members, %d editions, %d settings, %d pages, %d redirects\n",
                file.c_str(), whole->articles, whole->topics, whole->countries, whole->authors,
                whole->members, whole->editions, whole->settings, whole->pages, whole->redirects);
    return 0;
  }
  if (args.dry_run) {
    auto parsed = importers::parse_jsonl(text);
    if (!parsed) return fail_with("import", file + ": " + parsed.error().message + " (nothing would be imported)");
    int fresh = 0;
    for (const auto& article : parsed->articles) fresh += !a->store->content().article_id(article.slug);
    int total = static_cast<int>(parsed->articles.size());
    std::printf("dry run: nothing was written. would import %d articles from %s (%d new, %d updated)\n",
                total, file.c_str(), fresh, total - fresh);
    return 0;
  }
  auto report = a->content->import_jsonl(text);
  if (!report) {
    return fail_with("import", file + ": " + report.error().message + " (nothing imported)");
  }
  std::printf("imported %d articles from %s (%d new, %d updated)\n",
              report->created + report->updated, file.c_str(), report->created, report->updated);
  return 0;
}

int cmd_export(core::Config config, const std::string& file, bool all) {
  int status = 0;
  auto a = open_or_exit("export", std::move(config), status);
  if (!a) return status;
  if (all) {
    auto whole = importers::export_publication(*a->store, *a->content, a->clock);
    if (!whole) return fail_with("export", whole.error().message);
    std::string text =
        whole->dump(1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
    if (file.empty() || file == "-") {
      std::fwrite(text.data(), 1, text.size(), stdout);
    } else {
      std::string tmp = file + ".tmp";
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      out << text;
      out.close();
      if (!out) return fail_with("export", "write to " + file + " failed");
      std::rename(tmp.c_str(), file.c_str());
    }
    std::fprintf(stderr, "exported the publication: %zu articles, %zu members, %zu editions\n",
                 (*whole)["articles"].size(), (*whole)["members"].size(), (*whole)["editions"].size());
    return 0;
  }
  if (file.empty() || file == "-") {
    int n = a->content->export_jsonl(std::cout);
    std::cout.flush();
    std::fprintf(stderr, "exported %d articles\n", n);
    return 0;
  }
  std::string tmp = file + ".tmp";
  int n = 0;
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return fail_with("export", "cannot write " + file);
    n = a->content->export_jsonl(out);
    out.flush();
    if (!out) return fail_with("export", "write to " + file + " failed");
  }
  std::rename(tmp.c_str(), file.c_str());
  std::fprintf(stderr, "exported %d articles to %s\n", n, file.c_str());
  return 0;
}

// "YYYY-MM-DD": access through the end of that day in the publication's zone.
std::string read_file(const std::string& path, bool& ok) {
  std::stringstream ss;
  if (path == "-") {
    ss << std::cin.rdbuf();
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      ok = false;
      return {};
    }
    ss << in.rdbuf();
  }
  ok = true;
  return ss.str();
}

int cmd_members_grant(core::Config config, const std::string& email, const std::string& until,
                      const std::string& name) {
  int status = 0;
  auto a = open_or_exit("members grant", std::move(config), status);
  if (!a) return status;
  auto m = a->member_admin->grant(email, name, until);
  if (!m) return fail_with("members grant", m.error().message);
  std::printf("%s is a subscriber until the end of %s (%s)\n", m->email.c_str(), until.c_str(),
              a->config.timezone.c_str());
  return 0;
}

int cmd_members_revoke(core::Config config, const std::string& email) {
  int status = 0;
  auto a = open_or_exit("members revoke", std::move(config), status);
  if (!a) return status;
  auto m = a->member_admin->revoke(email);
  if (!m) return fail_with("members revoke", m.error().message);
  std::printf("%s no longer has complimentary access\n", m->email.c_str());
  return 0;
}

int cmd_members_list(core::Config config, bool csv) {
  int status = 0;
  auto a = open_or_exit("members list", std::move(config), status);
  if (!a) return status;
  auto now = a->clock.now();
  auto members = a->store->members().list_members();
  if (csv) {
    std::fputs(a->member_admin->export_csv().c_str(), stdout);
    return 0;
  }
  std::printf("%-40s %-12s %-9s %s\n", "EMAIL", "STATE", "VERIFIED", "COMPLIMENTARY UNTIL");
  for (const auto& m : members) {
    std::printf("%-40s %-12s %-9s %s\n", m.email.c_str(), accounts::member_state(m, now).c_str(),
                m.verified() ? "yes" : "no",
                m.comp_until ? core::format_rfc3339(*m.comp_until).c_str() : "-");
  }
  std::printf("%zu members\n", members.size());
  return 0;
}

int cmd_members_import(core::Config config, const std::string& file, const std::string& until) {
  bool ok = false;
  std::string text = read_file(file, ok);
  if (!ok) return fail_with("members import", "cannot read " + file);
  auto rows = accounts::parse_members_csv(text);
  if (!rows) return fail_with("members import", file + ": " + rows.error().message + " (nothing imported)");
  int status = 0;
  auto a = open_or_exit("members import", std::move(config), status);
  if (!a) return status;
  auto report = a->member_admin->import_csv(text, until);
  if (!report) return fail_with("members import", file + ": " + report.error().message + " (nothing imported)");
  std::printf("imported %d members from %s (%d new, %d updated)%s\n", report->rows, file.c_str(),
              report->created, report->updated,
              until.empty() ? "" : (", subscribers until the end of " + until).c_str());
  return 0;
}

int cmd_institutions_add(core::Config config, const std::string& name,
                         const std::vector<std::string>& cidrs) {
  if (name.empty()) return fail_with("institutions add", "--name is required");
  for (const auto& c : cidrs) {
    if (!core::parse_cidr(c)) {
      return fail_with("institutions add", "not an address range: '" + c + "' (use e.g. 192.0.2.0/24)");
    }
  }
  int status = 0;
  auto a = open_or_exit("institutions add", std::move(config), status);
  if (!a) return status;
  auto id = a->store->members().add_institution(name, cidrs, a->clock.now());
  if (!id) return fail_with("institutions add", id.error().message);
  std::printf("added institution %s (%zu ranges)\n", name.c_str(), cidrs.size());
  return 0;
}

int cmd_institutions_list(core::Config config) {
  int status = 0;
  auto a = open_or_exit("institutions list", std::move(config), status);
  if (!a) return status;
  for (const auto& r : a->store->members().institution_ranges()) {
    std::printf("%s\t%s\n", r.name.c_str(), r.cidr.c_str());
  }
  return 0;
}

int cmd_signin_link(core::Config config, const std::string& email, const char* command) {
  int status = 0;
  auto a = open_or_exit(command, std::move(config), status);
  if (!a) return status;
  auto link = a->accounts->signin_link_for(email, "/admin");
  if (!link) return fail_with(command, link.error().message);
  std::printf("%s\n", link->c_str());
  return 0;
}

int cmd_staff_add(core::Config config, const std::string& email, const std::string& role_name,
                  bool link) {
  auto role = accounts::parse_role(role_name);
  if (!role || *role == accounts::Role::kReader) {
    return fail_with("staff add", "--role must be admin, editor or author");
  }
  int status = 0;
  auto a = open_or_exit("staff add", std::move(config), status);
  if (!a) return status;
  auto m = a->member_admin->set_staff_role(email, *role);
  if (!m) return fail_with("staff add", m.error().message);
  std::printf("%s is now %s\n", m->email.c_str(), role_name.c_str());
  if (!link) return 0;
  auto url = a->accounts->signin_link_for(m->email, "/admin");
  if (!url) return fail_with("staff add", url.error().message);
  // Last line: the link alone, for scripts. It works once, within the hour.
  std::printf("Sign in once within the hour with:\n%s\n", url->c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Meridian: a publishing platform for subscription analysis", "meridian"};
  cli.require_subcommand(1);
  cli.fallthrough();
  cli.set_help_all_flag("--help-all", "Print the help of every command");
  cli.set_version_flag("--version", std::string("meridian ") + core::version(),
                       "Print the version and exit");
  core::Config config;
  cli.add_option("--data", config.data_dir, "Data folder (default ./data)")
      ->envname("MERIDIAN_DATA");

  auto* serve = cli.add_subcommand("serve", "Serve the publication over HTTP");
  std::string listen;
  bool demo = false;
  serve->add_option("--listen", listen, "HOST:PORT to listen on (default 127.0.0.1:8080)");
  serve->add_flag("--demo", demo, "Fill an empty database with the demo publication");
  std::string log_format;
  serve->add_option("--log-format", log_format,
                    "Request log lines: text (default) or json (for log shippers)")
      ->check(CLI::IsMember({"text", "json"}));

  auto* import = cli.add_subcommand(
      "import", "Import articles: Meridian JSON Lines, a WordPress (WXR) or Ghost export, or a whole-publication export");
  ImportArgs import_args;
  import->add_option("FILE", import_args.file, "The file, or - for standard input")->required();
  import->add_option("--format", import_args.format,
                     "jsonl, wxr or ghost (default: recognised by content)");
  import->add_flag("--dry-run", import_args.dry_run,
                   "Print what would be created, updated and skipped; write nothing");
  import->add_option("--access", import_args.access,
                     "Access for imported posts the source does not set: free, metered "
                     "(default) or premium");
  import->add_option("--media-dir", import_args.media_dir,
                     "The old site's upload folder (wp-content/uploads, Ghost's content/images): "
                     "featured images become hero images");
  import->add_option("--map", import_args.map,
                     "FILE.toml: what categories and tags become (rename, merge, country, drop; "
                     "docs/migrating.md)");
  import->add_option("--comp-until", import_args.comp_until,
                     "YYYY-MM-DD: the last day of access for members complimentary on the old "
                     "site (default: without end)");

  auto* exp = cli.add_subcommand("export", "Export every article as JSON Lines");
  std::string export_file;
  exp->add_option("FILE", export_file, "Output file (default: standard output)");
  bool export_all = false;
  exp->add_flag("--all", export_all,
                "Everything the publication owns (articles, taxonomy, members, editions, "
                "settings) as one JSON document that import reads back");

  auto* reindex = cli.add_subcommand("reindex", "Rebuild the search index from the articles");
  auto* rerender = cli.add_subcommand(
      "rerender", "Render every article again from its Markdown (teaser cut and HTML), e.g. after "
                  "an upgrade that changes rendering");

  auto* members = cli.add_subcommand("members", "Manage readers and complimentary subscriptions");
  members->require_subcommand(1);
  members->fallthrough();
  std::string m_email, m_until, m_name, m_file;
  auto* grant = members->add_subcommand("grant", "Grant complimentary access until a date");
  grant->add_option("--email", m_email, "Reader's address")->required();
  grant->add_option("--until", m_until, "Last day of access, YYYY-MM-DD")->required();
  grant->add_option("--name", m_name, "Reader's name");
  auto* revoke = members->add_subcommand("revoke", "End complimentary access");
  revoke->add_option("--email", m_email, "Reader's address")->required();
  auto* list = members->add_subcommand("list", "List members");
  auto* mexport = members->add_subcommand("export", "Export members as CSV");
  auto* mimport = members->add_subcommand("import", "Import members from CSV (email,name; Ghost; Substack)");
  mimport->add_option("FILE", m_file, "CSV file, or - for standard input")->required();
  mimport->add_option("--grant-until", m_until, "Also grant access until YYYY-MM-DD");

  auto* newsletters = cli.add_subcommand("newsletter", "Compose, preview and send newsletters");
  newsletters->require_subcommand(1);
  newsletters->fallthrough();
  std::string n_name, n_date;
  auto* nsend = newsletters->add_subcommand("send", "Send an edition to every reader who has not had it");
  nsend->add_option("NEWSLETTER", n_name, "daily, weekly or free")->required();
  nsend->add_option("--date", n_date, "Edition date, YYYY-MM-DD (default: today)");
  auto* npreview = newsletters->add_subcommand("preview", "Print an edition");
  npreview->add_option("NEWSLETTER", n_name, "daily, weekly or free")->required();
  npreview->add_option("--date", n_date, "Edition date, YYYY-MM-DD (default: today)");

  auto* alerts_cmd = cli.add_subcommand("alerts", "Readers' email alerts about what they follow");
  alerts_cmd->require_subcommand(1);
  alerts_cmd->fallthrough();
  bool a_digest = false;
  auto* asend = alerts_cmd->add_subcommand(
      "send", "Send the alerts due now (serve does this every minute, and digests once a day)");
  asend->add_flag("--digest", a_digest,
                  "Also send the daily digests now, of what was published in the day before");

  auto* institutions = cli.add_subcommand("institutions", "Manage institutional access by IP range");
  institutions->require_subcommand(1);
  institutions->fallthrough();
  std::string i_name;
  std::vector<std::string> i_cidrs;
  auto* iadd = institutions->add_subcommand("add", "Add an institution with its address ranges");
  iadd->add_option("--name", i_name, "Institution name")->required();
  iadd->add_option("--cidr", i_cidrs, "Address range, e.g. 192.0.2.0/24 (repeatable)")->required();
  auto* ilist = institutions->add_subcommand("list", "List institutions and their ranges");

  auto* staff = cli.add_subcommand("staff", "Manage staff accounts");
  staff->require_subcommand(1);
  staff->fallthrough();
  std::string s_role;
  auto* sadd = staff->add_subcommand("add", "Give an address a staff role");
  sadd->add_option("--email", m_email, "Staff member's address")->required();
  sadd->add_option("--role", s_role, "admin, editor or author")->required();
  bool s_link = false;
  sadd->add_flag("--link", s_link,
                 "Also print a one-time sign-in link for that address (no mail server needed)");
  auto* signin_link = cli.add_subcommand(
      "signin-link", "Print a one-time sign-in link for an existing account (valid for an hour)");
  signin_link->add_option("--email", m_email, "The account's address")->required();

  auto* routes = cli.add_subcommand("routes", "List the HTTP routes with who may call each");

  std::string backup_file;
  auto* backup_cmd = cli.add_subcommand(
      "backup", "Back up the whole publication (database, media, configuration) into one "
                "archive while it keeps serving");
  backup_cmd->add_option("FILE", backup_file,
                         "Archive to write (.tar or .tar.gz; default meridian-DATE.tar.gz here)");
  auto* restore_cmd = cli.add_subcommand(
      "restore", "Restore a backup into a new or empty data folder (--data), checking every "
                 "checksum first");
  restore_cmd->add_option("FILE", backup_file, "The archive")->required();

  auto* db_cmd = cli.add_subcommand("db", "The database behind the publication");
  db_cmd->require_subcommand(1);
  db_cmd->fallthrough();
  auto* db_status = db_cmd->add_subcommand(
      "status", "Print the backend, the schema version and the migrations still to run (changes "
                "nothing)");
  std::string copy_to;
  auto* db_copy = db_cmd->add_subcommand(
      "copy", "Copy the publication in DATA/meridian.db into an empty PostgreSQL database "
              "(every table, counts checked); then set [database] url to it");
  db_copy->add_option("--to", copy_to, "The PostgreSQL database (postgresql://…)")->required();

  auto* billing_cmd = cli.add_subcommand("billing", "Payments through Stripe");
  billing_cmd->require_subcommand(1);
  billing_cmd->fallthrough();
  bool b_dry = false;
  auto* bsync = billing_cmd->add_subcommand(
      "sync", "Read every subscription from Stripe and repair what drifted (missed webhooks, a "
              "restored backup); prints what changed");
  bsync->add_flag("--dry-run", b_dry, "Print what would change, change nothing");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }
  if (serve->parsed()) {
    if (!log_format.empty()) ::setenv("MERIDIAN_LOG_FORMAT", log_format.c_str(), 1);
    return cmd_serve(config, listen, demo);
  }
  if (db_status->parsed()) return cmd_db_status(config);
  if (db_copy->parsed()) return cmd_db_copy(config, copy_to);
  if (import->parsed()) return cmd_import(config, import_args);
  if (exp->parsed()) return cmd_export(config, export_file, export_all);
  if (reindex->parsed()) {
    int status = 0;
    auto a = open_or_exit("reindex", config, status);
    if (!a) return status;
    auto n = a->store->content().reindex();
    if (!n) return fail_with("reindex", n.error().message);
    std::printf("reindexed %d articles\n", *n);
    return 0;
  }
  if (rerender->parsed()) {
    int status = 0;
    auto a = open_or_exit("rerender", config, status);
    if (!a) return status;
    auto n = a->content->rerender_all();
    if (!n) return fail_with("rerender", n.error().message);
    std::printf("rendered %d articles again\n", *n);
    return 0;
  }
  if (grant->parsed()) return cmd_members_grant(config, m_email, m_until, m_name);
  if (revoke->parsed()) return cmd_members_revoke(config, m_email);
  if (list->parsed()) return cmd_members_list(config, false);
  if (mexport->parsed()) return cmd_members_list(config, true);
  if (mimport->parsed()) return cmd_members_import(config, m_file, m_until);
  if (nsend->parsed() || npreview->parsed()) {
    int status = 0;
    std::string command = nsend->parsed() ? "newsletter send" : "newsletter preview";
    auto a = open_or_exit(command, config, status);
    if (!a) return status;
    if (npreview->parsed()) {
      auto e = a->newsletters->edition(n_name, n_date);
      if (!e) return fail_with(command, e.error().message);
      // The edition's own order, without the per-reader marks (newsletter/personal.h).
      std::printf("Subject: %s\n\n%s", e->subject.c_str(), newsletter::reorder(e->text, {}).c_str());
      return 0;
    }
    bool tty = isatty(fileno(stderr));
    auto report = a->newsletters->send(n_name, n_date, [tty](int done, int total) {
      if (!tty || total == 0) return;
      int width = 40, filled = total ? done * width / total : width;
      std::fprintf(stderr, "\r[%s%s] %d/%d", std::string(static_cast<std::size_t>(filled), '#').c_str(),
                   std::string(static_cast<std::size_t>(width - filled), ' ').c_str(), done, total);
      if (done == total) std::fprintf(stderr, "\n");
    });
    if (!report) {
      int code = fail_with(command, report.error().message);
      // Another sender has the edition, or the store failed mid-send: EX_TEMPFAIL, run
      // again later.
      auto c = report.error().code;
      return c == core::ErrorCode::kConflict || c == core::ErrorCode::kUnavailable ? 75 : code;
    }
    std::printf("%s: %d queued now, %d sent now, %d failed now; edition totals: %d sent, %d failed, %d pending\n",
                n_name.c_str(), report->queued, report->sent, report->failed, report->totals.sent,
                report->totals.failed, report->totals.pending);
    return report->totals.pending > 0 ? 75 : 0;  // EX_TEMPFAIL: run again to retry
  }
  if (asend->parsed()) {
    int status = 0;
    auto a = open_or_exit("alerts send", config, status);
    if (!a) return status;
    auto now = a->clock.now();
    auto r = a->alerts->run_once(a_digest, now + 1);
    // One-off commands only queue account mail; send it now, as serve's worker would.
    int queued = r.instant + r.digests;
    if (a->mail_queue) {
      for (int round = 0; round < 100 && queued > 0; ++round) {
        int n = a->mail_queue->work_once();
        if (n == 0) break;
        queued -= n;
      }
    }
    std::printf("alerts: %d sent, %d digests\n", r.instant, r.digests);
    return 0;
  }
  if (backup_cmd->parsed()) {
    int status = 0;
    auto a = open_or_exit("backup", config, status);
    if (!a) return status;
    if (backup_file.empty()) backup_file = backup::scheduled_name(a->clock.now());
    auto report = backup::create(*a->store, a->config, backup_file, a->clock);
    if (!report) {
      std::error_code ec;
      std::filesystem::remove(backup_file, ec);
      return fail_with("backup", report.error().message);
    }
    std::uintmax_t bytes = 0;
    for (const auto& f : report->files) bytes += f.bytes;
    std::printf("backed up %zu files (%ju bytes) to %s\n", report->files.size(), bytes,
                backup_file.c_str());
    return 0;
  }
  if (restore_cmd->parsed()) {
    auto report = backup::restore(backup_file, config.data_dir);
    if (!report) return fail_with("restore", report.error().message);
    // Open it once: the database is whole and its schema current.
    int status = 0;
    auto a = open_or_exit("restore", config, status);
    if (!a) return status;
    std::printf("restored %zu files into %s (schema %d, %d articles)\n", report->files.size(),
                config.data_dir.c_str(), a->store->content().schema_version(),
                a->store->content().count_articles());
    return 0;
  }
  if (bsync->parsed()) {
    int status = 0;
    auto a = open_or_exit("billing sync", config, status);
    if (!a) return status;
    auto report = a->billing->sync(b_dry);
    if (!report) {
      int code = fail_with("billing sync", report.error().message);
      return report.error().code == core::ErrorCode::kUnavailable ? 75 : code;
    }
    for (const auto& line : report->changes) {
      std::printf("%s%s\n", b_dry ? "would change " : "changed ", line.c_str());
    }
    std::printf("%d subscriptions read from Stripe, %zu %s\n", report->seen, report->changes.size(),
                b_dry ? "would change (dry run: nothing written)" : "changed");
    return 0;
  }
  if (iadd->parsed()) return cmd_institutions_add(config, i_name, i_cidrs);
  if (ilist->parsed()) return cmd_institutions_list(config);
  if (sadd->parsed()) return cmd_staff_add(config, m_email, s_role, s_link);
  if (signin_link->parsed()) return cmd_signin_link(config, m_email, "signin-link");
  if (routes->parsed()) {
    int status = 0;
    auto a = open_or_exit("routes", config, status);
    if (!a) return status;
    web::Site site(site_deps(*a, {}));
    for (const auto& r : site.router().routes()) {
      std::printf("%s\t%s\t%s\n", r.method.c_str(), r.pattern.c_str(), web::to_string(r.audience));
    }
    return 0;
  }
  return 1;
}
