#include "analytics/svg.h"

#include <algorithm>
#include <cstdio>

#include "core/text.h"

namespace analytics {

namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// A round axis maximum at or above `v` (1, 2, 5 × 10^n).
long long nice_max(long long v) {
  if (v <= 0) return 1;
  long long step = 1;
  while (step * 10 <= v) step *= 10;
  for (long long m : {1LL, 2LL, 5LL, 10LL}) {
    if (m * step >= v) return m * step;
  }
  return 10 * step;
}

}  // namespace

std::string line_chart(const std::string& title, const std::vector<std::string>& x_labels,
                       const std::vector<Series>& series, int width, int height) {
  const double left = 56, right = 16, top = 16, bottom = 48;
  const double plot_w = width - left - right, plot_h = height - top - bottom;
  long long max = 0;
  for (const auto& s : series) {
    for (auto v : s.values) max = std::max(max, v);
  }
  max = nice_max(max);
  std::size_t n = x_labels.size();
  auto x_at = [&](std::size_t i) { return left + (n <= 1 ? plot_w / 2 : plot_w * static_cast<double>(i) / static_cast<double>(n - 1)); };
  auto y_at = [&](long long v) { return top + plot_h - plot_h * static_cast<double>(v) / static_cast<double>(max); };
  std::string desc = "Daily counts from " + (n ? x_labels.front() : "") + " to " + (n ? x_labels.back() : "") + " of ";
  for (std::size_t i = 0; i < series.size(); ++i) desc += (i ? ", " : "") + series[i].label;
  std::string id = core::slugify(title);
  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + std::to_string(width) + " " +
                    std::to_string(height) + "\" role=\"img\" aria-labelledby=\"" + id + "-t " + id + "-d\">";
  out += "<title id=\"" + id + "-t\">" + core::html_escape(title) + "</title><desc id=\"" + id + "-d\">" +
         core::html_escape(desc) + ". The table beside the chart has every number.</desc>";
  // Grid and y axis labels.
  for (int g = 0; g <= 4; ++g) {
    long long v = max * g / 4;
    double y = y_at(v);
    out += "<line x1=\"" + num(left) + "\" x2=\"" + num(left + plot_w) + "\" y1=\"" + num(y) + "\" y2=\"" + num(y) +
           "\" stroke=\"#ddd\"/>";
    out += "<text x=\"" + num(left - 6) + "\" y=\"" + num(y + 4) +
           "\" font-size=\"11\" text-anchor=\"end\" fill=\"#333\">" + std::to_string(v) + "</text>";
  }
  // X labels: about six.
  std::size_t every = std::max<std::size_t>(1, (n + 5) / 6);
  for (std::size_t i = 0; i < n; i += every) {
    out += "<text x=\"" + num(x_at(i)) + "\" y=\"" + num(top + plot_h + 16) +
           "\" font-size=\"11\" text-anchor=\"middle\" fill=\"#333\">" + core::html_escape(x_labels[i].substr(5)) +
           "</text>";
  }
  for (const auto& s : series) {
    std::string points;
    for (std::size_t i = 0; i < n && i < s.values.size(); ++i) {
      points += (i ? " " : "") + num(x_at(i)) + "," + num(y_at(s.values[i]));
    }
    out += "<polyline fill=\"none\" stroke=\"" + s.color + "\" stroke-width=\"2\" points=\"" + points + "\"/>";
    if (n == 1 && !s.values.empty()) {
      out += "<circle cx=\"" + num(x_at(0)) + "\" cy=\"" + num(y_at(s.values[0])) + "\" r=\"3\" fill=\"" + s.color + "\"/>";
    }
  }
  // Legend.
  double lx = left;
  for (const auto& s : series) {
    out += "<rect x=\"" + num(lx) + "\" y=\"" + num(height - 18.0) + "\" width=\"12\" height=\"12\" fill=\"" + s.color + "\"/>";
    out += "<text x=\"" + num(lx + 16) + "\" y=\"" + num(height - 8.0) + "\" font-size=\"12\" fill=\"#1a1a1a\">" +
           core::html_escape(s.label) + "</text>";
    lx += 28 + 7.0 * static_cast<double>(s.label.size());
  }
  out += "</svg>";
  return out;
}

std::string bar_chart(const std::string& title,
                      const std::vector<std::pair<std::string, long long>>& bars, int width) {
  const double label_w = 260, right = 70, bar_h = 26, gap = 10, top = 10;
  double height = top * 2 + static_cast<double>(bars.size()) * (bar_h + gap);
  long long max = 1;
  for (const auto& [l, v] : bars) max = std::max(max, v);
  std::string id = core::slugify(title);
  std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + std::to_string(width) + " " +
                    num(height) + "\" role=\"img\" aria-labelledby=\"" + id + "-t " + id + "-d\">";
  std::string desc;
  for (std::size_t i = 0; i < bars.size(); ++i) {
    desc += (i ? "; " : "") + bars[i].first + ": " + std::to_string(bars[i].second);
  }
  out += "<title id=\"" + id + "-t\">" + core::html_escape(title) + "</title><desc id=\"" + id + "-d\">" +
         core::html_escape(desc) + "</desc>";
  double plot_w = width - label_w - right;
  for (std::size_t i = 0; i < bars.size(); ++i) {
    double y = top + static_cast<double>(i) * (bar_h + gap);
    double w = plot_w * static_cast<double>(bars[i].second) / static_cast<double>(max);
    out += "<text x=\"" + num(label_w - 8) + "\" y=\"" + num(y + bar_h * 0.65) +
           "\" font-size=\"13\" text-anchor=\"end\" fill=\"#1a1a1a\">" + core::html_escape(bars[i].first) + "</text>";
    out += "<rect x=\"" + num(label_w) + "\" y=\"" + num(y) + "\" width=\"" + num(std::max(w, 1.0)) +
           "\" height=\"" + num(bar_h) + "\" fill=\"#8a1c1c\"/>";
    out += "<text x=\"" + num(label_w + std::max(w, 1.0) + 6) + "\" y=\"" + num(y + bar_h * 0.65) +
           "\" font-size=\"13\" fill=\"#1a1a1a\">" + std::to_string(bars[i].second) + "</text>";
  }
  out += "</svg>";
  return out;
}

}  // namespace analytics
