#include "store/sqlite/search_index.h"

#include "store/sql/article_rows.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/text.h"
#include "store/store.h"

namespace store::sqlite {

namespace {

// Column order of search_index; see migration 4.
enum Column { kHeadline = 0, kDek, kPublicBody, kGatedBody, kPeople, kPlaces, kColumns };

struct RankData {
  int phrases = 0;
  std::vector<double> idf;
  double avg_len[kColumns] = {};
  std::shared_ptr<const ColumnLengths::Table> lengths;
};

// BM25F: per-column term frequencies, length-normalised per column and weighted, are
// summed before saturation; each query phrase adds idf * tf/(k1 + tf). The total is then
// scaled by (matched phrases / phrases)^coverage, so documents that match more of the
// reader's words rank first without requiring all of them.
void meridian_rank(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* ctx,
                   int nval, sqlite3_value** args) {
  double k1 = nval > 0 ? sqlite3_value_double(args[0]) : 1.2;
  double b = nval > 1 ? sqlite3_value_double(args[1]) : 0.75;
  double weight[kColumns] = {3, 2, 1, 1, 2, 2};
  for (int c = 0; c < kColumns && 2 + c < nval; ++c) weight[c] = sqlite3_value_double(args[2 + c]);
  double coverage_exp = nval > 8 ? sqlite3_value_double(args[8]) : 1.0;
  int nphrase_scored = nval > 9 ? sqlite3_value_int(args[9]) : -1;  // trailing phrases: filters
  // Optional per-phrase weights ("1,1,0.2,…"): expansion terms count for less and do not
  // count towards coverage.
  std::vector<double> phrase_weight;
  if (nval > 10 && sqlite3_value_type(args[10]) == SQLITE_TEXT) {
    const char* w = reinterpret_cast<const char*>(sqlite3_value_text(args[10]));
    while (w && *w) {
      phrase_weight.push_back(std::atof(w));
      w = std::strchr(w, ',');
      if (w) ++w;
    }
  }

  auto* data = static_cast<RankData*>(api->xGetAuxdata(fts, 0));
  if (!data) {
    data = new RankData;
    if (auto* lengths = static_cast<const ColumnLengths*>(api->xUserData(fts))) {
      data->lengths = lengths->current();
    }
    data->phrases = api->xPhraseCount(fts);
    sqlite3_int64 rows = 0;
    api->xRowCount(fts, &rows);
    for (int c = 0; c < kColumns; ++c) {
      sqlite3_int64 total = 0;
      api->xColumnTotalSize(fts, c, &total);
      data->avg_len[c] = rows > 0 ? static_cast<double>(total) / static_cast<double>(rows) : 1;
      if (data->avg_len[c] <= 0) data->avg_len[c] = 1;
    }
    // Inverse document frequencies given by the caller ("i0,i1,…", one per phrase, from
    // counts it already has), else counted here: one pass over each phrase's rows.
    if (nval > 12 && sqlite3_value_type(args[12]) == SQLITE_TEXT) {
      const char* v = reinterpret_cast<const char*>(sqlite3_value_text(args[12]));
      while (v && *v && static_cast<int>(data->idf.size()) < data->phrases) {
        data->idf.push_back(std::atof(v));
        v = std::strchr(v, ',');
        if (v) ++v;
      }
    }
    for (int p = static_cast<int>(data->idf.size()); p < data->phrases; ++p) {
      sqlite3_int64 hits = 0;
      api->xQueryPhrase(fts, p, &hits,
                        [](const Fts5ExtensionApi*, Fts5Context*, void* user) -> int {
                          ++*static_cast<sqlite3_int64*>(user);
                          return SQLITE_OK;
                        });
      double n = static_cast<double>(rows), df = static_cast<double>(hits);
      double idf = std::log((n - df + 0.5) / (df + 0.5) + 1.0);  // never negative
      data->idf.push_back(idf);
    }
    if (api->xSetAuxdata(fts, data, [](void* p) { delete static_cast<RankData*>(p); }) !=
        SQLITE_OK) {
      delete data;
      sqlite3_result_error(ctx, "meridian_rank: out of memory", -1);
      return;
    }
  }
  double proximity_weight = nval > 11 ? sqlite3_value_double(args[11]) : 0.0;
  int scored = nphrase_scored >= 0 ? std::min(nphrase_scored, data->phrases) : data->phrases;
  // Per-row buffers reused across rows (this runs for every matching document).
  thread_local std::vector<double> tf;
  tf.assign(static_cast<std::size_t>(scored) * kColumns, 0.0);
  int ninst = 0;
  api->xInstCount(fts, &ninst);
  struct Inst {
    int col, off, phrase;
  };
  thread_local std::vector<Inst> original_insts;
  original_insts.clear();
  for (int i = 0; i < ninst; ++i) {
    int phrase = 0, col = 0, off = 0;
    if (api->xInst(fts, i, &phrase, &col, &off) != SQLITE_OK) continue;
    if (phrase < scored && col >= 0 && col < kColumns) {
      tf[static_cast<std::size_t>(phrase) * kColumns + static_cast<std::size_t>(col)] += 1;
      bool original = static_cast<std::size_t>(phrase) >= phrase_weight.size() ||
                      phrase_weight[static_cast<std::size_t>(phrase)] >= 1.0;
      if (original && proximity_weight > 0 && scored > 1) original_insts.push_back({col, off, phrase});
    }
  }
  // Term proximity (after Rasolofo and Savoy's BM25TP): two different query words within
  // five tokens of each other in the same column add 1/distance^2 to that pair's
  // proximity frequency, which is saturated like a term frequency and weighted by the
  // rarer word's idf. Rewards "boundary layer" over "boundary ... layer".
  double proximity = 0;
  if (original_insts.size() > 1) {
    std::sort(original_insts.begin(), original_insts.end(), [](const Inst& a, const Inst& b) {
      return a.col != b.col ? a.col < b.col : a.off < b.off;
    });
    thread_local std::vector<double> pair_tf;
    pair_tf.assign(static_cast<std::size_t>(scored) * static_cast<std::size_t>(scored), 0.0);
    for (std::size_t i = 0; i < original_insts.size(); ++i) {
      for (std::size_t j = i + 1; j < original_insts.size(); ++j) {
        const auto& a = original_insts[i];
        const auto& b = original_insts[j];
        if (b.col != a.col || b.off - a.off > 5) break;
        if (a.phrase == b.phrase) continue;
        double d = std::max(1, b.off - a.off);
        int lo = std::min(a.phrase, b.phrase), hi = std::max(a.phrase, b.phrase);
        pair_tf[static_cast<std::size_t>(lo) * static_cast<std::size_t>(scored) +
                static_cast<std::size_t>(hi)] += 1.0 / (d * d);
      }
    }
    for (int lo = 0; lo < scored; ++lo) {
      for (int hi = lo + 1; hi < scored; ++hi) {
        double t = pair_tf[static_cast<std::size_t>(lo) * static_cast<std::size_t>(scored) +
                           static_cast<std::size_t>(hi)];
        if (t <= 0) continue;
        double idf = std::min(data->idf[static_cast<std::size_t>(lo)],
                              data->idf[static_cast<std::size_t>(hi)]);
        proximity += idf * t / (k1 + t);
      }
    }
  }
  double len_norm[kColumns];
  sqlite3_int64 rowid = api->xRowid(fts);
  const ColumnLengths::Row* known = nullptr;
  if (data->lengths && rowid >= 0 && static_cast<std::size_t>(rowid) < data->lengths->size()) {
    const auto& row = (*data->lengths)[static_cast<std::size_t>(rowid)];
    bool any = false;
    for (auto v : row) any = any || v != 0;
    if (any) known = &row;
  }
  for (int c = 0; c < kColumns; ++c) {
    int len = 0;
    if (known) {
      len = static_cast<int>((*known)[static_cast<std::size_t>(c)]);
    } else {
      api->xColumnSize(fts, c, &len);
    }
    len_norm[c] = 1.0 - b + b * static_cast<double>(len) / data->avg_len[c];
  }
  double score = 0;
  int matched = 0, original = 0;
  for (int p = 0; p < scored; ++p) {
    double pw = static_cast<std::size_t>(p) < phrase_weight.size()
                    ? phrase_weight[static_cast<std::size_t>(p)]
                    : 1.0;
    bool is_original = pw >= 1.0;
    original += is_original;
    double t = 0;
    for (int c = 0; c < kColumns; ++c) {
      double f = tf[static_cast<std::size_t>(p) * kColumns + static_cast<std::size_t>(c)];
      if (f > 0) t += weight[c] * f / len_norm[c];
    }
    if (t > 0) {
      matched += is_original;
      score += pw * data->idf[static_cast<std::size_t>(p)] * t / (k1 + t);
    }
  }
  score += proximity_weight * proximity;
  if (original > 0 && coverage_exp != 0) {
    score *= std::pow(static_cast<double>(matched) / original, coverage_exp);
  }
  sqlite3_result_double(ctx, score);
}

std::string quoted(const std::string& word) { return "\"" + word + "\""; }

std::string term_text(const search::Term& t) {
  return t.prefix ? quoted(t.text) + " *" : quoted(t.text);
}

std::string phrase_text(const std::vector<std::string>& words) {
  std::string s = "\"";
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i) s += ' ';
    s += words[i];
  }
  return s + "\"";
}

}  // namespace

