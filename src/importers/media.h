// Pictures of the old site brought into DATA/media when the operator gives the old site's
// upload folder (--media-dir: WordPress's wp-content/uploads, Ghost's content/images): an
// address such as https://old.example/wp-content/uploads/2014/05/a.jpg is looked up at
// 2014/05/a.jpg under that folder (an address without such a marker, on an uploads host of
// its own, by its whole path), checked (JPEG, PNG, WebP or GIF by content, at most
// 5 MB) and stored under a name made from its content, so importing again stores nothing
// twice. Thread-compatible.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "importers/migration.h"

namespace importers {

class MediaCopier {
 public:
  // `markers`: where an address's path under the upload folder begins ("/wp-content/uploads/").
  MediaCopier(std::string from_dir, std::string into_dir, std::vector<std::string> markers,
              bool dry_run)
      : from_(std::move(from_dir)), into_(std::move(into_dir)), markers_(std::move(markers)),
        dry_run_(dry_run) {}

  bool enabled() const { return !from_.empty(); }
  // The media name of the picture at `url`, copied; or why it could not be. Decoded first
  // (a file that cannot be read as a picture is refused) and named with its width, as an
  // upload is; `as_hero` also makes its responsive copies (media/images.h).
  core::Result<std::string> bring(std::string_view url, bool as_hero = false);
  // The picture at `url` as the article's hero image, counted in `summary`; or listed
  // there as left behind, with why.
  void hero(std::string_view url, content::ArticleInput& article, ImportSummary& summary);
  // `html` with each <img src> that is in the upload folder copied and pointed at
  // /media/NAME; pictures it cannot bring stay links to the old site, counted in `summary`.
  std::string pictures(std::string_view html, ImportSummary& summary);

 private:
  std::string from_, into_;
  std::vector<std::string> markers_;
  bool dry_run_;
};

}  // namespace importers
