#include "search/memory_index.h"

#include <algorithm>
#include <cmath>
#include <mutex>

namespace search {

namespace {

// A position: the column in the top four bits, the token's offset in that column below.
constexpr int kColumnShift = 28;
constexpr std::uint32_t kOffsetMask = (1u << kColumnShift) - 1;
constexpr std::uint32_t column_of(std::uint32_t p) { return p >> kColumnShift; }
constexpr std::uint32_t offset_of(std::uint32_t p) { return p & kOffsetMask; }

// Documents a word or phrase occurs in, ascending, with where it starts in each.
struct Hits {
  std::vector<std::uint32_t> slot;
  std::vector<std::uint32_t> begin{0};
  std::vector<std::uint32_t> pos;
  std::size_t size() const { return slot.size(); }
};

}  // namespace

struct MemoryIndex::Postings {
  std::vector<std::uint32_t> slot;     // ascending
  std::vector<std::uint8_t> columns;   // a bit per column holding the stem
  std::vector<std::uint32_t> begin{0};  // into pos, one more than slot
  std::vector<std::uint32_t> pos;
};

struct MemoryIndex::Prepared {
  long long id = 0;
  std::array<std::uint32_t, kColumns> length{};
  std::vector<std::pair<std::string, std::vector<std::uint32_t>>> stems;
};

MemoryIndex::MemoryIndex(Tokenizer tokenize) : tokenize_(std::move(tokenize)) {}
MemoryIndex::~MemoryIndex() = default;

std::shared_ptr<MemoryIndex::Prepared> MemoryIndex::prepare(long long id,
                                                            const Columns& columns) const {
  auto doc = std::make_shared<Prepared>();
  doc->id = id;
  std::unordered_map<std::string, std::size_t> where;  // stem -> index in doc->stems
  std::string key;
  for (std::uint32_t c = 0; c < kColumns; ++c) {
    std::uint32_t offset = 0;
    tokenize_(columns[c], [&](std::string_view stem, int, int) {
      key.assign(stem);
      auto [it, fresh] = where.try_emplace(key, doc->stems.size());
      if (fresh) doc->stems.emplace_back(key, std::vector<std::uint32_t>{});
      doc->stems[it->second].second.push_back((c << kColumnShift) | (offset & kOffsetMask));
      ++offset;
    });
    doc->length[c] = offset;
  }
  return doc;
}

void MemoryIndex::put(const std::vector<std::shared_ptr<Prepared>>& docs) {
  std::unique_lock lock(mu_);
  for (const auto& doc : docs) {
    if (auto it = slot_of_.find(doc->id); it != slot_of_.end()) {
      auto& old = slots_[it->second];
      if (old.live) {
        old.live = false;
        --live_;
        for (int c = 0; c < kColumns; ++c) total_length_[c] -= old.length[c];
      }
    }
    auto s = static_cast<std::uint32_t>(slots_.size());
    slots_.push_back({doc->id, true, doc->length});
    slot_of_[doc->id] = s;
    ++live_;
    for (int c = 0; c < kColumns; ++c) total_length_[c] += doc->length[c];
    for (const auto& [stem, positions] : doc->stems) {
      auto& p = dict_[stem];
      if (!p) p = std::make_unique<Postings>();
      std::uint8_t mask = 0;
      for (auto x : positions) mask |= static_cast<std::uint8_t>(1u << column_of(x));
      p->slot.push_back(s);
      p->columns.push_back(mask);
      p->pos.insert(p->pos.end(), positions.begin(), positions.end());
      p->begin.push_back(static_cast<std::uint32_t>(p->pos.size()));
    }
    postings_ += doc->stems.size();
  }
  {
    std::lock_guard df(df_mu_);
    df_cache_.clear();
  }
  // Postings of replaced documents, counted by their slot's share (an estimate is enough
  // to know when a rebuild pays).
  stale_postings_ = slots_.empty() ? 0 : postings_ * (slots_.size() - live_) / slots_.size();
}

std::size_t MemoryIndex::size() const {
  std::shared_lock lock(mu_);
  return live_;
}

bool MemoryIndex::mostly_stale() const {
  std::shared_lock lock(mu_);
  return stale_postings_ > postings_ / 2 && slots_.size() > 64;
}

std::vector<const MemoryIndex::Postings*> MemoryIndex::expand(const std::string& stem,
                                                              bool prefix) const {
  std::vector<const Postings*> out;
  if (!prefix) {
    if (auto it = dict_.find(stem); it != dict_.end()) out.push_back(it->second.get());
    return out;
  }
  std::shared_ptr<const std::vector<const std::string*>> sorted;
  {
    std::lock_guard lock(sorted_mu_);
    if (!sorted_ || sorted_size_ != dict_.size()) {
      auto keys = std::make_shared<std::vector<const std::string*>>();
      keys->reserve(dict_.size());
      for (const auto& [k, v] : dict_) keys->push_back(&k);
      std::sort(keys->begin(), keys->end(), [](auto* a, auto* b) { return *a < *b; });
      sorted_ = keys;
      sorted_size_ = dict_.size();
    }
    sorted = sorted_;
  }
  auto it = std::lower_bound(sorted->begin(), sorted->end(), stem,
                             [](const std::string* k, const std::string& s) { return *k < s; });
  for (; it != sorted->end() && (*it)->starts_with(stem); ++it) {
    out.push_back(dict_.find(**it)->second.get());
  }
  return out;
}

namespace {

// One token of a phrase (any of several stems for a prefix), its live documents and
// positions in the allowed columns.
template <typename SlotLive>
Hits token_hits(const std::vector<const MemoryIndex::Postings*>& lists, std::uint8_t allowed,
                SlotLive live) {
  Hits out;
  if (lists.size() == 1) {
    const auto& p = *lists[0];
    for (std::size_t i = 0; i < p.slot.size(); ++i) {
      if (!(p.columns[i] & allowed) || !live(p.slot[i])) continue;
      out.slot.push_back(p.slot[i]);
      for (auto k = p.begin[i]; k < p.begin[i + 1]; ++k) {
        if (allowed & (1u << column_of(p.pos[k]))) out.pos.push_back(p.pos[k]);
      }
      out.begin.push_back(static_cast<std::uint32_t>(out.pos.size()));
    }
    return out;
  }
  // A prefix: every stem's documents merged.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> all;  // (slot, position)
  for (const auto* l : lists) {
    const auto& p = *l;
    for (std::size_t i = 0; i < p.slot.size(); ++i) {
      if (!(p.columns[i] & allowed) || !live(p.slot[i])) continue;
      for (auto k = p.begin[i]; k < p.begin[i + 1]; ++k) {
        if (allowed & (1u << column_of(p.pos[k]))) all.emplace_back(p.slot[i], p.pos[k]);
      }
    }
  }
  std::sort(all.begin(), all.end());
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (i == 0 || all[i].first != all[i - 1].first) {
      if (i) out.begin.push_back(static_cast<std::uint32_t>(out.pos.size()));
      out.slot.push_back(all[i].first);
    }
    out.pos.push_back(all[i].second);
  }
  if (!all.empty()) out.begin.push_back(static_cast<std::uint32_t>(out.pos.size()));
  return out;
}

// `first` keeps the documents and positions where `next` follows `gap` tokens later in
// the same column.
Hits followed_by(const Hits& first, const Hits& next, std::uint32_t gap) {
  Hits out;
  std::size_t j = 0;
  for (std::size_t i = 0; i < first.size(); ++i) {
    while (j < next.size() && next.slot[j] < first.slot[i]) ++j;
    if (j == next.size()) break;
    if (next.slot[j] != first.slot[i]) continue;
    std::size_t before = out.pos.size();
    auto nb = next.pos.begin() + next.begin[j], ne = next.pos.begin() + next.begin[j + 1];
    for (auto k = first.begin[i]; k < first.begin[i + 1]; ++k) {
      std::uint32_t want = first.pos[k] + gap;  // same column: the offset bits only
      if (offset_of(first.pos[k]) + gap > kOffsetMask) continue;
      if (std::binary_search(nb, ne, want)) out.pos.push_back(first.pos[k]);
    }
    if (out.pos.size() > before) {
      out.slot.push_back(first.slot[i]);
      out.begin.push_back(static_cast<std::uint32_t>(out.pos.size()));
    }
  }
  return out;
}

bool contains(const Hits& h, std::size_t& cursor, std::uint32_t slot) {
  while (cursor < h.size() && h.slot[cursor] < slot) ++cursor;
  return cursor < h.size() && h.slot[cursor] == slot;
}

}  // namespace

