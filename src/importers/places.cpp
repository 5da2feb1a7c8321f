#include "importers/places.h"

#include <unordered_map>

#include "core/text.h"

namespace importers {

namespace {

// The UN's member and observer states and the territories a foreign desk writes about, with
// the regions analysis is filed under. "other=Name" lines give another name for a place.
constexpr std::string_view kPlaces[] = {
    "Afghanistan", "Albania", "Algeria", "Andorra", "Angola", "Antigua and Barbuda",
    "Argentina", "Armenia", "Australia", "Austria", "Azerbaijan", "Bahamas", "Bahrain",
    "Bangladesh", "Barbados", "Belarus", "Belgium", "Belize", "Benin", "Bhutan", "Bolivia",
    "Bosnia and Herzegovina", "Botswana", "Brazil", "Brunei", "Bulgaria", "Burkina Faso",
    "Burundi", "Cabo Verde", "Cambodia", "Cameroon", "Canada", "Central African Republic",
    "Chad", "Chile", "China", "Colombia", "Comoros", "Congo", "Costa Rica", "Côte d'Ivoire",
    "Croatia", "Cuba", "Cyprus", "Czechia", "Democratic Republic of the Congo", "Denmark",
    "Djibouti", "Dominica", "Dominican Republic", "Ecuador", "Egypt", "El Salvador",
    "Equatorial Guinea", "Eritrea", "Estonia", "Eswatini", "Ethiopia", "Fiji", "Finland",
    "France", "Gabon", "Gambia", "Georgia", "Germany", "Ghana", "Greece", "Grenada",
    "Guatemala", "Guinea", "Guinea-Bissau", "Guyana", "Haiti", "Honduras", "Hungary",
    "Iceland", "India", "Indonesia", "Iran", "Iraq", "Ireland", "Israel", "Italy", "Jamaica",
    "Japan", "Jordan", "Kazakhstan", "Kenya", "Kiribati", "Kosovo", "Kuwait", "Kyrgyzstan",
    "Laos", "Latvia", "Lebanon", "Lesotho", "Liberia", "Libya", "Liechtenstein", "Lithuania",
    "Luxembourg", "Madagascar", "Malawi", "Malaysia", "Maldives", "Mali", "Malta",
    "Marshall Islands", "Mauritania", "Mauritius", "Mexico", "Micronesia", "Moldova",
    "Monaco", "Mongolia", "Montenegro", "Morocco", "Mozambique", "Myanmar", "Namibia",
    "Nauru", "Nepal", "Netherlands", "New Zealand", "Nicaragua", "Niger", "Nigeria",
    "North Korea", "North Macedonia", "Norway", "Oman", "Pakistan", "Palau", "Palestine",
    "Panama", "Papua New Guinea", "Paraguay", "Peru", "Philippines", "Poland", "Portugal",
    "Qatar", "Romania", "Russia", "Rwanda", "Saint Kitts and Nevis", "Saint Lucia",
    "Saint Vincent and the Grenadines", "Samoa", "San Marino", "São Tomé and Príncipe",
    "Saudi Arabia", "Senegal", "Serbia", "Seychelles", "Sierra Leone", "Singapore",
    "Slovakia", "Slovenia", "Solomon Islands", "Somalia", "South Africa", "South Korea",
    "South Sudan", "Spain", "Sri Lanka", "Sudan", "Suriname", "Sweden", "Switzerland",
    "Syria", "Taiwan", "Tajikistan", "Tanzania", "Thailand", "Timor-Leste", "Togo", "Tonga",
    "Trinidad and Tobago", "Tunisia", "Turkey", "Turkmenistan", "Tuvalu", "Uganda",
    "Ukraine", "United Arab Emirates", "United Kingdom", "United States", "Uruguay",
    "Uzbekistan", "Vanuatu", "Vatican City", "Venezuela", "Vietnam", "Yemen", "Zambia",
    "Zimbabwe",
    // Territories and places in the news under their own name.
    "Greenland", "Hong Kong", "Macau", "Puerto Rico", "Western Sahara", "Somaliland",
    "Crimea", "Gaza", "West Bank", "Kashmir", "Tibet", "Xinjiang", "Transnistria",
    "Nagorno-Karabakh", "Kurdistan", "Antarctica", "Arctic",
    // Regions and blocs.
    "Africa", "Asia", "Europe", "Latin America", "North America", "South America",
    "Central America", "Caribbean", "Middle East", "North Africa", "Sub-Saharan Africa",
    "West Africa", "East Africa", "Southern Africa", "Central Africa", "Horn of Africa",
    "Sahel", "Maghreb", "Gulf", "Levant", "Central Asia", "South Asia", "East Asia",
    "Southeast Asia", "Asia-Pacific", "Indo-Pacific", "Pacific", "Oceania", "Balkans",
    "Baltics", "Western Balkans", "Andes", "South China Sea", "Caucasus", "Eastern Europe", "Western Europe", "Central Europe",
    "Nordic countries", "Scandinavia", "Eastern Mediterranean", "Mediterranean",
    "European Union", "Eurozone", "ASEAN", "African Union",
    // Other names in common use.
    "other=Burma=Myanmar", "other=Ivory Coast=Côte d'Ivoire", "other=Cote d'Ivoire=Côte d'Ivoire",
    "other=Czech Republic=Czechia", "other=Swaziland=Eswatini", "other=Cape Verde=Cabo Verde",
    "other=East Timor=Timor-Leste", "other=Macedonia=North Macedonia",
    "other=DRC=Democratic Republic of the Congo", "other=DR Congo=Democratic Republic of the Congo",
    "other=Republic of the Congo=Congo", "other=Korea=South Korea",
    "other=Republic of Korea=South Korea", "other=DPRK=North Korea", "other=UK=United Kingdom",
    "other=Britain=United Kingdom", "other=Great Britain=United Kingdom",
    "other=US=United States", "other=USA=United States",
    "other=United States of America=United States",
    "other=UAE=United Arab Emirates", "other=Türkiye=Turkey", "other=Turkiye=Turkey",
    "other=Russian Federation=Russia", "other=Holland=Netherlands", "other=Viet Nam=Vietnam",
    "other=Lao PDR=Laos", "other=Palestinian territories=Palestine",
    "other=Sao Tome and Principe=São Tomé and Príncipe", "other=Holy See=Vatican City",
    "other=EU=European Union", "other=Baltic states=Baltics", "other=Persian Gulf=Gulf", "other=MENA=Middle East",
    "other=Mideast=Middle East", "other=Near East=Middle East", "other=Eurasia=Central Asia",
};

std::string key(std::string_view name) { return core::slugify(name); }

const std::unordered_map<std::string, std::string>& places() {
  static const auto* table = [] {
    auto* t = new std::unordered_map<std::string, std::string>();
    for (std::string_view p : kPlaces) {
      if (p.starts_with("other=")) {
        p.remove_prefix(6);
        auto eq = p.find('=');
        (*t)[key(p.substr(0, eq))] = std::string(p.substr(eq + 1));
      } else {
        (*t)[key(p)] = std::string(p);
      }
    }
    return t;
  }();
  return *table;
}

}  // namespace

std::optional<std::string> known_place(std::string_view name) {
  auto k = key(core::trim(name));
  if (k.empty()) return std::nullopt;
  auto it = places().find(k);
  if (it == places().end()) return std::nullopt;
  return it->second;
}

}  // namespace importers
