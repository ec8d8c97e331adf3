// 07_seat_booking: the case's metadata. The story is in README.md.
#include <racelab/racelab.h>

namespace racelab::cases::seat_booking {
void buggy(Run& run);
void fixed(Run& run);
}  // namespace racelab::cases::seat_booking

racelab::Case racelab::define_case() {
  return {
      .id = "07_seat_booking",
      .title = "Seat booking: 15 requests for 10 seats, checked then booked",
      .bug_class = "check-then-act (atomicity violation)",
      .threads = 10,
      .invariant = "never more than 10 seats booked, never fewer than 0 left",
      .buggy = {.body = cases::seat_booking::buggy,
                .expected = {Verdict::invariant_violated, Verdict::data_race},
                .budget = 200,
                .first_failure_shows = {"Flight::book_seat()", "seats of 10"}},
      .fixed = {.body = cases::seat_booking::fixed, .expected = {Verdict::clean}},
  };
}
