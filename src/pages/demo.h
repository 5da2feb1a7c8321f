// The demo publication's own static pages: About, Contact, Privacy and Terms, listed in
// the footer in that order. Original text, written for Meridian's demo.
#pragma once

#include "core/clock.h"
#include "core/result.h"
#include "store/page_store.h"

namespace pages {

// Adds the demo pages when there are no pages at all; how many were added.
core::Result<int> load_demo_pages_if_empty(store::PageStore& store, core::UnixTime now);

}  // namespace pages
