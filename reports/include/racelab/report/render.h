// racelab/report/render.h — a Summary for other tools: CI test reports, code
// scanning, and people with a browser.
//
// This header defines:
//   RenderOptions   where the repository is, which racelab wrote the file
//   to_junit()      junit.xml: one test case per case × variant
//   to_sarif()      results.sarif: SARIF 2.1.0, one result per finding
//   to_html()       summary.html: one self-contained page with charts and stacks
// and the building blocks they share (XML escaping, repository-relative
// paths, access stacks), exposed for tests and for other renderers.
//
// Every renderer is a pure function of the Summary (and the options): it
// writes nothing; the caller stores the text with write_atomically(). Only
// to_html() reads files (the source lines around the frames it shows);
// to_sarif() and in_repository() look only at which files exist.
//
// junit.xml
//   <testsuite name="racelab" tests= failures= errors= time= timestamp=>
//     <testcase classname="racelab.CASE" name="buggy|fixed" time="seconds">
//       <failure message="…" type="racelab.not_as_expected">   not as expected
//       <error message="…" type="racelab.infrastructure">      a problem
//       <system-out>                                            the console lines
//   tests: every result; errors: results with problems; failures: the other
//   results that are not as expected.
//
// results.sarif (SARIF 2.1.0, https://docs.oasis-open.org/sarif/sarif/v2.1.0/)
//   One run; tool.driver.rules is the same list in every file (rule indexes
//   are stable): "tsan/<kind>" for each kind of TSan report (data-race,
//   heap-use-after-free, lock-order-inversion, thread-leak, …) and
//   "racelab/<verdict>" for the verdicts the harness decides itself
//   (deadlock, self_deadlock, livelock, hang, invariant_violated,
//   exception_lost, thread_leak, mutex_misuse, crash).
//   Results:
//     - one per FindingGroup, level "warning" in a buggy variant (the catch the
//       case exists for) and "error" in a fixed one. locations[0] is the first
//       frame under source_root of the first access stack that has one (user
//       code before racelab's own frames); codeFlows[0] has one threadFlow per
//       access stack (outermost frame first, the access last);
//       relatedLocations are where the mutexes and threads were created and
//       the memory allocated; partialFingerprints["racelabSignature/v1"] is
//       the finding's signature.
//     - one for the first failure of a result when its verdict is the
//       harness's own (not data_race or lock_order_inversion, which TSan
//       findings describe). Located at cases/CASE/VARIANT.cpp when that file
//       exists under source_root; its partialFingerprints signature is that
//       of its verdict group (what happened and where) and the variant.
//     properties: case, variant, racelab/variant, count, first_run, first_seed.
//   Infrastructure problems are invocations[0].toolExecutionNotifications.
//
// summary.html
//   One file without any network reference (a Content-Security-Policy says
//   so too): the overall verdict and build, a table of every result, inline
//   SVG charts (verdicts per case and strategy; runs to first detection per
//   buggy variant), and each finding with its access stacks side by side and
//   the source lines around its frames when the file can be read.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "racelab/report/summary.h"
#include "racelab/report/tsan.h"

namespace racelab::report {

struct RenderOptions {
  /// Absolute path of the repository: frames under it become repo-relative
  /// URIs (SARIF, with uriBaseId SRCROOT) and paths (HTML). "" leaves paths as
  /// they are (and every frame with a file counts as the repository's).
  std::string source_root = {};
  std::string tool_version = {};  ///< e.g. "0.1.0"; "" when unknown
  /// tool.driver.informationUri (an absolute URI). "": the file: URI of
  /// source_root/README.md when that exists, else none.
  std::string information_uri = {};
};

/// junit.xml (see above). Never throws for any Summary.
std::string to_junit(const Summary& summary);

/// results.sarif (see above): dump it with .dump(2) or .dump().
nlohmann::json to_sarif(const Summary& summary, const RenderOptions& options);

/// summary.html (see above). Reads source files; unreadable ones are skipped.
std::string to_html(const Summary& summary, const RenderOptions& options);

// ---- Building blocks -------------------------------------------------------

// xml_escape()
//
// `text` as XML 1.0 character data or an attribute value (also fine for
// HTML): & < > " ' escaped as entities; in an attribute, tab, newline and
// carriage return as character references (so parsers keep them); characters
// XML 1.0 forbids (C0 controls other than tab, LF, CR; U+FFFE, U+FFFF) and
// ANSI colour sequences dropped; invalid UTF-8 replaced by U+FFFD.
std::string xml_escape(std::string_view text, bool attribute = false);

// utf8_length()
//
// The length of the well-formed UTF-8 sequence at text[i] (1 for ASCII), or
// 0 when it is ill-formed: overlong forms, surrogates, anything above
// U+10FFFF, a sequence cut short.
std::size_t utf8_length(std::string_view text, std::size_t i);
/// The same, appended to `out`.
void append_xml_escaped(std::string& out, std::string_view text, bool attribute = false);

// in_repository()
//
// `file` relative to `source_root` ("src/a.cpp") when it lies under it —
// an absolute path below the root, or a relative one that exists there —
// else nullopt. With an empty root, `file` itself (nullopt when empty).
std::optional<std::string> in_repository(const std::string& file, const std::string& source_root);

/// "function file:line" of a frame, as the summaries print it.
std::string frame_text(const Frame& frame);

/// The first user frame (user_frames()) of each access stack, at most two:
/// what a person looks at first.
std::vector<std::string> top_frame_texts(const Finding& finding, const FrameFilter& runtime);

/// "buggy variant", "fixed variant", or "program" (racelab exec / report).
std::string variant_phrase(Variant variant);

}  // namespace racelab::report