namespace {

fts5_api* fts5_of(sqlite3* db) {
  fts5_api* api = nullptr;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, nullptr) != SQLITE_OK) return nullptr;
  sqlite3_bind_pointer(stmt, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
  sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  return api;
}

}  // namespace

namespace {

// The index's tokenizer (porter over unicode61, diacritics removed), made once per
// connection and kept with it.
struct Tokenizer {
  fts5_tokenizer api{};
  Fts5Tokenizer* instance = nullptr;
  ~Tokenizer() {
    if (instance) api.xDelete(instance);
  }
};

Tokenizer* tokenizer_of(Connection& c) {
  if (c.extension) return static_cast<Tokenizer*>(c.extension.get());
  fts5_api* fts = fts5_of(c.handle());
  if (!fts) return nullptr;
  auto t = std::make_shared<Tokenizer>();
  void* user = nullptr;
  if (fts->xFindTokenizer(fts, "porter", &user, &t->api) != SQLITE_OK) return nullptr;
  const char* args[] = {"unicode61", "remove_diacritics", "2"};
  if (t->api.xCreate(user, args, 3, &t->instance) != SQLITE_OK) {
    t->instance = nullptr;
    return nullptr;
  }
  c.extension = t;
  return t.get();
}

}  // namespace

void for_each_token(Connection& c, std::string_view text,
                    const std::function<void(std::string_view, int, int)>& each) {
  Tokenizer* t = tokenizer_of(c);
  if (!t) return;
  t->api.xTokenize(t->instance, const_cast<void*>(static_cast<const void*>(&each)),
                   FTS5_TOKENIZE_DOCUMENT, text.data(), static_cast<int>(text.size()),
                   [](void* ctx, int, const char* token, int n, int start, int end) -> int {
                     (*static_cast<const std::function<void(std::string_view, int, int)>*>(ctx))(
                         std::string_view(token, static_cast<std::size_t>(n)), start, end);
                     return SQLITE_OK;
                   });
}