void MemoryIndex::match(const ParsedQuery& query, bool full_text, bool score,
                        const RankParams& params,
                        const std::function<void(long long, double)>& each) const {
  const std::uint8_t allowed = full_text ? 0x3f : static_cast<std::uint8_t>(0x3f & ~(1u << kGatedBody));
  std::vector<std::pair<long long, double>> results;
  {
    std::shared_lock lock(mu_);
    auto live = [&](std::uint32_t s) { return slots_[s].live; };
    // A word or phrase as the index's stems, then its hits.
    auto hits_of = [&](const std::vector<std::string>& words, bool prefix_last) {
      std::vector<std::pair<std::string, bool>> tokens;
      for (std::size_t w = 0; w < words.size(); ++w) {
        std::vector<std::string> stems;
        tokenize_(words[w], [&](std::string_view stem, int, int) { stems.emplace_back(stem); });
        for (std::size_t k = 0; k < stems.size(); ++k) {
          tokens.emplace_back(std::move(stems[k]),
                              prefix_last && w + 1 == words.size() && k + 1 == stems.size());
        }
      }
      Hits h;
      for (std::size_t t = 0; t < tokens.size(); ++t) {
        Hits th = token_hits(expand(tokens[t].first, tokens[t].second), allowed, live);
        h = t == 0 ? std::move(th) : followed_by(h, th, static_cast<std::uint32_t>(t));
        if (h.size() == 0) break;
      }
      return h;
    };
    std::vector<Hits> items;  // scored: words, then phrases
    std::vector<bool> single;  // one stem, no prefix (idf from the vocabulary)
    std::vector<std::string> single_stem;
    for (const auto& w : query.words) {
      items.push_back(hits_of({w.text}, w.prefix));
      std::vector<std::string> stems;
      tokenize_(w.text, [&](std::string_view stem, int, int) { stems.emplace_back(stem); });
      single.push_back(!w.prefix && stems.size() == 1);
      single_stem.push_back(stems.size() == 1 ? stems[0] : std::string());
    }
    const std::size_t nwords = items.size();
    for (const auto& p : query.phrases) {
      items.push_back(hits_of(p, false));
      single.push_back(false);
      single_stem.emplace_back();
    }
    std::vector<Hits> excluded;
    for (const auto& e : query.excluded) excluded.push_back(hits_of(e, false));
    const std::size_t scored = items.size();
    if (scored == 0) return;

    // Weights of the words: one alone scales every score alike (1); else the idf of the
    // documents holding it (for a plain word, as the vocabulary counts them).
    const double n = static_cast<double>(live_);
    std::vector<double> idf(scored, 1.0);
    if (score && scored > 1) {
      for (std::size_t i = 0; i < scored; ++i) {
        double df = 0;
        if (single[i]) {
          df = frequency_locked(single_stem[i], allowed);
        } else {
          df = static_cast<double>(items[i].size());
        }
        idf[i] = std::log((n - df + 0.5) / (df + 0.5) + 1.0);
      }
    }
    const double weight[kColumns] = {params.w_headline, params.w_dek,    params.w_body,
                                     params.w_body,     params.w_people, params.w_places};
    double avg_len[kColumns];
    for (int c = 0; c < kColumns; ++c) {
      avg_len[c] = live_ ? total_length_[c] / static_cast<double>(live_) : 1.0;
      if (avg_len[c] <= 0) avg_len[c] = 1.0;
    }

    std::vector<std::size_t> cursor(scored, 0), excluded_cursor(excluded.size(), 0);
    std::vector<double> tf(scored * kColumns);
    struct Inst {
      std::uint32_t col, off;
      std::uint32_t item;
    };
    std::vector<Inst> insts;
    std::vector<double> pair_tf;
    for (;;) {
      // The next document any scored word or phrase occurs in.
      std::uint32_t doc = UINT32_MAX;
      for (std::size_t i = 0; i < scored; ++i) {
        if (cursor[i] < items[i].size()) doc = std::min(doc, items[i].slot[cursor[i]]);
      }
      if (doc == UINT32_MAX) break;
      bool any_word = nwords == 0, all_phrases = true;
      for (std::size_t i = 0; i < scored; ++i) {
        bool here = cursor[i] < items[i].size() && items[i].slot[cursor[i]] == doc;
        if (i < nwords) {
          any_word = any_word || here;
        } else {
          all_phrases = all_phrases && here;
        }
      }
      bool ok = any_word && all_phrases;
      for (std::size_t x = 0; ok && x < excluded.size(); ++x) {
        if (contains(excluded[x], excluded_cursor[x], doc)) ok = false;
      }
      double value = 0;
      if (ok && score) {
        std::fill(tf.begin(), tf.end(), 0.0);
        insts.clear();
        for (std::size_t i = 0; i < scored; ++i) {
          if (cursor[i] >= items[i].size() || items[i].slot[cursor[i]] != doc) continue;
          const auto& h = items[i];
          for (auto k = h.begin[cursor[i]]; k < h.begin[cursor[i] + 1]; ++k) {
            auto c = column_of(h.pos[k]);
            tf[i * kColumns + c] += 1;
            if (params.proximity > 0 && scored > 1) {
              insts.push_back({c, offset_of(h.pos[k]), static_cast<std::uint32_t>(i)});
            }
          }
        }
        // Term proximity (BM25TP), as meridian_rank: different words within five tokens.
        double proximity = 0;
        if (insts.size() > 1) {
          std::sort(insts.begin(), insts.end(), [](const Inst& a, const Inst& b) {
            return a.col != b.col ? a.col < b.col : a.off < b.off;
          });
          pair_tf.assign(scored * scored, 0.0);
          for (std::size_t i = 0; i < insts.size(); ++i) {
            for (std::size_t j = i + 1; j < insts.size(); ++j) {
              const auto& a = insts[i];
              const auto& b = insts[j];
              if (b.col != a.col || b.off - a.off > 5) break;
              if (a.item == b.item) continue;
              double d = std::max<std::uint32_t>(1, b.off - a.off);
              auto lo = std::min(a.item, b.item), hi = std::max(a.item, b.item);
              pair_tf[lo * scored + hi] += 1.0 / (d * d);
            }
          }
          for (std::size_t lo = 0; lo < scored; ++lo) {
            for (std::size_t hi = lo + 1; hi < scored; ++hi) {
              double t = pair_tf[lo * scored + hi];
              if (t > 0) proximity += std::min(idf[lo], idf[hi]) * t / (params.k1 + t);
            }
          }
        }
        const auto& len = slots_[doc].length;
        double norm[kColumns];
        for (int c = 0; c < kColumns; ++c) {
          norm[c] = 1.0 - params.b + params.b * static_cast<double>(len[c]) / avg_len[c];
        }
        int matched = 0;
        for (std::size_t i = 0; i < scored; ++i) {
          double t = 0;
          for (int c = 0; c < kColumns; ++c) {
            double f = tf[i * kColumns + c];
            if (f > 0) t += weight[c] * f / norm[c];
          }
          if (t > 0) {
            ++matched;
            value += idf[i] * t / (params.k1 + t);
          }
        }
        value += params.proximity * proximity;
        if (params.coverage != 0) {
          value *= std::pow(static_cast<double>(matched) / static_cast<double>(scored),
                            params.coverage);
        }
      }
      if (ok) results.emplace_back(slots_[doc].id, value);
      for (std::size_t i = 0; i < scored; ++i) {
        if (cursor[i] < items[i].size() && items[i].slot[cursor[i]] == doc) ++cursor[i];
      }
    }
  }
  for (const auto& [id, value] : results) each(id, value);
}

