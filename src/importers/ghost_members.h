// Ghost's members export (Members → Export, a CSV) into Meridian's readers: free members
// → registered readers (their address confirmed: Ghost confirmed it), comped →
// complimentary subscribers (until --comp-until, or without end as in Ghost), a Stripe
// customer id kept so `meridian billing sync` takes the paid ones over; newsletter
// consent as Ghost had it (an unsubscribed member stays unsubscribed). Passwords and
// sessions are never imported: readers sign in by email link. Checked whole first.
#pragma once

#include <string_view>

#include "importers/wxr.h"  // ImportOptions

namespace importers {

core::Result<ImportSummary> import_ghost_members(std::string_view csv, store::Store& store,
                                                 const core::Clock& clock,
                                                 const ImportOptions& options);

}  // namespace importers
