#include "ledger.h"

namespace {
int balance = 0;
}

void ledger_post(int amount) { balance += amount; }  // no lock: a data race between posting threads
int ledger_balance() { return balance; }
