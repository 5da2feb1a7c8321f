// SQLite implementations of the member, event, newsletter and editorial stores (internal to store/sqlite).
#pragma once

#include <memory>

#include "store/sqlite/sqlite_db.h"
#include "store/billing_store.h"
#include "store/integration_store.h"
#include "store/editorial_store.h"
#include "store/store.h"

namespace store::sqlite {

std::unique_ptr<MemberStore> make_member_store(Pool& pool);
std::unique_ptr<EventStore> make_event_store(Pool& pool);
std::unique_ptr<NewsletterStore> make_newsletter_store(Pool& pool);
std::unique_ptr<EditorialStore> make_editorial_store(Pool& pool);
std::unique_ptr<MailQueueStore> make_mail_queue(Pool& pool);
std::unique_ptr<BillingStore> make_billing_store(Pool& pool);
std::unique_ptr<IntegrationStore> make_integration_store(Pool& pool);

}  // namespace store::sqlite
