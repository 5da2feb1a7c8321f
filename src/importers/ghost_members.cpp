#include "importers/ghost_members.h"

#include "accounts/members_csv.h"
#include "core/text.h"
#include "core/time.h"
#include "store/billing_store.h"

namespace importers {

namespace {

// Ghost writes "2026-11-30T05:36:10.000Z".
std::optional<core::UnixTime> iso_time(const std::string& s) {
  if (s.size() < 19) return std::nullopt;
  return core::parse_rfc3339(s.substr(0, 19) + "Z");
}

// Without end, as Ghost's comped plans are: 1 January 2100.
constexpr core::UnixTime kNoEnd = 4102444800;

// The staff note a Ghost member arrives with: Ghost's note, then its labels.
std::string note_of(const accounts::CsvMember& row) {
  std::string note = row.note;
  if (!row.labels.empty()) {
    if (!note.empty()) note += "\n";
    note += "Ghost labels: ";
    bool first = true;
    for (const auto& label : core::split(row.labels, ',')) {
      std::string l = core::trim(label);
      if (l.empty()) continue;
      note += (first ? "" : ", ") + l;
      first = false;
    }
  }
  return note.substr(0, 10000);
}

}  // namespace

core::Result<ImportSummary> import_ghost_members(std::string_view csv, store::Store& store,
                                                 const core::Clock& clock,
                                                 const ImportOptions& options) {
  auto rows = accounts::parse_members_csv(csv);
  if (!rows) return std::unexpected(rows.error());
  ImportSummary summary;
  summary.format = "Ghost members";
  auto& ms = store.members();
  core::UnixTime now = clock.now();
  int noted = 0, paid = 0;
  for (const auto& row : *rows) {
    auto existing = ms.find_member_by_email(row.email);
    std::optional<core::UnixTime> comp;
    if (row.complimentary) comp = options.comp_until.value_or(kNoEnd);
    // The newsletters this reader may get: the free one, and the Reviews with access.
    std::vector<std::string> letters = {"free"};
    if (comp || !row.stripe_customer_id.empty()) letters = {"free", "daily", "weekly"};
    // A note staff have written here since is theirs: only an empty one is filled.
    std::string note = note_of(row);
    noted += !note.empty();
    paid += !row.stripe_customer_id.empty() && !row.complimentary;
    ++summary.members;
    if (existing) {
      bool same = existing->verified() && (row.name.empty() || existing->name == row.name) &&
                  (!comp || existing->comp_until == comp);
      if (same && row.subscribed) {
        auto prefs = ms.newsletter_prefs(existing->id);
        for (const auto& n : letters) {
          bool found = false;
          for (const auto& [name, on] : prefs) {
            if (name == n) found = on == *row.subscribed;
          }
          same = same && found;
        }
      }
      if (same && !note.empty()) same = !ms.member_note(existing->id).empty();
      if (same && !row.stripe_customer_id.empty()) {
        same = store.billing().customer_of(existing->id) == row.stripe_customer_id;
      }
      ++(same ? summary.unchanged : summary.updated);
      if (same) continue;
    } else {
      ++summary.created;
    }
    if (options.dry_run) continue;
    core::UnixTime since = iso_time(row.created_at).value_or(now);
    std::optional<accounts::Member> m;
    if (comp) {
      auto g = ms.grant(row.email, row.name, comp, existing ? now : since);
      if (!g) return std::unexpected(g.error());
      m = *g;
    } else if (!existing) {
      auto c = ms.create_member(row.email, row.name, true, since);
      if (!c) return std::unexpected(c.error());
      m = *c;
    } else {
      m = existing;
    }
    if (!m->verified()) {
      if (auto ok = ms.mark_verified(m->id, now); !ok) return std::unexpected(ok.error());
    }
    if (row.subscribed) {
      for (const auto& n : letters) {
        if (auto ok = ms.set_newsletter(m->id, n, *row.subscribed, now); !ok) return std::unexpected(ok.error());
      }
    }
    if (!note.empty() && ms.member_note(m->id).empty()) {
      if (auto ok = ms.set_member_note(m->id, note, now); !ok) return std::unexpected(ok.error());
    }
    if (!row.stripe_customer_id.empty() && store.billing().customer_of(m->id) != row.stripe_customer_id) {
      if (auto ok = store.billing().link_customer(m->id, row.stripe_customer_id); !ok) {
        summary.skipped["Stripe customer ids that belong to another member"]++;
      }
    }
  }
  if (paid > 0) {
    summary.notes.push_back(std::to_string(paid) +
                            " paying members keep their Stripe customer: run `meridian billing sync` "
                            "to give them their access");
  }
  if (noted > 0) {
    summary.notes.push_back(std::to_string(noted) +
                            " members' notes and labels kept as staff notes (see /admin/members)");
  }
  return summary;
}

}  // namespace importers
