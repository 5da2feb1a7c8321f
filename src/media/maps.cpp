#include "media/maps.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numbers>
#include <nlohmann/json.hpp>

#include "core/text.h"

namespace media {

// The TopoJSON of npm world-atlas's countries-50m.json (generated/atlas.cpp).
extern const std::string_view kCountriesAtlas;

namespace {

struct Point {
  double x = 0, y = 0;  // longitude, latitude
};
using Ring = std::vector<Point>;
using Polygon = std::vector<Ring>;  // the outer ring, then holes

struct Box {
  double x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9;
  void add(Point p) {
    x0 = std::min(x0, p.x), y0 = std::min(y0, p.y);
    x1 = std::max(x1, p.x), y1 = std::max(y1, p.y);
  }
  void add(const Box& b) {
    x0 = std::min(x0, b.x0), y0 = std::min(y0, b.y0);
    x1 = std::max(x1, b.x1), y1 = std::max(y1, b.y1);
  }
  bool meets(const Box& b) const { return x0 <= b.x1 && b.x0 <= x1 && y0 <= b.y1 && b.y0 <= y1; }
};

struct Country {
  std::string slug;
  std::vector<Polygon> polygons;
  Box box;       // every polygon
  Box mainland;  // the largest polygon and the islands near it: what a map is framed on
};

struct Atlas {
  std::vector<Country> countries;
  std::map<std::string, std::size_t, std::less<>> by_slug;
};

double ring_area(const Ring& r) {
  double a = 0;
  for (std::size_t i = 0, j = r.size() - 1; i < r.size(); j = i++) a += (r[j].x + r[i].x) * (r[j].y - r[i].y);
  return std::abs(a) / 2;
}

Atlas parse_atlas() {
  auto topo = nlohmann::json::parse(kCountriesAtlas);
  double sx = topo["transform"]["scale"][0], sy = topo["transform"]["scale"][1];
  double tx = topo["transform"]["translate"][0], ty = topo["transform"]["translate"][1];
  // Arcs are delta-encoded quantised positions.
  std::vector<std::vector<Point>> arcs;
  for (const auto& arc : topo["arcs"]) {
    std::vector<Point> pts;
    long long qx = 0, qy = 0;
    for (const auto& d : arc) {
      qx += d[0].get<long long>();
      qy += d[1].get<long long>();
      pts.push_back({qx * sx + tx, qy * sy + ty});
    }
    arcs.push_back(std::move(pts));
  }
  auto ring_of = [&](const nlohmann::json& indices) {
    Ring r;
    for (const auto& v : indices) {
      long long i = v.get<long long>();
      bool reversed = i < 0;
      const auto& arc = arcs.at(static_cast<std::size_t>(reversed ? ~i : i));
      std::vector<Point> pts(arc);
      if (reversed) std::reverse(pts.begin(), pts.end());
      // Consecutive arcs share their joining point.
      r.insert(r.end(), r.empty() ? pts.begin() : pts.begin() + 1, pts.end());
    }
    return r;
  };
  auto polygon_of = [&](const nlohmann::json& rings) {
    Polygon p;
    for (const auto& ring : rings) p.push_back(ring_of(ring));
    return p;
  };
  Atlas atlas;
  for (const auto& g : topo["objects"]["countries"]["geometries"]) {
    if (!g.contains("properties") || !g["properties"].contains("name")) continue;
    Country c;
    c.slug = core::slugify(g["properties"]["name"].get<std::string>());
    std::string type = g.value("type", "");
    if (type == "Polygon") {
      c.polygons.push_back(polygon_of(g["arcs"]));
    } else if (type == "MultiPolygon") {
      for (const auto& p : g["arcs"]) c.polygons.push_back(polygon_of(p));
    }
    if (c.polygons.empty() || c.slug.empty()) continue;
    double biggest = -1;
    std::vector<Box> boxes;
    for (const auto& p : c.polygons) {
      Box b;
      for (const auto& pt : p.front()) b.add(pt);
      c.box.add(b);
      boxes.push_back(b);
      double area = ring_area(p.front());
      if (area > biggest) biggest = area, c.mainland = b;
    }
    // The frame takes in the islands near the largest land (all of Japan), not the far
    // ones (France's, not French Guiana; the United States' lower 48, not Alaska).
    Box largest = c.mainland;
    double reach = std::max({10.0, largest.x1 - largest.x0, largest.y1 - largest.y0}) / 2;
    for (const auto& b : boxes) {
      bool near = b.x0 <= largest.x1 + reach && b.x1 >= largest.x0 - reach &&
                  b.y0 <= largest.y1 + reach && b.y1 >= largest.y0 - reach;
      if (near) c.mainland.add(b);
    }
    atlas.by_slug.emplace(c.slug, atlas.countries.size());
    atlas.countries.push_back(std::move(c));
  }
  return atlas;
}

const Atlas& atlas() {
  static const Atlas a = parse_atlas();
  return a;
}

// What publications call countries Natural Earth names otherwise (slugs on both sides).
const std::map<std::string, std::string, std::less<>>& aliases() {
  static const std::map<std::string, std::string, std::less<>> m = {
      {"united-states", "united-states-of-america"}, {"usa", "united-states-of-america"},
      {"us", "united-states-of-america"}, {"america", "united-states-of-america"},
      {"uk", "united-kingdom"}, {"britain", "united-kingdom"}, {"great-britain", "united-kingdom"},
      {"democratic-republic-of-the-congo", "dem-rep-congo"}, {"dr-congo", "dem-rep-congo"},
      {"drc", "dem-rep-congo"}, {"congo-kinshasa", "dem-rep-congo"},
      {"republic-of-the-congo", "congo"}, {"congo-brazzaville", "congo"},
      {"ivory-coast", "cote-divoire"}, {"south-sudan", "s-sudan"},
      {"central-african-republic", "central-african-rep"}, {"bosnia-and-herzegovina", "bosnia-and-herz"},
      {"bosnia", "bosnia-and-herz"}, {"dominican-republic", "dominican-rep"},
      {"equatorial-guinea", "eq-guinea"}, {"czech-republic", "czechia"}, {"swaziland", "eswatini"},
      {"north-macedonia", "macedonia"}, {"turkiye", "turkey"}, {"east-timor", "timor-leste"},
      {"western-sahara", "w-sahara"}, {"burma", "myanmar"}, {"cape-verde", "cabo-verde"},
      {"antigua-and-barbuda", "antigua-and-barb"}, {"northern-cyprus", "n-cyprus"},
      {"palestinian-territories", "palestine"}, {"gaza", "palestine"}, {"west-bank", "palestine"},
      {"korea", "south-korea"}, {"republic-of-korea", "south-korea"}, {"dprk", "north-korea"},
      {"russian-federation", "russia"}, {"holy-see", "vatican"}, {"uae", "united-arab-emirates"},
      {"saint-vincent-and-the-grenadines", "st-vin-and-gren"}, {"federated-states-of-micronesia", "micronesia"},
      {"saint-kitts-and-nevis", "st-kitts-and-nevis"}, {"laos-pdr", "laos"},
  };
  return m;
}

std::optional<std::size_t> find_country(const std::string& name) {
  const auto& a = atlas();
  std::string slug = core::slugify(name);
  if (auto it = a.by_slug.find(slug); it != a.by_slug.end()) return it->second;
  if (auto al = aliases().find(slug); al != aliases().end()) {
    if (auto it = a.by_slug.find(al->second); it != a.by_slug.end()) return it->second;
  }
  // Natural Earth abbreviates: "Solomon Islands" is "Solomon Is.", "South Sudan" "S. Sudan".
  auto abbreviated = slug;
  for (auto [from, to] : {std::pair{"islands", "is"}, std::pair{"republic", "rep"}}) {
    for (auto at = abbreviated.find(from); at != std::string::npos; at = abbreviated.find(from, at)) {
      abbreviated.replace(at, std::string_view(from).size(), to);
    }
  }
  if (auto it = a.by_slug.find(abbreviated); it != a.by_slug.end()) return it->second;
  return std::nullopt;
}

void append_number(std::string& out, double v) {
  char buf[32];
  int n = std::snprintf(buf, sizeof buf, "%.1f", v);
  std::string_view s(buf, static_cast<std::size_t>(n));
  if (s.ends_with(".0")) s.remove_suffix(2);
  if (s == "-0") s = "0";
  out += s;
}

}  // namespace

std::optional<MapKey> map_for(const std::vector<std::string>& country_names) {
  MapKey out;
  std::vector<std::string> slugs;
  for (const auto& name : country_names) {
    auto i = find_country(name);
    if (!i) continue;
    const auto& slug = atlas().countries[*i].slug;
    if (std::find(slugs.begin(), slugs.end(), slug) != slugs.end()) continue;
    if (slugs.size() == kMapMaxCountries) break;
    slugs.push_back(slug);
    out.names.push_back(name);
  }
  if (slugs.empty()) return std::nullopt;
  std::sort(slugs.begin(), slugs.end());
  for (const auto& s : slugs) {
    if (!out.key.empty()) out.key += '_';
    out.key += s;
  }
  return out;
}

std::optional<std::string> draw_map(std::string_view key, std::string_view accent) {
  const auto& a = atlas();
  std::vector<std::size_t> chosen;
  std::string_view rest = key;
  std::string previous;
  while (!rest.empty()) {
    auto cut = rest.find('_');
    std::string slug(rest.substr(0, cut));
    rest = cut == std::string_view::npos ? std::string_view() : rest.substr(cut + 1);
    if (cut != std::string_view::npos && rest.empty()) return std::nullopt;  // "kenya_"
    auto it = a.by_slug.find(slug);
    if (it == a.by_slug.end() || (!previous.empty() && slug <= previous)) return std::nullopt;
    chosen.push_back(it->second);
    previous = slug;
  }
  if (chosen.empty() || chosen.size() > kMapMaxCountries) return std::nullopt;

  // Frame: the chosen countries' mainlands, with room around them, at least ~25 degrees
  // across so a small country shows its neighbours, in the map's proportions.
  Box focus;
  for (auto i : chosen) focus.add(a.countries[i].mainland);
  double mid_lat = std::clamp((focus.y0 + focus.y1) / 2, -70.0, 75.0);
  double k = std::cos(mid_lat * std::numbers::pi / 180);  // equirectangular, true to scale at mid_lat
  double cx = (focus.x0 + focus.x1) / 2 * k, cy = (focus.y0 + focus.y1) / 2;
  double w = std::max((focus.x1 - focus.x0) * k * 1.5, 25.0);
  double h = std::max((focus.y1 - focus.y0) * 1.5, 25.0 * kMapHeight / kMapWidth);
  const double aspect = static_cast<double>(kMapWidth) / kMapHeight;
  if (w / h < aspect) w = h * aspect;
  else h = w / aspect;
  double scale = kMapWidth / w;
  Box view{(cx - w / 2) / k, cy - h / 2, (cx + w / 2) / k, cy + h / 2};

  std::string land, lit, marks;
  for (std::size_t i = 0; i < a.countries.size(); ++i) {
    const auto& c = a.countries[i];
    if (!c.box.meets(view)) continue;
    bool is_chosen = std::find(chosen.begin(), chosen.end(), i) != chosen.end();
    std::string& out = is_chosen ? lit : land;
    for (const auto& polygon : c.polygons) {
      Box pb;
      for (const auto& pt : polygon.front()) pb.add(pt);
      if (!pb.meets(view)) continue;
      for (const auto& ring : polygon) {
        // Whole pixels of the 1200-wide picture, each point relative to the last ("l"),
        // points under two pixels from the last kept left out: a regional map in tens of
        // kilobytes, still sharp at the width an article shows it.
        std::string d;
        long px = 0, py = 0;
        int kept = 0;
        double area2 = 0;  // twice the signed area of what is kept (a line pressed flat has none)
        long fx = 0, fy = 0;
        for (const auto& pt : ring) {
          long x = std::lround((pt.x * k - (cx - w / 2)) * scale), y = std::lround(((cy + h / 2) - pt.y) * scale);
          // Land far outside the picture is pressed onto a margin around it (where it
          // cannot be seen), so a neighbour as large as Russia costs a few points.
          x = std::clamp(x, -100L, static_cast<long>(kMapWidth) + 100);
          y = std::clamp(y, -100L, static_cast<long>(kMapHeight) + 100);
          if (kept > 0 && std::abs(x - px) < 2 && std::abs(y - py) < 2) continue;
          if (kept > 0) area2 += static_cast<double>(px - fx) * (y - fy) - static_cast<double>(x - fx) * (py - fy);
          if (kept == 0) {
            fx = x, fy = y;
            d += 'M' + std::to_string(x) + ' ' + std::to_string(y) + 'l';
          } else {
            if (x - px >= 0 && d.back() != 'l') d += ' ';
            d += std::to_string(x - px);
            if (y - py >= 0) d += ' ';
            d += std::to_string(y - py);
          }
          px = x, py = y, ++kept;
        }
        if (kept >= 3 && std::abs(area2) >= 2) out += d + 'Z';
      }
    }
    if (is_chosen) {
      // A country too small to see at this scale gets a ring around it.
      const auto& m = c.mainland;
      double mw = (m.x1 - m.x0) * k * scale, mh = (m.y1 - m.y0) * scale;
      if (std::max(mw, mh) < 24) {
        double x = ((m.x0 + m.x1) / 2 * k - (cx - w / 2)) * scale, y = ((cy + h / 2) - (m.y0 + m.y1) / 2) * scale;
        marks += "<circle cx=\"";
        append_number(marks, x);
        marks += "\" cy=\"";
        append_number(marks, y);
        marks += "\" r=\"16\"/>";
      }
    }
  }
  std::string colour(accent);
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + std::to_string(kMapWidth) + ' ' +
                    std::to_string(kMapHeight) + "\" width=\"" + std::to_string(kMapWidth) + "\" height=\"" +
                    std::to_string(kMapHeight) + "\">";
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"#e9eef2\"/>";
  svg += "<path fill=\"#d9d4cc\" stroke=\"#fbfaf7\" stroke-width=\"1\" stroke-linejoin=\"round\" d=\"" + land + "\"/>";
  svg += "<path fill=\"" + colour + "\" stroke=\"#fbfaf7\" stroke-width=\"1\" stroke-linejoin=\"round\" d=\"" + lit + "\"/>";
  if (!marks.empty()) svg += "<g fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"4\">" + marks + "</g>";
  svg += "</svg>\n";
  return svg;
}

std::string list_names(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " and " : ", ";
    out += names[i];
  }
  return out;
}

}  // namespace media
