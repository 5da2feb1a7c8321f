// Each reader's copy of an edition: the automatic section's items carrying what the
// reader follows come first, the rest after, each group in the edition's own order. The
// edition is composed and stored once with every automatic item wrapped in a marker
// naming its term ids (item_open/item_close); for_reader reorders and always removes the
// markers, so no copy, web view or test message ever shows them. An edition stored
// before markers existed passes through unchanged.
#pragma once

#include <string>
#include <vector>

#include "store/store.h"

namespace newsletter {

// Around one automatic item's text and its HTML, in compose.
std::string item_open(const std::vector<long long>& term_ids);
std::string item_close();

// `followed`: the reader's followed term ids (empty: the edition's order).
store::Edition for_reader(const store::Edition& e, const std::vector<long long>& followed);
// One body (text or HTML) reordered the same way.
std::string reorder(const std::string& body, const std::vector<long long>& followed);

}  // namespace newsletter
