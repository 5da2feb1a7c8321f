// The PostgreSQL implementation of store::Store: the stores of store/sql over a pool of
// libpq connections, its own schema (migrations numbered as SQLite's, run once across
// every node under an advisory lock) and a version check cheap enough for every request.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "store/store.h"

namespace store::postgres {

struct Migration {
  int version;
  const char* description;
  const char* sql;
};
// Version 18 is the whole schema as SQLite has it after its migration 18 (store/sqlite/
// migrations.h), made in one step; PostgreSQL's own migrations follow from 19.
const std::vector<Migration>& migrations();

// Where a database's schema stands, read without changing anything. Throws StoreError
// when the server cannot be reached.
struct SchemaStatus {
  int version = 0;  // 0: no Meridian schema yet
  std::vector<const Migration*> pending;
};
SchemaStatus schema_status(const std::string& url);

// Connects (the pool makes up to `connections`), applies pending migrations and returns
// the store. Throws StoreError naming the server when it cannot.
std::unique_ptr<Store> open_postgres_store(const std::string& url, std::size_t connections = 16);

}  // namespace store::postgres
