// The stores written once in SQL for both databases (see db.h): content, members, events,
// newsletters, editorial, mail queue, billing, integrations, redirects, imports, pages, curator. Internal to src/store: a
// backend makes them over its own Pool.
#pragma once

#include <memory>
#include <string>

#include "store/billing_store.h"
#include "store/editorial_store.h"
#include "store/integration_store.h"
#include "store/redirect_store.h"
#include "store/import_store.h"
#include "store/page_store.h"
#include "store/curator_store.h"
#include "store/sql/db.h"
#include "store/store.h"

namespace store::sql {

// What the content store leaves to its backend: search runs on the database's own index,
// and the schema version is kept where the backend's migrations keep it.
class ContentSearch {
 public:
  virtual ~ContentSearch() = default;
  virtual search::SearchResult search(const search::SearchRequest& request) = 0;
  virtual void warm_search(const std::string& timezone) = 0;
  virtual int schema_version() = 0;
};

std::unique_ptr<ContentStore> make_content_store(Pool& pool, ContentSearch& search);
class CreditCache;
// `credits`: where the database's answers about unlocks are remembered (null: asked every
// time, as SQLite in the same process answers at once).
std::unique_ptr<MemberStore> make_member_store(Pool& pool, CreditCache* credits = nullptr);
std::unique_ptr<EventStore> make_event_store(Pool& pool);
std::unique_ptr<NewsletterStore> make_newsletter_store(Pool& pool);
std::unique_ptr<EditorialStore> make_editorial_store(Pool& pool);
std::unique_ptr<MailQueueStore> make_mail_queue(Pool& pool);
std::unique_ptr<BillingStore> make_billing_store(Pool& pool);
std::unique_ptr<IntegrationStore> make_integration_store(Pool& pool);
std::unique_ptr<RedirectStore> make_redirect_store(Pool& pool);
std::unique_ptr<ImportStore> make_import_store(Pool& pool);
std::unique_ptr<PageStore> make_page_store(Pool& pool);
std::unique_ptr<CuratorStore> make_curator_store(Pool& pool);

}  // namespace store::sql
