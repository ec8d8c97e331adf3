// The property child's line protocol (property_wire.h).
#include "property_wire.h"

#include <charconv>
#include <optional>

#include <fmt/format.h>

namespace racelab::detail {

namespace {

std::string escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string unescape(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      out += text[i + 1] == 'n' ? '\n' : text[i + 1];
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

// The next space-terminated field of `rest`, which then starts after it.
std::optional<std::string_view> field(std::string_view& rest) {
  const std::size_t space = rest.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  const std::string_view f = rest.substr(0, space);
  rest.remove_prefix(space + 1);
  return f;
}

// A whole field as a number.
template <class Number>
bool number(std::optional<std::string_view> text, Number& out) {
  if (!text || text->empty()) return false;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), out);
  return error == std::errc() && end == text->data() + text->size();
}

ChildLine decode_call(std::string_view rest) {
  ChildCall call;
  if (!number(field(rest), call.thread) || !number(field(rest), call.index) ||
      !number(field(rest), call.invoked) || !number(field(rest), call.returned))
    return {};
  call.result = unescape(rest);
  return call;
}

ChildLine decode_end(std::string_view rest) {
  const auto verdict = field(rest);
  const auto strategy = field(rest);
  if (!verdict || !strategy) return {};
  const auto v = parse_verdict(*verdict);
  const auto s = parse_strategy(*strategy);
  if (!v || !s) return {};
  return ChildEnd{*v, *s, unescape(rest)};
}

}  // namespace

std::string encode(const ChildCall& call) {
  return fmt::format("call {} {} {} {} {}", call.thread, call.index, call.invoked, call.returned,
                     escape(call.result));
}

std::string encode(const ChildInvariant& invariant) { return "invariant " + escape(invariant.failure); }

std::string encode(const ChildEnd& end) {
  return fmt::format("end {} {} {}", to_string(end.verdict), to_string(end.strategy), escape(end.detail));
}

ChildLine decode(std::string_view line) {
  std::string_view rest = line;
  const auto kind = field(rest);
  if (!kind) return {};
  if (*kind == "call") return decode_call(rest);
  if (*kind == "invariant") return ChildInvariant{unescape(rest)};
  if (*kind == "end") return decode_end(rest);
  return {};
}

}  // namespace racelab::detail
