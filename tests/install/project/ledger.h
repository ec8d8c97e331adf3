// A small library of the outside project: its race is in its own code, which
// TSan sees only when the library itself is compiled with -fsanitize=thread.
#pragma once

void ledger_post(int amount);
int ledger_balance();