void analyze_text(std::string_view text,
                  const std::function<void(std::string_view, int, int)>& each) {
  // A connection of this thread's own, in memory, only for its tokenizer.
  thread_local std::unique_ptr<Connection> c;
  if (!c) c = std::make_unique<Connection>(":memory:");
  for_each_token(*c, text, each);
}

std::vector<search::Token> index_tokens(Connection& c, std::string_view text) {
  std::vector<search::Token> out;
  for_each_token(c, text, [&](std::string_view stem, int start, int end) {
    out.push_back({std::string(stem), core::to_lower(text.substr(static_cast<std::size_t>(start),
                                                                 static_cast<std::size_t>(end - start)))});
  });
  return out;
}

namespace {

// FTS5's docsize blob: one varint per column (SQLite's varint: 7 bits a byte, high bit set
// on all but the last byte; a ninth byte carries 8 bits).
ColumnLengths::Row decode_sizes(const std::string& blob) {
  ColumnLengths::Row row{};
  std::size_t pos = 0;
  for (int col = 0; col < kColumns && pos < blob.size(); ++col) {
    std::uint64_t v = 0;
    for (int k = 0; k < 9 && pos < blob.size(); ++k) {
      auto byte = static_cast<unsigned char>(blob[pos++]);
      if (k == 8) {
        v = (v << 8) | byte;
        break;
      }
      v = (v << 7) | (byte & 0x7f);
      if (!(byte & 0x80)) break;
    }
    row[static_cast<std::size_t>(col)] = static_cast<std::uint32_t>(std::min<std::uint64_t>(v, 0xffffffffu));
  }
  return row;
}

}  // namespace

