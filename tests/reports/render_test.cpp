// The renderers for other tools (render.h): junit.xml, results.sarif and
// summary.html, from a Summary built in code; and the per-strategy verdict
// counts they chart (summary.h).
//
// Set RACELAB_RENDER_TEST_OUT=DIR to keep the three files the main test
// renders (for the SARIF validator and a browser).
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "child.h"
#include "racelab/report/atomic_file.h"
#include "racelab/report/render.h"
#include "racelab/report/summary.h"
#include "racelab/tsan_kind.h"

namespace {

using namespace racelab;
using namespace racelab::report;
using nlohmann::json;
using racelab::testing::make_temp_dir;

constexpr const char* kPlanted = "counter went <script>alert(1)</script> & \"off\"";

// A source file under a temporary repository root; its frames get snippets.
struct Repo {
  std::string root;
  std::string file;  // absolute
};

Repo make_repo() {
  Repo repo;
  repo.root = make_temp_dir("racelab-render-");
  std::filesystem::create_directories(repo.root + "/src");
  std::ofstream(repo.root + "/README.md") << "# the repository\n";
  repo.file = repo.root + "/src/racy counter.cpp";  // a space: URIs must encode it
  std::ofstream out(repo.file);
  for (int n = 1; n <= 45; ++n) {
    if (n == 21)
      out << "  if (a < b) value_ += 1;  // RACY-LINE\n";
    else
      out << "// line " << n << "\n";
  }
  return repo;
}

Frame frame(int index, std::string function, std::string file, int line, int column,
            std::string module = "case_01") {
  return Frame{index, std::move(function), std::move(file), line, column, std::move(module)};
}

Finding race(const Repo& repo) {
  Finding f;
  f.kind = "data-race";
  f.headline = "data race (pid=4242)";
  f.summary = "data race " + repo.file + ":21:12 in Counter::increment()";
  f.location = "Location is heap block of size 4 at 0x7b0c00000010 allocated by main thread";
  f.stacks = {
      {"Write of size 4 at 0x7b0c00000010 by thread T2",
       {frame(0, "Counter::increment()", repo.file, 21, 12),
        frame(1, "worker(Counter&)", repo.file, 30, 5),
        frame(2, "std::thread::_State_impl<…>::_M_run()",
              "/usr/include/c++/14/bits/std_thread.h", 244, 13, "libstdc++.so.6")}},
      {"Previous read of size 4 at 0x7b0c00000010 by thread T1",
       {frame(0, "Counter::get() const", repo.file, 25, 12),
        frame(1, "reader(Counter&)", repo.file, 35, 9)}},
      {"Location is heap block of size 4 at 0x7b0c00000010 allocated by main thread",
       {frame(0, "operator new(unsigned long)", "/llvm/tsan_new_delete.cpp", 64, 3, "case_01"),
        frame(1, "main", repo.file, 40, 3)}},
      {"Mutex M0 (0x7b0c00000020) created at",
       {frame(0, "pthread_mutex_init", "/llvm/tsan_interceptors_posix.cpp", 1316, 3),
        frame(1, "Counter::Counter()", repo.file, 12, 3)}},
      {"Thread T2 (tid=4245, running) created by main thread at",
       {frame(0, "pthread_create", "/llvm/tsan_interceptors_posix.cpp", 1022, 3),
        frame(1, "main", repo.file, 41, 15)}},
  };
  return f;
}

Summary make_summary(const Repo& repo) {
  Summary s;
  s.created = "2026-11-24T03:00:00Z";
  s.build = {"thread", "clang 19.1.7"};

  VariantResult caught;
  caught.case_id = "01_lost_update";
  caught.title = "Lost update";
  caught.variant = Variant::buggy;
  caught.strategy = "portfolio";
  caught.seed = 1;
  caught.expected = {Verdict::invariant_violated, Verdict::data_race};
  caught.runs = 200;
  caught.failing_runs = 150;
  caught.verdicts = {{Verdict::clean, 50}, {Verdict::data_race, 150}};
  caught.verdicts_by_strategy = {{"yield", {{Verdict::clean, 20}, {Verdict::data_race, 80}}},
                                 {"pct", {{Verdict::clean, 30}, {Verdict::data_race, 70}}}};
  caught.first_failure = FirstFailure{3, 1003, Verdict::data_race, kPlanted,
                                      "racelab run 01_lost_update --variant buggy --strategy yield "
                                      "--run-seed 1003", {}, 0, {}, {}};
  FindingGroup g;
  g.example = race(repo);
  g.signature = signature(g.example);
  g.count = 150;
  g.reports = 160;
  g.first_run = 3;
  g.first_seed = 1003;
  caught.findings.push_back(g);
  caught.seconds = 1.25;
  s.results.push_back(caught);

  VariantResult hang;
  hang.case_id = "09_event_flag";
  hang.variant = Variant::fixed;
  hang.strategy = "yield";
  hang.seed = 1;
  hang.expected = {Verdict::clean};
  hang.runs = 100;
  hang.failing_runs = 2;
  hang.verdicts = {{Verdict::clean, 98}, {Verdict::hang, 2}};
  hang.first_failure = FirstFailure{41, 5041, Verdict::hang,
                                    "no progress for 2 s: T1 waits <&> \x01\x1b[31mred\x1b[0m",
                                    "racelab run 09_event_flag --variant fixed --run-seed 5041", {}, 0, {}, {}};
  hang.seconds = 4.5;
  s.results.push_back(hang);

  VariantResult infra;
  infra.case_id = "12_lost_wakeup";
  infra.variant = Variant::buggy;
  infra.strategy = "yield";
  infra.expected = {Verdict::hang};
  infra.problems = {"worker could not start: exec failed <&>"};
  s.results.push_back(infra);
  return s;
}

// ---- A minimal XML well-formedness check ------------------------------------

// Tags balance, attribute values are quoted and hold no '<', every '&' starts
// a known entity or a character reference, no control character is left.
// `html`: void elements need no end tag, <script>/<style> hold raw text, and
// a doctype may open the document.
std::string xml_problem(const std::string& text, bool html = false) {
  static const std::vector<std::string> kVoid = {"meta", "link", "input", "br", "hr", "img"};
  std::vector<std::string> open;
  int roots = 0;
  auto entity_ok = [&](std::size_t at) {
    for (const char* e : {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&apos;"})
      if (text.compare(at, std::strlen(e), e) == 0) return true;
    if (text.compare(at, 2, "&#") != 0) return false;
    std::size_t k = at + 2;
    while (k < text.size() && std::isdigit(static_cast<unsigned char>(text[k]))) ++k;
    return k > at + 2 && k < text.size() && text[k] == ';';
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
      return "control character at " + std::to_string(i);
    if (c == '&' && !entity_ok(i)) return "bare & at " + std::to_string(i);
    if (c == '>' && !html) return "bare > at " + std::to_string(i);
    if (c != '<') continue;
    if (text.compare(i, 5, "<?xml") == 0 || text.compare(i, 9, "<!DOCTYPE") == 0) {
      i = text.find('>', i);
      if (i == std::string::npos) return "unterminated declaration";
      continue;
    }
    const bool closing = i + 1 < text.size() && text[i + 1] == '/';
    std::size_t name_from = i + (closing ? 2 : 1);
    std::size_t k = name_from;
    while (k < text.size() && (std::isalnum(static_cast<unsigned char>(text[k])) ||
                               text[k] == '-' || text[k] == ':'))
      ++k;
    const std::string name = text.substr(name_from, k - name_from);
    if (name.empty()) return "bare < at " + std::to_string(i);
    // Attributes up to the closing '>': quoted values only.
    char quote = 0;
    for (; k < text.size(); ++k) {
      if (quote) {
        if (text[k] == quote) quote = 0;
        else if (text[k] == '<') return "< in an attribute of <" + name + ">";
        continue;
      }
      if (text[k] == '"' || text[k] == '\'') quote = text[k];
      else if (text[k] == '=' && k + 1 < text.size() && text[k + 1] != '"' && text[k + 1] != '\'')
        return "unquoted attribute in <" + name + ">";
      else if (text[k] == '>') break;
    }
    if (k == text.size()) return "unterminated tag <" + name + ">";
    const bool self_closing = text[k - 1] == '/';
    const std::size_t tag_end = k;
    i = tag_end;
    if (closing) {
      if (open.empty() || open.back() != name)
        return "</" + name + "> closes <" + (open.empty() ? "nothing" : open.back()) + ">";
      open.pop_back();
      continue;
    }
    if (open.empty()) ++roots;
    if (self_closing || (html && std::find(kVoid.begin(), kVoid.end(), name) != kVoid.end()))
      continue;
    if (html && (name == "script" || name == "style")) {
      const std::size_t end = text.find("</" + name + ">", tag_end);
      if (end == std::string::npos) return "unterminated <" + name + ">";
      i = end + name.size() + 2;
      continue;
    }
    open.push_back(name);
  }
  if (!open.empty()) return "<" + open.back() + "> never closed";
  if (roots != 1) return std::to_string(roots) + " root elements";
  return "";
}

std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

const json* result_with_rule(const json& sarif, const std::string& rule) {
  for (const json& r : sarif.at("runs").at(0).at("results"))
    if (r.at("ruleId") == rule) return &r;
  return nullptr;
}

void keep(const std::string& name, const std::string& content) {
  if (const char* dir = std::getenv("RACELAB_RENDER_TEST_OUT"))
    write_atomically(std::string(dir) + "/" + name, content);
}

// ---- The checker checks ------------------------------------------------------

TEST(XmlProblem, CatchesWhatItIsFor) {
  EXPECT_EQ(xml_problem("<a x=\"1\"><b/>t &amp; u</a>"), "");
  EXPECT_NE(xml_problem("<a><b></a>"), "");
  EXPECT_NE(xml_problem("<a>x & y</a>"), "");
  EXPECT_NE(xml_problem("<a>x < y</a>"), "");
  EXPECT_NE(xml_problem("<a x=\"<\"></a>"), "");
  EXPECT_NE(xml_problem("<a>\x01</a>"), "");
  EXPECT_NE(xml_problem("<a></a><b></b>"), "");
}

TEST(XmlEscape, EscapesAndDropsWhatXmlForbids) {
  EXPECT_EQ(xml_escape("<&>\"'"), "&lt;&amp;&gt;&quot;&#39;");
  EXPECT_EQ(xml_escape("a\x01\x1b[1;31mb\x1b[0m\x7f"), "ab");
  EXPECT_EQ(xml_escape("tab\tnl\n", true), "tab&#9;nl&#10;");
  EXPECT_EQ(xml_escape("tab\tnl\n"), "tab\tnl\n");
  EXPECT_EQ(xml_escape("caf\xC3\xA9 \xE2\x86\x92 \xF0\x9F\x90\x9B"), "caf\xC3\xA9 \xE2\x86\x92 \xF0\x9F\x90\x9B");
  EXPECT_EQ(xml_escape("bad \xC3 \xED\xA0\x80 \xC0\xAF|"),
            "bad \xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD \xEF\xBF\xBD\xEF\xBF\xBD|");
  EXPECT_EQ(xml_escape("\xEF\xBF\xBE\xC2\x85"), "") << "U+FFFE and C1 controls are dropped";
}

TEST(InRepository, MakesPathsUnderTheRootRelative) {
  const Repo repo = make_repo();
  EXPECT_EQ(in_repository(repo.file, repo.root), "src/racy counter.cpp");
  EXPECT_EQ(in_repository(repo.root + "/./src/../src/racy counter.cpp", repo.root + "/"),
            "src/racy counter.cpp");
  EXPECT_EQ(in_repository("src/racy counter.cpp", repo.root), "src/racy counter.cpp");
  EXPECT_EQ(in_repository("src/absent.cpp", repo.root), std::nullopt);
  EXPECT_EQ(in_repository("/usr/include/c++/14/mutex", repo.root), std::nullopt);
  EXPECT_EQ(in_repository(repo.root + "-other/a.cpp", repo.root), std::nullopt);
  EXPECT_EQ(in_repository("/abs/a.cpp", ""), "/abs/a.cpp");
  EXPECT_EQ(in_repository("", repo.root), std::nullopt);
}

// ---- JUnit -------------------------------------------------------------------

TEST(Junit, IsWellFormedWithTheRightCounts) {
  const Repo repo = make_repo();
  const std::string xml = to_junit(make_summary(repo));
  keep("junit.xml", xml);
  EXPECT_EQ(xml_problem(xml), "") << xml;
  EXPECT_EQ(occurrences(xml, "<testsuite "), 1u);
  EXPECT_NE(xml.find("<testsuite name=\"racelab\" tests=\"3\" failures=\"1\" errors=\"1\""),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testcase classname=\"racelab.01_lost_update\" name=\"buggy\" time=\"1.250\">"),
            std::string::npos);
  EXPECT_NE(xml.find("<testcase classname=\"racelab.09_event_flag\" name=\"fixed\" time=\"4.500\">"),
            std::string::npos);
  EXPECT_EQ(occurrences(xml, "<failure "), 1u);
  EXPECT_EQ(occurrences(xml, "<error "), 1u);
  // The failure: verdict counts, the first failure and how to re-run it.
  const std::string failure = xml.substr(xml.find("<failure "), xml.find("</failure>") - xml.find("<failure "));
  EXPECT_NE(failure.find("message=\"the fixed variant failed 2 of 100 runs (hang 2)\""),
            std::string::npos)
      << failure;
  EXPECT_NE(failure.find("verdicts: clean 98, hang 2"), std::string::npos);
  EXPECT_NE(failure.find("first failure: run 41 (seed 5041): hang: no progress for 2 s: T1 "
                         "waits &lt;&amp;&gt; red"),
            std::string::npos)
      << failure;
  EXPECT_NE(failure.find("re-run it: racelab run 09_event_flag --variant fixed --run-seed 5041"),
            std::string::npos);
  EXPECT_EQ(xml.find("<&>"), std::string::npos);
  EXPECT_NE(xml.find("message=\"1 infrastructure problem: worker could not start: exec failed "
                     "&lt;&amp;&gt;\""),
            std::string::npos);
}

TEST(Junit, AFailingBuggyVariantListsItsFindings) {
  const Repo repo = make_repo();
  Summary s = make_summary(repo);
  s.results.resize(1);
  s.results[0].verdicts[Verdict::crash] = 1;  // a verdict it does not expect
  const std::string xml = to_junit(s);
  EXPECT_EQ(xml_problem(xml), "");
  EXPECT_NE(xml.find("unexpected verdicts: crash 1 (expected invariant_violated or data_race)"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("data-race in 150 runs (160 reports), first in run 3 (seed 1003)"), std::string::npos) << xml;
  EXPECT_NE(xml.find("signature: " + xml_escape(s.results[0].findings[0].signature)),
            std::string::npos);
  EXPECT_NE(xml.find("at Counter::increment() " + repo.file + ":21"), std::string::npos) << xml;
  EXPECT_NE(xml.find("&lt;script&gt;"), std::string::npos);
}

// ---- SARIF -------------------------------------------------------------------

TEST(Sarif, DescribesFindingsAndVerdictsPerTheSpec) {
  const Repo repo = make_repo();
  const Summary summary = make_summary(repo);
  const json sarif = to_sarif(summary, {.source_root = repo.root, .tool_version = "0.1.0"});
  keep("results.sarif", sarif.dump(2));
  EXPECT_EQ(sarif.at("version"), "2.1.0");
  EXPECT_EQ(sarif.at("$schema"), "https://json.schemastore.org/sarif-2.1.0.json");
  ASSERT_EQ(sarif.at("runs").size(), 1u);
  const json& run = sarif.at("runs").at(0);
  const json& driver = run.at("tool").at("driver");
  EXPECT_EQ(driver.at("name"), "racelab");
  EXPECT_EQ(driver.at("version"), "0.1.0");
  EXPECT_EQ(driver.at("informationUri"), "file://" + repo.root + "/README.md");

  std::vector<std::string> ids;
  for (const json& rule : driver.at("rules")) {
    ids.push_back(rule.at("id"));
    for (const char* key : {"shortDescription", "fullDescription", "help"})
      EXPECT_FALSE(rule.at(key).at("text").get<std::string>().empty()) << ids.back() << key;
    EXPECT_TRUE(rule.at("defaultConfiguration").contains("level"));
  }
  // A rule for every kind TSan reports (and for a report it does not know),
  // and for every verdict the harness decides (TSan's own are its kinds';
  // infra_error is a notification, never a result).
  std::vector<std::string> wanted = {"tsan/unknown"};
  for (const TsanKind& k : kTsanKinds) wanted.push_back("tsan/" + std::string(k.name));
  for (Verdict v : kAllVerdicts)
    if (v != Verdict::clean && v != Verdict::infra_error && !info(v).from_tsan)
      wanted.push_back("racelab/" + std::string(to_string(v)));
  for (const std::string& id : wanted) EXPECT_NE(std::find(ids.begin(), ids.end(), id), ids.end()) << id;

  EXPECT_EQ(run.at("originalUriBaseIds").at("SRCROOT").at("uri"), "file://" + repo.root + "/");

  // The race: an expected catch in a buggy variant.
  const json* race_result = result_with_rule(sarif, "tsan/data-race");
  ASSERT_NE(race_result, nullptr);
  const json& r = *race_result;
  EXPECT_EQ(r.at("level"), "warning");
  EXPECT_EQ(ids.at(r.at("ruleIndex").get<std::size_t>()), "tsan/data-race");
  EXPECT_EQ(r.at("partialFingerprints").at("racelabSignature/v1"),
            summary.results[0].findings[0].signature);
  const std::string message = r.at("message").at("text");
  EXPECT_NE(message.find("data race"), std::string::npos) << message;
  EXPECT_NE(message.find("in 150 runs (160 reports)"), std::string::npos) << message;
  EXPECT_NE(message.find("run 3 (seed 1003)"), std::string::npos) << message;
  EXPECT_EQ(message.find("pid="), std::string::npos) << message;
  const json& where = r.at("locations").at(0).at("physicalLocation");
  EXPECT_EQ(where.at("artifactLocation").at("uri"), "src/racy%20counter.cpp");
  EXPECT_EQ(where.at("artifactLocation").at("uriBaseId"), "SRCROOT");
  EXPECT_EQ(where.at("region").at("startLine"), 21);
  EXPECT_EQ(where.at("region").at("startColumn"), 12);
  const json& props = r.at("properties");
  EXPECT_EQ(props.at("count"), 150);
  EXPECT_EQ(props.at("first_run"), 3);
  EXPECT_EQ(props.at("first_seed"), 1003);
  EXPECT_EQ(props.at("case"), "01_lost_update");
  EXPECT_EQ(props.at("variant"), "buggy");
  EXPECT_EQ(props.at("racelab/variant"), "buggy");

  // The two access stacks as thread flows, innermost frame last.
  const json& flows = r.at("codeFlows").at(0).at("threadFlows");
  ASSERT_EQ(flows.size(), 2u);
  EXPECT_EQ(flows[0].at("message").at("text"), "Write of size 4 at 0x7b0c00000010 by thread T2");
  EXPECT_EQ(flows[1].at("message").at("text"),
            "Previous read of size 4 at 0x7b0c00000010 by thread T1");
  const json& write = flows[0].at("locations");
  ASSERT_EQ(write.size(), 3u);
  EXPECT_EQ(write[2].at("location").at("physicalLocation").at("region").at("startLine"), 21);
  EXPECT_EQ(write[2].at("importance"), "essential");
  // A frame outside the repository keeps its absolute path, as a file: URI.
  const json& outside = write[0].at("location").at("physicalLocation").at("artifactLocation");
  EXPECT_EQ(outside.at("uri"), "file:///usr/include/c%2B%2B/14/bits/std_thread.h");
  EXPECT_FALSE(outside.contains("uriBaseId"));
  EXPECT_EQ(write[0].at("importance"), "unimportant");

  // Where the memory, the mutex and the thread came from.
  const json& related = r.at("relatedLocations");
  ASSERT_EQ(related.size(), 3u);
  std::vector<std::string> messages;
  for (const json& l : related) {
    messages.push_back(l.at("message").at("text"));
    EXPECT_EQ(l.at("physicalLocation").at("artifactLocation").at("uriBaseId"), "SRCROOT");
  }
  EXPECT_EQ(messages[1], "Mutex M0 (0x7b0c00000020) created at");
  EXPECT_EQ(messages[2], "Thread T2 (tid=4245, running) created by main thread at");
  EXPECT_EQ(related[2].at("physicalLocation").at("region").at("startLine"), 41);
  EXPECT_EQ(related[2].at("id"), 2);

  // The hang of a fixed variant: an error; the race's own first failure
  // (data_race) is the finding above, not a result of its own.
  const json* hang = result_with_rule(sarif, "racelab/hang");
  ASSERT_NE(hang, nullptr);
  EXPECT_EQ(hang->at("level"), "error");
  EXPECT_EQ(hang->at("properties").at("racelab/variant"), "fixed");
  EXPECT_EQ(hang->at("properties").at("first_run"), 41);
  EXPECT_NE(hang->at("message").at("text").get<std::string>().find("2 of 100 runs"),
            std::string::npos);
  EXPECT_EQ(result_with_rule(sarif, "racelab/data_race"), nullptr);
  EXPECT_EQ(run.at("results").size(), 2u);

  // The infrastructure problem.
  const json& invocation = run.at("invocations").at(0);
  EXPECT_FALSE(invocation.at("executionSuccessful").get<bool>());
  EXPECT_NE(invocation.at("toolExecutionNotifications")
                .at(0)
                .at("message")
                .at("text")
                .get<std::string>()
                .find("exec failed <&>"),
            std::string::npos);
}

TEST(Sarif, AFindingInAFixedVariantIsAnError) {
  const Repo repo = make_repo();
  Summary s = make_summary(repo);
  s.results[0].variant = Variant::fixed;
  const json sarif = to_sarif(s, {.source_root = repo.root,
                                  .tool_version = "",
                                  .information_uri = "file:///opt/racelab/README.md"});
  EXPECT_EQ(result_with_rule(sarif, "tsan/data-race")->at("level"), "error");
  const json& driver = sarif.at("runs").at(0).at("tool").at("driver");
  EXPECT_FALSE(driver.contains("version"));
  EXPECT_EQ(driver.at("informationUri"), "file:///opt/racelab/README.md");
}

TEST(Sarif, WithoutARootPathsStayAsTheyAre) {
  const Repo repo = make_repo();
  const json sarif = to_sarif(make_summary(repo), {});
  const json& run = sarif.at("runs").at(0);
  EXPECT_FALSE(run.contains("originalUriBaseIds"));
  EXPECT_FALSE(run.at("tool").at("driver").contains("informationUri"));
  const json& a = result_with_rule(sarif, "tsan/data-race")
                      ->at("locations")
                      .at(0)
                      .at("physicalLocation")
                      .at("artifactLocation");
  EXPECT_EQ(a.at("uri"), "file://" + repo.root + "/src/racy%20counter.cpp");
  EXPECT_FALSE(a.contains("uriBaseId"));
}

TEST(Sarif, IllFormedUtf8IsReplacedNotThrownOver) {
  const Repo repo = make_repo();
  Summary s = make_summary(repo);
  s.results[1].first_failure->detail = "bytes \xff\xfe from the program";
  s.results[0].findings[0].example.stacks[0].frames[0].function = "f\xC3(";
  const json sarif = to_sarif(s, {.source_root = repo.root});
  std::string text;
  ASSERT_NO_THROW(text = sarif.dump());
  EXPECT_NE(text.find("bytes \xEF\xBF\xBD\xEF\xBF\xBD from"), std::string::npos);
  EXPECT_NE(text.find("f\xEF\xBF\xBD("), std::string::npos);
}

TEST(Sarif, AProgramIsJudgedLikeAFixedVariant) {
  const Repo repo = make_repo();
  Summary s = make_summary(repo);
  for (VariantResult& r : s.results) r.variant = Variant::program;
  const json sarif = to_sarif(s, {.source_root = repo.root});
  EXPECT_EQ(result_with_rule(sarif, "tsan/data-race")->at("level"), "error");
  EXPECT_EQ(result_with_rule(sarif, "tsan/data-race")->at("properties").at("racelab/variant"),
            "program");
  const std::string xml = to_junit(s);
  EXPECT_EQ(xml_problem(xml), "");
  EXPECT_NE(xml.find("message=\"the program failed 150 of 200 runs (data_race 150); "
                     "ThreadSanitizer reported 1 finding (data-race)\""),
            std::string::npos)
      << xml;
}

// ---- HTML --------------------------------------------------------------------

TEST(Html, IsSelfContainedEscapedAndShowsTheSource) {
  const Repo repo = make_repo();
  const std::string html = to_html(make_summary(repo), {.source_root = repo.root, .tool_version = "0.1.0"});
  keep("summary.html", html);
  EXPECT_EQ(xml_problem(html, /*html=*/true), "");
  // No network: the only URL allowed is SVG's namespace name.
  std::string rest = html;
  for (std::size_t at; (at = rest.find("http://www.w3.org/2000/svg")) != std::string::npos;)
    rest.erase(at, std::strlen("http://www.w3.org/2000/svg"));
  EXPECT_EQ(rest.find("http://"), std::string::npos);
  EXPECT_EQ(rest.find("https://"), std::string::npos);
  EXPECT_EQ(rest.find("src=\""), std::string::npos);
  EXPECT_EQ(rest.find("url("), std::string::npos);
  EXPECT_EQ(occurrences(html, "<script"), 1u) << "only the page's own script";
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_NE(html.find("counter went &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;off&quot;"),
            std::string::npos);
  EXPECT_NE(html.find("<span class=\"badge bad\">not ok</span>"), std::string::npos);
  EXPECT_NE(html.find("clang 19.1.7"), std::string::npos);
  // Charts: accessible inline SVG.
  EXPECT_EQ(occurrences(html, "<svg class=\"chart\""), 2u);
  EXPECT_NE(html.find("<title id=\"chart-verdicts-t\">"), std::string::npos);
  EXPECT_NE(html.find("01_lost_update buggy · pct"), std::string::npos) << "by strategy";
  EXPECT_NE(html.find("01_lost_update buggy · yield"), std::string::npos);
  EXPECT_NE(html.find("09_event_flag fixed · yield"), std::string::npos) << "falls back to verdicts";
  EXPECT_NE(html.find(">4 runs</text>"), std::string::npos) << "first detection: run 3 + 1";
  EXPECT_NE(html.find("not caught (0 runs)"), std::string::npos);
  // The table.
  EXPECT_NE(html.find("<th scope=\"col\"><button type=\"button\">case</button></th>"),
            std::string::npos);
  EXPECT_EQ(occurrences(html, "<tr data-ok=") + occurrences(html, "<tr class=\"bad\" data-ok="),
            3u);
  // The stacks side by side, with the racy line highlighted.
  EXPECT_NE(html.find("<div class=\"stacks\">"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"l hit\"><span class=\"n\">21</span>  if (a &lt; b) value_ "
                      "+= 1;  // RACY-LINE</span>"),
            std::string::npos);
  EXPECT_NE(html.find("<span class=\"n\">18</span>// line 18"), std::string::npos);
  EXPECT_EQ(html.find("<span class=\"n\">17</span>"), std::string::npos) << "±3 lines";
  EXPECT_NE(html.find("src/racy counter.cpp:21:12"), std::string::npos) << "repo-relative";
  EXPECT_NE(html.find("exec failed &lt;&amp;&gt;"), std::string::npos);
  EXPECT_EQ(html.find('\x01'), std::string::npos);
}

// ---- Verdicts by strategy ------------------------------------------------------

TEST(VerdictsByStrategy, AreCountedWrittenReadAndMerged) {
  VariantResult meta;
  meta.case_id = "01_lost_update";
  meta.variant = Variant::buggy;
  meta.strategy = "portfolio";
  meta.expected = {Verdict::invariant_violated};
  auto record = [](std::int64_t index, const char* strategy, Verdict v) {
    RunRecord r;
    r.index = index;
    r.seed = 100 + static_cast<std::uint64_t>(index);
    r.strategy = strategy;
    r.verdict = v;
    return r;
  };
  VariantCollector c(meta, "case");
  c.add_run(record(0, "yield", Verdict::clean));
  c.add_run(record(1, "yield", Verdict::invariant_violated));
  c.add_run(record(2, "pct", Verdict::invariant_violated));
  c.add_run(record(3, "yield", Verdict::clean));
  VariantResult r = c.finish(1);
  const std::map<std::string, std::map<Verdict, std::int64_t>> want = {
      {"yield", {{Verdict::clean, 2}, {Verdict::invariant_violated, 1}}},
      {"pct", {{Verdict::invariant_violated, 1}}}};
  EXPECT_EQ(r.verdicts_by_strategy, want);

  Summary s;
  s.results.push_back(r);
  json j = to_json(s);
  EXPECT_EQ(j.at("results").at(0).at("verdicts_by_strategy"),
            json({{"yield", {{"clean", 2}, {"invariant_violated", 1}}},
                  {"pct", {{"invariant_violated", 1}}}}));
  EXPECT_EQ(summary_from_json(j).results.at(0).verdicts_by_strategy, want);

  // Schema version 2 requires the field.
  json without = j;
  without.at("results").at(0).erase("verdicts_by_strategy");
  EXPECT_THROW(summary_from_json(without), std::runtime_error);
  j.at("results").at(0)["verdicts_by_strategy"] = {{"yield", {{"mostly_fine", 1}}}};
  EXPECT_THROW(summary_from_json(j), std::runtime_error);

  // Shards add up.
  VariantResult a = r, b = r;
  a.shard_count = b.shard_count = 2;
  b.shard_index = 1;
  a.range_from = 0;
  a.range_to = b.range_from = 4;
  b.range_to = 8;
  const VariantResult merged = merge({a, b});
  EXPECT_EQ(merged.verdicts_by_strategy.at("yield").at(Verdict::clean), 4);
  EXPECT_EQ(merged.verdicts_by_strategy.at("pct").at(Verdict::invariant_violated), 2);
}

// ---- Size ---------------------------------------------------------------------

TEST(Render, TenThousandResultsRenderQuickly) {
  const Repo repo = make_repo();
  const Summary small = make_summary(repo);
  Summary big;
  big.created = small.created;
  big.build = small.build;
  for (int i = 0; i < 10'000; ++i) {
    VariantResult r = small.results[static_cast<std::size_t>(i % 3)];
    r.case_id = std::to_string(10 + i % 90) + "_case_" + std::to_string(i);
    big.results.push_back(std::move(r));
  }
  const RenderOptions options{.source_root = repo.root, .tool_version = "0.1.0"};
  const auto start = std::chrono::steady_clock::now();
  const std::string junit = to_junit(big);
  const auto t1 = std::chrono::steady_clock::now();
  const json sarif_json = to_sarif(big, options);
  const auto t1b = std::chrono::steady_clock::now();
  const std::string sarif = sarif_json.dump();
  const auto t2 = std::chrono::steady_clock::now();
  const std::string html = to_html(big, options);
  const auto end = std::chrono::steady_clock::now();
  auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
  std::printf("10,000 results: junit %.0f ms (%zu KiB), sarif %.0f ms + dump %.0f ms (%zu KiB), "
              "html %.0f ms (%zu KiB); total %.0f ms%s\n",
              ms(t1 - start), junit.size() / 1024, ms(t1b - t1), ms(t2 - t1b), sarif.size() / 1024,
              ms(end - t2),
              html.size() / 1024, ms(end - start), RACELAB_TSAN ? " (under ThreadSanitizer)" : "");
  // A bound that cannot flake, not a goal (tests/bench/report_bench measures):
  // about 0.5 s in a plain build, under 2 s under ThreadSanitizer.
  EXPECT_LT(ms(end - start), RACELAB_TSAN ? 15000.0 : 5000.0);
  EXPECT_EQ(occurrences(junit, "<testcase "), 10'000u);
  EXPECT_NE(html.find("The first 400 of"), std::string::npos);
}

}  // namespace