double MemoryIndex::document_frequency(const std::string& stem, bool full_text) const {
  const std::uint8_t allowed = full_text ? 0x3f : static_cast<std::uint8_t>(0x3f & ~(1u << kGatedBody));
  std::shared_lock lock(mu_);
  return frequency_locked(stem, allowed);
}

double MemoryIndex::frequency_locked(const std::string& stem, std::uint8_t allowed) const {
  const bool all = allowed == 0x3f;
  {
    std::lock_guard lock(df_mu_);
    if (auto it = df_cache_.find(stem); it != df_cache_.end()) {
      return all ? it->second.second : it->second.first;
    }
  }
  const std::uint8_t public_columns = static_cast<std::uint8_t>(0x3f & ~(1u << kGatedBody));
  double pub = count_locked(stem, public_columns), every = count_locked(stem, 0x3f);
  std::lock_guard lock(df_mu_);
  if (df_cache_.size() > 500000) df_cache_.clear();
  df_cache_[stem] = {static_cast<float>(pub), static_cast<float>(every)};
  return all ? every : pub;
}

double MemoryIndex::count_locked(const std::string& stem, std::uint8_t allowed) const {
  auto it = dict_.find(stem);
  if (it == dict_.end()) return 0;
  const auto& p = *it->second;
  std::array<double, kColumns> per{};
  for (std::size_t k = 0; k < p.slot.size(); ++k) {
    if (!slots_[p.slot[k]].live) continue;
    for (int c = 0; c < kColumns; ++c) {
      if ((allowed >> c) & (p.columns[k] >> c) & 1) per[c] += 1;
    }
  }
  return *std::max_element(per.begin(), per.end());
}

}  // namespace search
