// The meridian command line: serve, import, export. Each command accepts --data DIR
// anywhere after its name (or MERIDIAN_DATA in the environment).
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "app/app.h"
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

int cmd_serve(core::Config config, const std::string& listen, bool demo) {
  auto started = std::chrono::steady_clock::now();
  if (!listen.empty()) {
    if (auto ok = core::parse_listen(listen, config); !ok) {
      return fail_with("serve", ok.error().message);
    }
  }
  int status = 0;
  auto a = open_or_exit("serve", std::move(config), status);
  if (!a) return status;
  if (demo) {
    auto loaded = a->content->load_demo_if_empty();
    if (!loaded) return fail_with("serve", "could not load the demo: " + loaded.error().message);
    if (*loaded > 0) std::fprintf(stderr, "meridian: loaded %d demo articles\n", *loaded);
  }
  try {
    web::Site site(web::SiteDeps{*a->store, a->config, a->clock, *a->accounts, *a->paywall,
                                 *a->events});
    web::ServerOptions options;
    options.host = a->config.listen_host;
    options.port = a->config.listen_port;
    options.threads = a->config.threads;
    web::run_server(
        options, [&site](web::Request& r) { return site.handle(r); },
        [&] {
          auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
          std::fprintf(stderr, "meridian: serving %s on http://%s:%d (data in %s, ready in %lld ms)\n",
                       a->config.site_name.c_str(), a->config.listen_host.c_str(),
                       a->config.listen_port, a->config.data_dir.c_str(),
                       static_cast<long long>(ms));
        });
  } catch (const std::exception& e) {
    return fail_with("serve", e.what());
  }
  std::fprintf(stderr, "meridian: stopped\n");
  return 0;
}

int cmd_import(core::Config config, const std::string& file) {
  std::string text;
  if (file == "-") {
    std::stringstream ss;
    ss << std::cin.rdbuf();
    text = ss.str();
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in) return fail_with("import", "cannot read " + file);
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  int status = 0;
  auto a = open_or_exit("import", std::move(config), status);
  if (!a) return status;
  auto report = a->content->import_jsonl(text);
  if (!report) {
    return fail_with("import", file + ": " + report.error().message + " (nothing imported)");
  }
  std::printf("imported %d articles from %s (%d new, %d updated)\n",
              report->created + report->updated, file.c_str(), report->created, report->updated);
  return 0;
}

int cmd_export(core::Config config, const std::string& file) {
  int status = 0;
  auto a = open_or_exit("export", std::move(config), status);
  if (!a) return status;
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

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Meridian: a publishing platform for subscription analysis", "meridian"};
  cli.require_subcommand(1);
  cli.fallthrough();
  core::Config config;
  cli.add_option("--data", config.data_dir, "Data folder (default ./data)")
      ->envname("MERIDIAN_DATA");

  auto* serve = cli.add_subcommand("serve", "Serve the publication over HTTP");
  std::string listen;
  bool demo = false;
  serve->add_option("--listen", listen, "HOST:PORT to listen on (default 127.0.0.1:8080)");
  serve->add_flag("--demo", demo, "Fill an empty database with the demo publication");

  auto* import = cli.add_subcommand("import", "Import articles from a JSON Lines file");
  std::string import_file;
  import->add_option("FILE", import_file, "JSON Lines file, or - for standard input")
      ->required();

  auto* exp = cli.add_subcommand("export", "Export every article as JSON Lines");
  std::string export_file;
  exp->add_option("FILE", export_file, "Output file (default: standard output)");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }
  if (serve->parsed()) return cmd_serve(config, listen, demo);
  if (import->parsed()) return cmd_import(config, import_file);
  if (exp->parsed()) return cmd_export(config, export_file);
  return 1;
}
