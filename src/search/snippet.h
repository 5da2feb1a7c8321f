// Snippets: the passage of a result's body that best shows the reader's words, chosen in
// process from the text and the index's own analysis (no second trip through the index).
#pragma once

#include <string>
#include <string_view>

#include "search/engine.h"
#include "search/query.h"

namespace search {

// About `window` tokens of `text` around the densest matches of the query's words and
// phrases (more distinct ones first), each match between '\x01' and '\x02', "…" where the
// passage starts or ends inside the text. No match: the opening tokens, unmarked.
std::string make_snippet(Engine& engine, const ParsedQuery& query, std::string_view text,
                         int window = 30);

}  // namespace search
