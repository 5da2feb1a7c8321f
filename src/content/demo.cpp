#include "content/demo.h"

#include <array>
#include <set>
#include <string>

#include "core/text.h"

namespace content {

namespace {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {  // splitmix64: tiny, fast and identical on every platform
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  int below(int n) { return static_cast<int>(next() % static_cast<std::uint64_t>(n)); }
  template <typename T, std::size_t N>
  const T& pick(const std::array<T, N>& a) {
    return a[static_cast<std::size_t>(below(static_cast<int>(N)))];
  }

 private:
  std::uint64_t state_;
};

struct Country {
  const char* name;
  const char* capital;
  const char* region;
  const char* adjective;
};

const std::array<Country, 36> kCountries = {{
    {"Brazil", "Brasília", "Latin America", "Brazilian"},
    {"Argentina", "Buenos Aires", "Latin America", "Argentine"},
    {"Mexico", "Mexico City", "Latin America", "Mexican"},
    {"Colombia", "Bogotá", "Latin America", "Colombian"},
    {"Chile", "Santiago", "Latin America", "Chilean"},
    {"United States", "Washington", "North America", "American"},
    {"Canada", "Ottawa", "North America", "Canadian"},
    {"Germany", "Berlin", "Europe", "German"},
    {"France", "Paris", "Europe", "French"},
    {"United Kingdom", "London", "Europe", "British"},
    {"Poland", "Warsaw", "Europe", "Polish"},
    {"Italy", "Rome", "Europe", "Italian"},
    {"Ukraine", "Kyiv", "Europe", "Ukrainian"},
    {"Turkey", "Ankara", "Middle East", "Turkish"},
    {"Egypt", "Cairo", "Middle East", "Egyptian"},
    {"Saudi Arabia", "Riyadh", "Middle East", "Saudi"},
    {"Iran", "Tehran", "Middle East", "Iranian"},
    {"Israel", "Jerusalem", "Middle East", "Israeli"},
    {"Nigeria", "Abuja", "Africa", "Nigerian"},
    {"Kenya", "Nairobi", "Africa", "Kenyan"},
    {"Ethiopia", "Addis Ababa", "Africa", "Ethiopian"},
    {"South Africa", "Pretoria", "Africa", "South African"},
    {"Morocco", "Rabat", "Africa", "Moroccan"},
    {"Côte d’Ivoire", "Yamoussoukro", "Africa", "Ivorian"},
    {"Sudan", "Khartoum", "Africa", "Sudanese"},
    {"India", "New Delhi", "South Asia", "Indian"},
    {"Pakistan", "Islamabad", "South Asia", "Pakistani"},
    {"Bangladesh", "Dhaka", "South Asia", "Bangladeshi"},
    {"China", "Beijing", "East Asia", "Chinese"},
    {"Japan", "Tokyo", "East Asia", "Japanese"},
    {"South Korea", "Seoul", "East Asia", "South Korean"},
    {"Indonesia", "Jakarta", "Southeast Asia", "Indonesian"},
    {"Vietnam", "Hanoi", "Southeast Asia", "Vietnamese"},
    {"Philippines", "Manila", "Southeast Asia", "Philippine"},
    {"Australia", "Canberra", "Oceania", "Australian"},
    {"Kazakhstan", "Astana", "Central Asia", "Kazakh"},
}};

struct Topic {
  const char* name;
  const char* subject;            // "energy policy"
  std::array<const char*, 4> things;   // concrete nouns
  std::array<const char*, 3> actors;   // institutions
  std::array<const char*, 3> actions;  // verb phrases
};

const std::array<Topic, 14> kTopics = {{
    {"Energy", "energy policy", {"gas contracts", "the power grid", "oil revenue", "solar capacity"},
     {"the energy ministry", "the state utility", "the grid regulator"},
     {"renegotiate long-term supply contracts", "cap household tariffs", "open the upstream sector to foreign firms"}},
    {"Security", "security policy", {"border posts", "the defence budget", "intelligence sharing", "air defences"},
     {"the defence ministry", "the national security council", "the armed forces"},
     {"raise military spending", "restructure the command system", "expand joint exercises"}},
    {"Trade", "trade policy", {"export tariffs", "the customs union", "port capacity", "rules of origin"},
     {"the trade ministry", "the customs authority", "exporters’ associations"},
     {"lower import duties", "sign a new free-trade agreement", "tighten export controls"}},
    {"Climate", "climate policy", {"emissions targets", "coal plants", "carbon pricing", "adaptation funds"},
     {"the environment ministry", "provincial governments", "the climate commission"},
     {"bring forward the coal phase-out", "introduce a carbon levy", "rebuild flood defences"}},
    {"Elections", "electoral politics", {"the ballot", "coalition arithmetic", "turnout", "campaign finance"},
     {"the electoral commission", "the ruling party", "the main opposition bloc"},
     {"call an early vote", "redraw constituency boundaries", "form a minority government"}},
    {"Migration", "migration policy", {"asylum claims", "labour visas", "remittances", "border camps"},
     {"the interior ministry", "the migration agency", "municipal authorities"},
     {"tighten asylum rules", "expand seasonal work permits", "negotiate return agreements"}},
    {"Technology", "technology policy", {"chip fabrication", "data-protection rules", "undersea cables", "digital payments"},
     {"the digital ministry", "the telecoms regulator", "state-backed investors"},
     {"subsidise semiconductor plants", "regulate large platforms", "build a national cloud"}},
    {"Diplomacy", "foreign policy", {"the summit agenda", "embassy staffing", "mediation efforts", "sanctions relief"},
     {"the foreign ministry", "the presidency", "regional envoys"},
     {"restore full diplomatic relations", "host peace talks", "join a new security pact"}},
    {"Economy", "economic policy", {"inflation", "the currency", "public debt", "the central bank’s rate path"},
     {"the finance ministry", "the central bank", "the IMF mission"},
     {"cut fuel subsidies", "float the currency", "restructure external debt"}},
    {"Health", "health policy", {"hospital capacity", "vaccine supply", "drug prices", "primary care"},
     {"the health ministry", "regional health authorities", "the national insurer"},
     {"expand public insurance", "build local vaccine plants", "cap the price of medicines"}},
    {"Conflict", "the conflict", {"the ceasefire line", "humanitarian corridors", "armed groups", "displacement camps"},
     {"the UN mission", "the army command", "local militias"},
     {"agree a ceasefire", "disarm irregular forces", "reopen aid routes"}},
    {"Human Rights", "civil liberties", {"press freedom", "detention laws", "judicial independence", "protest rights"},
     {"the constitutional court", "the justice ministry", "human-rights monitors"},
     {"amend the protest law", "release political detainees", "reform the security services"}},
    {"Food Security", "food policy", {"grain stocks", "fertiliser imports", "irrigation", "bread prices"},
     {"the agriculture ministry", "the grain board", "farmers’ unions"},
     {"rebuild strategic grain reserves", "ban rice exports", "subsidise fertiliser"}},
    {"Maritime", "maritime policy", {"shipping lanes", "fishing grounds", "naval patrols", "port concessions"},
     {"the coast guard", "the navy", "the ports authority"},
     {"extend territorial claims", "lease a strategic port", "increase naval patrols"}},
}};

const std::array<const char*, 18> kAuthors = {
    "Amara Okafor",     "Lukas Brenner",   "Sofía Marín",     "Haruto Sato",
    "Nadia Rahimi",     "Tomasz Wieczorek", "Grace Mwangi",   "Elif Demir",
    "Rafael Costa",     "Priya Raman",     "Jonas Lindqvist", "Leila Haddad",
    "Daniel Okonkwo",   "Mei Lin Zhou",    "Camille Laurent", "Yusuf Abdi",
    "Irina Kovalenko",  "Samuel Adeyemi"};

// Templates use: {C} country, {Cap} capital, {Adj} adjective, {R} region,
// {C2} another country, {S} topic subject, {X}/{X2} things, {A} actor, {V} action,
// {N} a number, {P} a percentage, {M} a month.
const std::array<const char*, 16> kHeadlines = {
    "Why {C} is rethinking {S}",
    "{C}’s gamble on {X}",
    "The quiet fight over {X} in {C}",
    "What {C2} gets wrong about {C}",
    "{Adj} leaders bet that {X} can wait. They may be wrong",
    "How {X} became the issue that defines {C}",
    "{C} and {C2}: an uneasy bargain over {X}",
    "The limits of {S} in {C}",
    "Inside {C}’s plan to {V}",
    "{C} tries to {V}, again",
    "A turning point for {X} in {R}",
    "What the fight over {X} says about {C}",
    "{C}’s new government faces an old problem: {X}",
    "The costs of delay: {X} in {C}",
    "Can {C} {V}?",
    "The {R} scramble for {X}",
};

const std::array<const char*, 10> kDeks = {
    "The government in {Cap} wants to {V}. The numbers, and the neighbours, may not cooperate.",
    "A decision about {X} has become a test of whether {A} can still set the agenda.",
    "{C2} is watching closely. What happens in {C} over the next year will shape {S} across {R}.",
    "Officials promise change by {M}. The record of the past decade counsels caution.",
    "Behind the headlines, {X} and {X2} are pulling {C} in opposite directions.",
    "The plan is bolder than it looks, and riskier than its authors admit.",
    "Markets have shrugged. They should not: the stakes for {R} are rising.",
    "Three things to understand about {S} in {C}, and one that is usually missed.",
    "A policy once thought settled is back on the table, and the politics are ugly.",
    "Our correspondent assesses what has changed, what has not, and what to watch.",
};

const std::array<const char*, 12> kLedes = {
    "When {A} announced in {M} that it would {V}, few in {Cap} expected the plan to survive the year. It has, so far, but the coalition of interests behind it is fraying.",
    "For most of the past decade, {X} was a technical subject in {C}, left to {A} and a handful of specialists. That is no longer true.",
    "The numbers tell part of the story. Spending on {X} has risen by {P} since {Y}, while confidence in {A} has fallen to its lowest level in a generation.",
    "{C} has tried to {V} before. Each attempt ran into the same obstacles: a sceptical parliament, wary investors and neighbours with their own plans for {X}.",
    "Ask officials in {Cap} about {X} and they will talk about sovereignty. Ask businesses and they will talk about costs. Both are right, and the gap between them is the problem.",
    "The decision to {V} was made quickly and explained badly. Its consequences for {S} will take years to play out, in {C} and across {R}.",
    "Few governments in {R} have staked as much on {X} as {C}. Whether the bet pays off depends less on {Cap} than on decisions taken in {C2}.",
    "It began as a dispute about {X}. It has become a contest over who sets {S} in {C}, and on whose terms.",
    "On paper, the reform is modest. In practice it would shift power over {X} from {A} to a new set of actors, and that is why it is being fought so hard.",
    "Three years ago {C} was held up as a model for {R} on {S}. Today its record looks more mixed, and its critics are louder.",
    "The announcement was brief: {A} will {V} by the end of the year. The reaction in {Cap} was anything but.",
    "Diplomats in {Cap} describe the past six months as the most consequential for {S} since {Y}. They are probably right.",
};

const std::array<const char*, 24> kBodySentences = {
    "Officials argue that {X} cannot be separated from the wider question of {X2}.",
    "The government’s own figures suggest that {N} projects are stalled, most of them for reasons that have little to do with money.",
    "{A} has promised a review by {M}, but similar reviews in the past have produced reports rather than decisions.",
    "In private, officials concede that the timetable is optimistic.",
    "The opposition has seized on the issue, accusing the government of trading long-term interests for short-term calm.",
    "Investors, for their part, want predictability more than generosity.",
    "Public opinion is divided: roughly {P} of voters back the plan, according to recent surveys, but support falls sharply when costs are mentioned.",
    "{C2} has its own reasons to watch closely, since any change to {X} in {C} will affect its own calculations.",
    "Regional partners in {R} have been cautious in public and more forthcoming in private.",
    "The legal framework dates from {Y} and was written for a very different era.",
    "Much depends on the budget, which must pass parliament before {M}.",
    "Critics say the plan concentrates too much authority in {A}.",
    "Supporters reply that the alternative, more years of drift, would be worse.",
    "The experience of {C2}, which tried something similar, offers lessons in both directions.",
    "There is also a generational divide: younger voters care more about {X2} than about {X}.",
    "None of this is unique to {C}, but few countries face all of these pressures at once.",
    "Local governments, which carry much of the burden, have not been consulted in any systematic way.",
    "The central bank has warned that the fiscal cost could reach {P} of output over five years.",
    "Trade unions have threatened strikes if the plan goes ahead unchanged.",
    "Meanwhile, the practical work of implementation has barely begun.",
    "Diplomats note that the timing, just before regional talks, is unlikely to be accidental.",
    "A compromise is possible, but it would require {A} to give ground on {X2}.",
    "Several of the plan’s architects have since left government, which complicates matters.",
    "What is clear is that the status quo on {X} is no longer sustainable.",
};

const std::array<const char*, 8> kSubheads = {
    "What has changed", "The regional picture", "Who wins, who loses", "The numbers",
    "What to watch",    "The politics",         "A history of false starts", "The view from {C2}",
};

const std::array<const char*, 8> kQuotes = {
    "We are not choosing between {X} and growth. We are choosing how to pay for both.",
    "Everyone agrees on the diagnosis. Nobody agrees on who should take the medicine.",
    "The question is not whether {C} can {V}, but whether it can do so without losing {R}.",
    "Five years ago this would have been unthinkable. Now it is merely difficult.",
    "The plan is sound. The politics are not.",
    "If {C2} moves first, we will have no choice but to follow.",
    "People judge {S} by their bills and their jobs, not by our speeches.",
    "We have had many strategies. What we have lacked is follow-through.",
};

const std::array<const char*, 6> kSpeakers = {
    "a senior official in {Cap}", "a diplomat based in {Cap}", "an economist who advises {A}",
    "a former minister", "an opposition legislator", "a business leader in {Cap}",
};

const std::array<const char*, 8> kOutlooks = {
    "The next test comes in {M}. If {A} can show progress on {X} by then, the plan will gain momentum; if not, its opponents will be emboldened.",
    "For now, the safest prediction is continued muddle: enough movement to avoid a crisis, not enough to resolve the underlying problem.",
    "What happens in {C} will be studied closely across {R}. Others face the same choices, with fewer resources.",
    "The government has time, but less than it thinks. The window for an orderly change on {X} is closing.",
    "Watch {C2}. Its response will determine whether this becomes a regional shift or a national footnote.",
    "A year from now, {X} may look like a solved problem, or like the issue that brought down a government. Both outcomes remain possible.",
    "In the end, the question is political rather than technical: who bears the cost, and who gets to decide.",
    "The outcome will shape {S} in {C} for a decade. It deserves more attention than it is getting.",
};

const std::array<const char*, 6> kBooks = {
    "The Long Bargain", "Borders of Power", "After the Boom", "The Patient State",
    "Hard Currencies", "The Middle Distance",
};

struct Slots {
  const Country* c = nullptr;
  const Country* c2 = nullptr;
  const Topic* t = nullptr;
  std::string x, x2, actor, action, month, year, number, percent;
};

std::string fill(std::string_view tpl, const Slots& s) {
  std::string out;
  for (std::size_t i = 0; i < tpl.size(); ++i) {
    if (tpl[i] != '{') {
      out += tpl[i];
      continue;
    }
    auto end = tpl.find('}', i);
    auto key = tpl.substr(i + 1, end - i - 1);
    if (key == "C") out += s.c->name;
    else if (key == "Cap") out += s.c->capital;
    else if (key == "Adj") out += s.c->adjective;
    else if (key == "R") out += s.c->region;
    else if (key == "C2") out += s.c2->name;
    else if (key == "S") out += s.t->subject;
    else if (key == "X") out += s.x;
    else if (key == "X2") out += s.x2;
    else if (key == "A") out += s.actor;
    else if (key == "V") out += s.action;
    else if (key == "M") out += s.month;
    else if (key == "Y") out += s.year;
    else if (key == "N") out += s.number;
    else if (key == "P") out += s.percent;
    i = end;
  }
  // Sentence-initial lower-case ("the energy ministry has...") gets a capital.
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 32);
  return out;
}

std::string paragraph(Rng& rng, const Slots& s, int sentences) {
  std::string p;
  std::set<int> used;
  for (int i = 0; i < sentences; ++i) {
    int k = rng.below(static_cast<int>(kBodySentences.size()));
    if (!used.insert(k).second) continue;
    if (!p.empty()) p += ' ';
    p += fill(kBodySentences[static_cast<std::size_t>(k)], s);
  }
  return p;
}

}  // namespace