std::shared_ptr<const ColumnLengths::Table> load_column_lengths(Connection& c) {
  auto table = std::make_shared<ColumnLengths::Table>();
  auto s = c.prepare("SELECT id, sz FROM search_index_docsize");
  while (s->step()) {
    long long id = s->int64(0);
    // Lengths of ids far beyond the rest are not kept (ranking then asks FTS5 for them).
    if (id < 0 || id > 50'000'000) continue;
    std::string blob = s->text(1);
    if (static_cast<std::size_t>(id) >= table->size()) table->resize(static_cast<std::size_t>(id) + 1);
    (*table)[static_cast<std::size_t>(id)] = decode_sizes(blob);
    // An all-empty document would read as "unknown" and fall back to FTS5: harmless.
  }
  return table;
}

void register_search_functions(sqlite3* db, const ColumnLengths* lengths) {
  fts5_api* api = nullptr;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, nullptr) != SQLITE_OK) {
    throw StoreError("this SQLite has no FTS5");
  }
  sqlite3_bind_pointer(stmt, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
  sqlite3_step(stmt);
  sqlite3_finalize(stmt);
  if (!api) throw StoreError("this SQLite has no FTS5");
  api->xCreateFunction(api, "meridian_rank", const_cast<ColumnLengths*>(lengths), meridian_rank,
                       nullptr);
}

void index_article(Connection& c, long long id, const content::StoredArticle& stored) {
  auto t = sql::indexed_text(stored);
  unindex_article(c, id);
  auto s = c.prepare(
      "INSERT INTO search_index (rowid, headline, dek, public_body, gated_body, people, places) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  s->bind(1, static_cast<std::int64_t>(id))
      .bind(2, t.headline)
      .bind(3, t.dek)
      .bind(4, t.public_body)
      .bind(5, t.gated_body)
      .bind(6, t.people)
      .bind(7, t.places);
  s->run();
}

void unindex_article(Connection& c, long long id) {
  auto s = c.prepare("DELETE FROM search_index WHERE rowid = ?1");
  s->bind(1, static_cast<std::int64_t>(id));
  s->run();
}

std::string fts_match(const search::ParsedQuery& q, bool full_text) {
  // Words first (their phrase numbers are the ones meridian_rank scores), then phrases.
  std::string words;
  for (const auto& t : q.words) {
    if (!words.empty()) words += " OR ";
    words += term_text(t);
  }
  std::string required;
  for (const auto& p : q.phrases) {
    if (!required.empty()) required += " AND ";
    required += phrase_text(p);
  }
  std::string expr;
  if (!words.empty() && !required.empty()) {
    expr = "(" + words + ") AND " + required;
  } else {
    expr = words.empty() ? required : words;
  }
  if (!full_text) expr = "{headline dek public_body people places} : (" + expr + ")";
  for (const auto& e : q.excluded) {
    expr = "(" + expr + ") NOT " +
           (full_text ? std::string() : std::string("{headline dek public_body people places} : ")) +
           phrase_text(e);
  }
  return expr;
}

void Connection::index_article(long long id, const content::StoredArticle& stored) {
  sqlite::index_article(*this, id, stored);
}

void Connection::clear_index() { exec("DELETE FROM search_index"); }

void Connection::unindex_article(long long id) { sqlite::unindex_article(*this, id); }

}  // namespace store::sqlite
