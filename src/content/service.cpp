#include "content/service.h"

#include <algorithm>

#include "content/demo.h"
#include "content/teaser.h"
#include "importers/jsonl.h"

namespace content {

StoredArticle ContentService::render(const ArticleInput& input) const {
  StoredArticle stored;
  stored.input = input;
  auto split = render_body(input.body_md, teaser_paragraphs_);
  stored.teaser_html = std::move(split.teaser_html);
  stored.gated_html = std::move(split.gated_html);
  stored.word_count = split.word_count;
  stored.teaser_paragraphs = teaser_paragraphs_;
  return stored;
}

core::Result<ImportReport> ContentService::import_jsonl(std::string_view text) {
  auto parsed = importers::parse_jsonl(text);
  if (!parsed) return std::unexpected(parsed.error());
  return import_articles(parsed->articles);
}

core::Result<ImportReport> ContentService::import_articles(
    const std::vector<ArticleInput>& articles) {
  // The input is valid as a whole (parsed and checked line by line before this); it is
  // written in bounded transactions so that readers' own writes (sessions, credits, rate
  // limits) never wait behind one long import. Same slugs update, so running an import
  // again after a failure part-way (a full disk) completes it.
  ImportReport report;
  std::vector<StoredArticle> stored;
  for (std::size_t i = 0; i < articles.size(); i += kImportBatch) {
    stored.clear();
    for (std::size_t j = i; j < std::min(articles.size(), i + kImportBatch); ++j) {
      stored.push_back(render(articles[j]));
    }
    auto stats = store_.upsert_articles(stored, clock_.now());
    if (!stats) return std::unexpected(stats.error());
    report.created += stats->created;
    report.updated += stats->updated;
  }
  return report;
}

int ContentService::export_jsonl(std::ostream& out) {
  int n = 0;
  store_.for_each_article([&](const ArticleInput& a) {
    out << importers::to_jsonl_line(a) << '\n';
    ++n;
  });
  return n;
}

core::Result<int> ContentService::rerender_all() {
  std::vector<ArticleInput> batch;
  int n = 0;
  std::optional<core::Error> error;
  auto flush = [&] {
    if (batch.empty() || error) return;
    if (auto r = import_articles(batch); !r) error = r.error();
    n += static_cast<int>(batch.size());
    batch.clear();
  };
  store_.for_each_article([&](const ArticleInput& a) {
    batch.push_back(a);
    if (batch.size() >= 200) flush();
  });
  flush();
  if (error) return std::unexpected(*error);
  return n;
}

core::Result<int> ContentService::load_demo_if_empty() {
  if (store_.count_articles() > 0) return 0;
  auto articles = generate_demo(clock_.now(), kDemoArticleCount, kDemoSeed);
  auto report = import_articles(articles);
  if (!report) return std::unexpected(report.error());
  return report->created;
}

}  // namespace content
