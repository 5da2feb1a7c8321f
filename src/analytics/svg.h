// Server-rendered SVG charts (no scripts): a line chart of daily series and a
// horizontal bar chart. Each chart carries a <title> and <desc>; the page puts the
// same numbers in a table beside it. Pure functions.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace analytics {

struct Series {
  std::string label;
  std::vector<long long> values;
  std::string color;  // CSS colour
};

std::string line_chart(const std::string& title, const std::vector<std::string>& x_labels,
                       const std::vector<Series>& series, int width = 720, int height = 280);
std::string bar_chart(const std::string& title,
                      const std::vector<std::pair<std::string, long long>>& bars, int width = 720);

}  // namespace analytics