std::vector<ArticleInput> generate_demo(core::UnixTime now, int count, std::uint64_t seed) {
  static const char* kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                                  "July",    "August",   "September", "October", "November", "December"};
  Rng rng(seed);
  std::vector<ArticleInput> out;
  std::set<std::string> slugs;
  const core::UnixTime span = 730LL * 86400;
  for (int i = 0; i < count; ++i) {
    ArticleInput a;
    const Country& c = rng.pick(kCountries);
    const Country* c2 = &rng.pick(kCountries);
    while (c2 == &c) c2 = &rng.pick(kCountries);
    const Topic& t = kTopics[static_cast<std::size_t>(i) % kTopics.size()];
    Slots s;
    s.c = &c;
    s.c2 = c2;
    s.t = &t;
    int xi = rng.below(4);
    s.x = t.things[static_cast<std::size_t>(xi)];
    s.x2 = t.things[static_cast<std::size_t>((xi + 1 + rng.below(3)) % 4)];
    s.actor = rng.pick(t.actors);
    s.action = rng.pick(t.actions);
    s.month = kMonths[rng.below(12)];
    s.year = std::to_string(2005 + rng.below(15));
    s.number = std::to_string(3 + rng.below(40));
    s.percent = std::to_string(8 + rng.below(50)) + "%";

    // Type and access mix of a real publication.
    int r = rng.below(100);
    a.type = r < 55 ? ArticleType::kAnalysis
             : r < 72 ? ArticleType::kFeature
             : r < 90 ? ArticleType::kBriefing
                      : ArticleType::kReview;
    int q = rng.below(100);
    a.access = q < 15 ? AccessClass::kFree : q < 80 ? AccessClass::kMetered : AccessClass::kPremium;
    if (a.type == ArticleType::kFeature && q >= 60) a.access = AccessClass::kPremium;
    a.featured = a.type == ArticleType::kFeature && rng.below(3) == 0;

    // Publication time: newest first, spread over two years, during working hours.
    core::UnixTime day = now - (span * i) / count;
    core::UnixTime at = day - (day % 86400) + (7 + rng.below(11)) * 3600 + rng.below(60) * 60;
    if (at > now) at -= 86400;
    a.published_at = at;
    if (rng.below(12) == 0) {
      a.updated_at = at + 3600 * (2 + rng.below(30));
      if (*a.updated_at > now) a.updated_at = now;
      a.corrections = "An earlier version of this article misstated the year in which " +
                      std::string(s.actor) + " was created. It has been corrected.";
    }

    if (a.type == ArticleType::kReview) {
      std::string book = rng.pick(kBooks);
      a.headline = "Review: " + book + ", and what it misses about " + c.name;
      a.dek = fill("A new study of {S} in {R} is persuasive on {X}, less so on {X2}.", s);
    } else if (a.type == ArticleType::kBriefing) {
      a.headline = fill("Briefing: {C} and {X}", s);
      a.dek = fill(rng.pick(kDeks), s);
    } else {
      a.headline = fill(rng.pick(kHeadlines), s);
      a.dek = fill(rng.pick(kDeks), s);
    }
    a.headline[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(a.headline[0])));

    std::string body;
    auto para = [&](const std::string& p) {
      body += p;
      body += "\n\n";
    };
    para(fill(rng.pick(kLedes), s));
    if (a.type == ArticleType::kBriefing) {
      para(paragraph(rng, s, 3));
      para(paragraph(rng, s, 3));
      para("**Key points**");
      for (int k = 0; k < 4; ++k) body += "- " + paragraph(rng, s, 1) + "\n";
      body += "\n";
      para(paragraph(rng, s, 3));
      para(fill(rng.pick(kOutlooks), s));
    } else if (a.type == ArticleType::kReview) {
      para(fill("The book’s central claim is that {S} in {R} has been shaped less by grand "
                "strategy than by accumulated compromises over {X}.", s));
      para(paragraph(rng, s, 4));
      para("## Where the argument works");
      para(paragraph(rng, s, 4));
      para("## Where it falls short");
      para(paragraph(rng, s, 4));
      para(fill(rng.pick(kOutlooks), s));
    } else {
      int sections = a.type == ArticleType::kFeature ? 4 : 2;
      para(paragraph(rng, s, 4));
      para(paragraph(rng, s, 3));
      for (int k = 0; k < sections; ++k) {
        para("## " + fill(kSubheads[static_cast<std::size_t>((i + k) % kSubheads.size())], s));
        para(paragraph(rng, s, 4));
        if (rng.below(3) == 0) {
          para("> “" + fill(rng.pick(kQuotes), s) + "” said " + fill(rng.pick(kSpeakers), s) +
               ".");
        }
        para(paragraph(rng, s, 3 + rng.below(3)));
      }
      para(fill(rng.pick(kOutlooks), s));
    }
    a.body_md = body;

    int authors = rng.below(6) == 0 ? 2 : 1;
    for (int k = 0; k < authors; ++k) {
      std::string name = rng.pick(kAuthors);
      if (a.authors.empty() || a.authors[0] != name) a.authors.push_back(name);
    }
    a.topics.push_back(t.name);
    if (rng.below(3) == 0) {
      const Topic& t2 = kTopics[static_cast<std::size_t>(rng.below(static_cast<int>(kTopics.size())))];
      if (&t2 != &t) a.topics.push_back(t2.name);
    }
    a.countries.push_back(c.name);
    if (rng.below(2) == 0) a.countries.push_back(c2->name);

    std::string slug = core::slugify(a.headline);
    std::string unique = slug;
    for (int n = 2; slugs.count(unique); ++n) unique = slug + "-" + std::to_string(n);
    slugs.insert(unique);
    a.slug = unique;
    out.push_back(std::move(a));
  }
  // Every access class and type is guaranteed to appear, whatever the seed.
  if (out.size() >= 8) {
    out[1].access = AccessClass::kFree;
    out[2].access = AccessClass::kMetered;
    out[3].access = AccessClass::kPremium;
    out[4].type = ArticleType::kFeature;
    out[4].featured = true;
  }
  return out;
}

}  // namespace content
