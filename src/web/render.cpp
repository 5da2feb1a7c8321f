#include "web/render.h"

#include <kainjow/mustache.hpp>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "web/assets.h"

namespace web {

namespace mstch = kainjow::mustache;

namespace {

// Partials are inlined textually at load time: kainjow re-parses a partial on
// every use, which would cost more than the rest of the page.
std::string expand_partials(std::string source, int depth = 0) {
  if (depth > 4) throw std::runtime_error("template partials nested too deeply");
  std::size_t pos = 0;
  while ((pos = source.find("{{>", pos)) != std::string::npos) {
    auto end = source.find("}}", pos);
    if (end == std::string::npos) throw std::runtime_error("unterminated partial tag");
    std::string name = source.substr(pos + 3, end - pos - 3);
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    std::string body;
    bool found = false;
    for (const auto* a = assets::kTemplates; !a->name.empty(); ++a) {
      if (a->name == name) {
        body = expand_partials(std::string(a->content), depth + 1);
        found = true;
      }
    }
    if (!found) throw std::runtime_error("unknown partial '" + name + "'");
    source.replace(pos, end + 2 - pos, body);
    pos += body.size();
  }
  return source;
}

using TemplateMap = std::map<std::string, std::unique_ptr<mstch::mustache>, std::less<>>;

TemplateMap parse_all() {
  TemplateMap map;
  for (const auto* a = assets::kTemplates; !a->name.empty(); ++a) {
    auto t = std::make_unique<mstch::mustache>(expand_partials(std::string(a->content)));
    if (!t->is_valid()) {
      throw std::runtime_error("template " + std::string(a->name) + ": " + t->error_message());
    }
    map.emplace(std::string(a->name), std::move(t));
  }
  return map;
}

TemplateMap& thread_templates() {
  thread_local TemplateMap map = parse_all();
  return map;
}

mstch::data to_data(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object: {
      mstch::data d{mstch::data::type::object};
      for (auto it = j.begin(); it != j.end(); ++it) d.set(it.key(), to_data(it.value()));
      return d;
    }
    case nlohmann::json::value_t::array: {
      mstch::data d{mstch::data::type::list};
      for (const auto& v : j) d.push_back(to_data(v));
      return d;
    }
    case nlohmann::json::value_t::string:
      return mstch::data{j.get_ref<const std::string&>()};
    case nlohmann::json::value_t::boolean:
      return mstch::data{j.get<bool>()};
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
      return mstch::data{j.dump()};
    default:
      return mstch::data{false};
  }
}

}  // namespace

Templates::Templates() { (void)parse_all(); }

std::string Templates::render(const std::string& name, const nlohmann::json& view) const {
  auto& map = thread_templates();
  auto it = map.find(name);
  if (it == map.end()) throw std::runtime_error("no template named " + name);
  std::string out;
  out.reserve(16384);
  it->second->render(to_data(view), [&out](const std::string& s) { out += s; });
  return out;
}

std::string Templates::page(const std::string& name, nlohmann::json& view) const {
  view["body"] = render(name, view);
  return render("layout", view);
}

}  // namespace web
