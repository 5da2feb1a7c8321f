// A PostgreSQL server for the PostgreSQL store's tests: the one scripts/test started (its
// socket folder in MERIDIAN_TEST_PG_DIR), else one this test process starts for itself
// with scripts/pg-server and stops at exit. fresh_database_url() creates an empty database
// for one test.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <unistd.h>

#include "store/postgres/pg.h"

namespace pg_support {

class Server {
 public:
  static Server& get() {
    static Server server;
    return server;
  }
  const std::string& dir() const { return dir_; }
  std::string url(const std::string& database) const {
    return "postgresql://postgres@/" + database + "?host=" + dir_;
  }

 private:
  Server() {
    if (const char* shared = std::getenv("MERIDIAN_TEST_PG_DIR"); shared && *shared) {
      dir_ = shared;
      return;
    }
    char tmpl[] = "/tmp/meridian-pg-test.XXXXXX";
    if (!::mkdtemp(tmpl)) throw std::runtime_error("cannot make a folder for PostgreSQL");
    dir_ = tmpl;
    own_ = true;
    std::string cmd = std::string(MERIDIAN_SOURCE_DIR) + "/scripts/pg-server start " + dir_ + " >/dev/null";
    if (std::system(cmd.c_str()) != 0) {
      throw std::runtime_error("could not start PostgreSQL with scripts/pg-server (run "
                               "scripts/install-deps --test)");
    }
  }
  ~Server() {
    if (own_) {
      std::string cmd = std::string(MERIDIAN_SOURCE_DIR) + "/scripts/pg-server stop " + dir_;
      (void)std::system(cmd.c_str());
    }
  }
  std::string dir_;
  bool own_ = false;
};

// An empty database of its own for the calling test.
inline std::string fresh_database_url() {
  static int counter = 0;
  auto& server = Server::get();
  std::string name = "t" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
  store::postgres::Connection admin(server.url("postgres"));
  admin.exec("DROP DATABASE IF EXISTS " + name);
  admin.exec("CREATE DATABASE " + name);
  return server.url(name);
}

}  // namespace pg_support
