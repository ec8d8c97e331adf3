// The style sheet and the script of summary.html (html_assets.cpp).
#pragma once

namespace racelab::report {

/// <style>…</style>: light and dark, the chart's colours, the tables.
extern const char* const kHtmlStyle;
/// <script>…</script>: sorting by column and the "only failing" filter; the
/// page works without it.
extern const char* const kHtmlScript;

}  // namespace racelab::report
