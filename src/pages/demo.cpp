#include "pages/demo.h"

#include "pages/pages.h"

namespace pages {

namespace {

struct DemoPage {
  const char* title;
  const char* slug;
  const char* description;
  const char* body;
};

constexpr DemoPage kDemoPages[] = {
    {"About us", "about", "Who we are, what we publish and how we are paid for.",
     "We publish analysis of global affairs for readers who want to understand a country, "
     "a region or a negotiation well enough to explain it to someone else.\n\n"
     "## What we publish\n\n"
     "Analysis, in-depth features, briefings and reviews, written by correspondents and "
     "specialists who know the places they write about. Every piece is dated, signed and "
     "corrected in the open when we get something wrong.\n\n"
     "## How we are paid for\n\n"
     "By our readers. There is no advertising for subscribers, and we do not sell or share "
     "what we know about the people who read us. Registered readers choose three articles "
     "a month; All-Access subscribers read everything, including the Daily Review and the "
     "Weekly Review.\n"},
    {"Contact", "contact", "How to reach the editors, the subscriptions desk and the press office.",
     "## Editors\n\n"
     "Corrections, tips and proposals for articles: write to the editors at "
     "editors@meridian.example. We read everything and answer what we can.\n\n"
     "## Subscriptions\n\n"
     "Questions about an account, an invoice or a group subscription: "
     "help@meridian.example, on working days within one day.\n\n"
     "## Press\n\n"
     "Requests to quote or republish our work: press@meridian.example.\n"},
    {"Privacy", "privacy", "What we keep about readers, why, and for how long.",
     "We keep the least we can.\n\n"
     "- **Your account**: your email address, your password’s hash (never the password), your "
     "newsletter choices and, if you subscribe, the state of your subscription. Payments are "
     "handled by our payment provider; we never see your card.\n"
     "- **What you read**: which articles you unlocked with your monthly credits, so we can "
     "count them. Page views are counted without cookies of other companies and without "
     "any third-party tracking.\n"
     "- **Your rights**: you can download everything we hold about you from your account "
     "page, and delete your account there at any time; deleting it deletes your data.\n"},
    {"Terms", "terms", "The terms of using the site and of a subscription.",
     "## Using the site\n\n"
     "You may read, quote briefly with a link, and share links to our articles. You may not "
     "republish whole articles without our permission, or share your account.\n\n"
     "## Subscriptions\n\n"
     "A subscription renews at the end of each period until you cancel it, which you can do "
     "from your account at any time; it then runs to the end of the period you paid for.\n\n"
     "## Changes\n\n"
     "When these terms change we say so on this page and, for subscribers, by email a month "
     "before the change applies.\n"},
};

}  // namespace

core::Result<int> load_demo_pages_if_empty(store::PageStore& store, core::UnixTime now) {
  if (!store.pages().empty()) return 0;
  Pages pages(store);
  int added = 0;
  for (const auto& d : kDemoPages) {
    PageInput in;
    in.title = d.title;
    in.slug = d.slug;
    in.description = d.description;
    in.body_md = d.body;
    in.published = true;
    in.footer = added + 1;
    auto saved = pages.save(0, in, now);
    if (!saved) return std::unexpected(saved.error());
    ++added;
  }
  return added;
}

}  // namespace pages
