// The version of this build: the project's release number and the commit it was built
// from ("0.11.0+git.3f2c1a9b0e"), baked in at build time (cmake/version.cmake).
#pragma once

namespace core {

const char* version();

}  // namespace core
